//! Internal JWTs between the gateway and the subgraphs (EdDSA / Ed25519), the request principal,
//! and role/scope guards for resolvers.
//!
//! The gateway signs a short-lived token per request with `aud` = the subgraph's name; subgraphs
//! hold only the public key. The algorithm is pinned to EdDSA, and `iss`, `aud`, `exp`, `nbf` are
//! validated.

use std::path::Path;

use anyhow::Context as _;
use async_graphql::{Context, Guard};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::{AuthConfig, Mode};
use crate::error::{AppError, ErrorCode};

/// The `iss` the gateway puts in internal tokens unless configured otherwise.
pub const DEFAULT_ISSUER: &str = "studiograph-gateway";

/// Scope held by service tokens that may call a subgraph's internal routes (password check,
/// API-token resolution).
pub const INTERNAL_AUTH_SCOPE: &str = "internal:auth";

/// Scope meaning "whatever the roles allow" (interactive sessions).
pub const ALL_SCOPES: &str = "*";

/// A studio role of CONTRACT.md.
#[derive(async_graphql::Enum, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Everything in their tenant.
    Admin,
    /// People, salaries, leave.
    HrManager,
    /// Leads artists; approves their work.
    Supervisor,
    /// Works on tasks.
    Artist,
    /// Runs the render farm.
    RenderWrangler,
    /// An outside vendor's user.
    Vendor,
}

impl Role {
    /// The wire and database form, e.g. `HR_MANAGER`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "ADMIN",
            Self::HrManager => "HR_MANAGER",
            Self::Supervisor => "SUPERVISOR",
            Self::Artist => "ARTIST",
            Self::RenderWrangler => "RENDER_WRANGLER",
            Self::Vendor => "VENDOR",
        }
    }

    /// Parses the wire form.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Admin,
            Self::HrManager,
            Self::Supervisor,
            Self::Artist,
            Self::RenderWrangler,
            Self::Vendor,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// The claims of an internal token.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Claims {
    /// User id (or `service:<name>` for service tokens).
    pub sub: String,
    /// Tenant id (nil for service tokens).
    pub tid: Uuid,
    /// The user's employee record, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eid: Option<Uuid>,
    /// Roles in the tenant.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Scopes; `*` for interactive sessions, the API token's scopes otherwise.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Audience: the subgraph's name.
    pub aud: String,
    /// Issuer.
    pub iss: String,
    /// Expiry (seconds since epoch).
    pub exp: i64,
    /// Not before (seconds since epoch).
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
    /// The request id for logs and audit rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rid: Option<String>,
}

/// Who is calling, as every resolver sees it.
#[derive(Clone, Debug)]
pub struct Principal {
    /// The user.
    pub user_id: Uuid,
    /// The tenant all SQL is scoped to.
    pub tenant_id: Uuid,
    /// The user's employee record.
    pub employee_id: Option<Uuid>,
    /// Roles.
    pub roles: Vec<Role>,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Request id (from the gateway or generated).
    pub request_id: String,
}

impl Principal {
    /// Whether the principal holds any of `roles`.
    pub fn has_any_role(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }

    /// Whether the principal's scopes allow `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == ALL_SCOPES || s == scope)
    }

    /// Whether the principal is the given employee.
    pub fn is_employee(&self, employee_id: Uuid) -> bool {
        self.employee_id == Some(employee_id)
    }

    /// Fails with FORBIDDEN unless the principal holds one of `roles`.
    pub fn require_any_role(&self, roles: &[Role]) -> Result<(), AppError> {
        if self.has_any_role(roles) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!(
                "requires one of the roles {}",
                roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
            )))
        }
    }
}

impl TryFrom<Claims> for Principal {
    type Error = AppError;

    fn try_from(c: Claims) -> Result<Self, AppError> {
        let user_id = Uuid::parse_str(&c.sub).map_err(|_| AppError::unauthenticated("token subject is not a user"))?;
        if c.tid.is_nil() {
            return Err(AppError::unauthenticated("token carries no tenant"));
        }
        Ok(Self {
            user_id,
            tenant_id: c.tid,
            employee_id: c.eid,
            roles: c.roles,
            scopes: c.scopes,
            request_id: c.rid.unwrap_or_else(|| Uuid::new_v4().to_string()),
        })
    }
}

/// An Ed25519 key pair (PKCS#8 private key, raw 32-byte public key).
#[derive(Clone)]
pub struct KeyPair {
    seed: [u8; 32],
    public: [u8; 32],
}

const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
const SPKI_ED25519_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

impl KeyPair {
    /// A fresh random key pair.
    pub fn generate() -> Self {
        let seed: [u8; 32] = rand::random();
        Self::from_seed(seed)
    }

    fn from_seed(seed: [u8; 32]) -> Self {
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        Self { seed, public }
    }

    fn private_der(&self) -> Vec<u8> {
        [&PKCS8_ED25519_PREFIX[..], &self.seed[..]].concat()
    }

    /// The private key as a PKCS#8 PEM.
    pub fn private_pem(&self) -> String {
        pem("PRIVATE KEY", &self.private_der())
    }

    /// The public key as an SPKI PEM.
    pub fn public_pem(&self) -> String {
        pem("PUBLIC KEY", &[&SPKI_ED25519_PREFIX[..], &self.public[..]].concat())
    }

    /// Parses a PKCS#8 Ed25519 private key PEM.
    pub fn from_private_pem(text: &str) -> anyhow::Result<Self> {
        let der = unpem(text)?;
        let seed = der
            .strip_prefix(&PKCS8_ED25519_PREFIX[..])
            .and_then(|s| <[u8; 32]>::try_from(s).ok())
            .context("not a PKCS#8 Ed25519 private key")?;
        Ok(Self::from_seed(seed))
    }

    /// A verifier for tokens addressed to `audience`.
    pub fn verifier(&self, issuer: &str, audience: &str) -> JwtVerifier {
        JwtVerifier::from_raw_public_key(&self.public, issuer, audience)
    }

    /// A signer with this key.
    pub fn signer(&self, issuer: &str) -> JwtSigner {
        JwtSigner {
            key: EncodingKey::from_ed_der(&self.private_der()),
            issuer: issuer.to_owned(),
        }
    }

    /// Loads `private.pem` from `dir`, or creates it (and `public.pem`) when missing.
    pub fn load_or_create_dev(dir: &Path) -> anyhow::Result<Self> {
        let private = dir.join("private.pem");
        if let Ok(text) = std::fs::read_to_string(&private) {
            return Self::from_private_pem(&text).with_context(|| format!("reading {}", private.display()));
        }
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let pair = Self::generate();
        // Write to a temporary name then rename, so concurrent starters never read half a file.
        let tmp = dir.join(format!(".private.{}.pem", Uuid::new_v4()));
        std::fs::write(&tmp, pair.private_pem())?;
        std::fs::write(dir.join("public.pem"), pair.public_pem())?;
        match std::fs::hard_link(&tmp, &private) {
            Ok(()) => {
                let _ = std::fs::remove_file(&tmp);
                Ok(pair)
            }
            Err(_) => {
                let _ = std::fs::remove_file(&tmp);
                let text = std::fs::read_to_string(&private)?;
                Self::from_private_pem(&text)
            }
        }
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", STANDARD.encode(der))
}

fn unpem(text: &str) -> anyhow::Result<Vec<u8>> {
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body.trim()).context("PEM body is not base64")
}

/// Verifies internal tokens for one audience.
#[derive(Clone)]
pub struct JwtVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl JwtVerifier {
    fn from_raw_public_key(public: &[u8; 32], issuer: &str, audience: &str) -> Self {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        Self {
            key: DecodingKey::from_ed_der(public),
            validation,
        }
    }

    /// From an SPKI PEM public key.
    pub fn from_public_pem(text: &str, issuer: &str, audience: &str) -> anyhow::Result<Self> {
        let der = unpem(text)?;
        let raw = der
            .strip_prefix(&SPKI_ED25519_PREFIX[..])
            .and_then(|s| <[u8; 32]>::try_from(s).ok())
            .context("not an SPKI Ed25519 public key")?;
        Ok(Self::from_raw_public_key(&raw, issuer, audience))
    }

    /// Builds the verifier from configuration: the configured public key, or in development the
    /// shared development key pair (created when missing). Production without a key fails.
    pub fn from_config(cfg: &AuthConfig, mode: Mode, audience: &str) -> anyhow::Result<Self> {
        match (&cfg.public_key_file, mode) {
            (Some(path), _) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading JWT_PUBLIC_KEY_FILE {}", path.display()))?;
                Self::from_public_pem(&text, &cfg.issuer, audience)
            }
            (None, Mode::Production) => {
                anyhow::bail!("environment variable JWT_PUBLIC_KEY_FILE is required in production mode")
            }
            (None, Mode::Development) => {
                let pair = KeyPair::load_or_create_dev(&cfg.dev_key_dir)?;
                tracing::warn!(key.dir = %cfg.dev_key_dir.display(), "Using the development JWT key pair");
                Ok(pair.verifier(&cfg.issuer, audience))
            }
        }
    }

    /// Validates signature, algorithm, issuer, audience, expiry and not-before.
    pub fn verify(&self, token: &str) -> Result<Claims, AppError> {
        jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| {
                tracing::debug!(error = %e, "Rejected internal token");
                AppError::unauthenticated("invalid or expired token")
            })
    }
}

/// Signs internal tokens (the gateway; tests; development tools).
#[derive(Clone)]
pub struct JwtSigner {
    key: EncodingKey,
    issuer: String,
}

/// What to put in a token.
#[derive(Clone, Debug, Default)]
pub struct TokenRequest {
    /// `sub`.
    pub subject: String,
    /// `tid`.
    pub tenant_id: Uuid,
    /// `eid`.
    pub employee_id: Option<Uuid>,
    /// `roles`.
    pub roles: Vec<Role>,
    /// `scopes`.
    pub scopes: Vec<String>,
    /// `aud`.
    pub audience: String,
    /// Lifetime in seconds.
    pub ttl_seconds: i64,
}

impl JwtSigner {
    /// Signs a token with `iat`/`nbf` now and `exp` now + ttl.
    pub fn sign(&self, req: &TokenRequest) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: req.subject.clone(),
            tid: req.tenant_id,
            eid: req.employee_id,
            roles: req.roles.clone(),
            scopes: req.scopes.clone(),
            aud: req.audience.clone(),
            iss: self.issuer.clone(),
            exp: now + req.ttl_seconds,
            nbf: now,
            iat: now,
            rid: None,
        };
        self.sign_claims(&claims)
    }

    /// The `iss` this signer writes.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Signs arbitrary claims (tests use this to forge expired or misaddressed tokens).
    pub fn sign_claims(&self, claims: &Claims) -> anyhow::Result<String> {
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), claims, &self.key)?)
    }
}

/// The principal of the current request, or UNAUTHENTICATED.
pub fn principal<'a>(ctx: &Context<'a>) -> Result<&'a Principal, AppError> {
    ctx.data_opt::<Principal>()
        .ok_or_else(|| AppError::unauthenticated("authentication required"))
}

/// Guard: the principal holds one of the roles.
pub struct RoleGuard(pub &'static [Role]);

impl Guard for RoleGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        principal(ctx)?.require_any_role(self.0)?;
        Ok(())
    }
}

/// Guard: the principal's token carries the scope (or `*`).
pub struct ScopeGuard(pub &'static str);

impl Guard for ScopeGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let p = principal(ctx)?;
        if p.has_scope(self.0) {
            Ok(())
        } else {
            Err(AppError::new(ErrorCode::Forbidden, format!("token lacks the scope {}", self.0)).into())
        }
    }
}

/// Guard: the principal is the given employee, or holds one of the roles. Used for personal
/// fields such as salary.
pub struct SelfOrRoleGuard {
    /// The employee the field belongs to.
    pub employee_id: Uuid,
    /// Roles that may see anyone's.
    pub roles: &'static [Role],
}

impl Guard for SelfOrRoleGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let p = principal(ctx)?;
        if p.is_employee(self.employee_id) || p.has_any_role(self.roles) {
            Ok(())
        } else {
            Err(AppError::forbidden("this field is visible only to HR and the employee").into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(aud: &str, ttl: i64) -> TokenRequest {
        TokenRequest {
            subject: Uuid::new_v4().to_string(),
            tenant_id: Uuid::new_v4(),
            roles: vec![Role::Artist],
            scopes: vec!["*".into()],
            audience: aud.into(),
            ttl_seconds: ttl,
            ..Default::default()
        }
    }

    #[test]
    fn round_trip_and_pem() {
        let pair = KeyPair::generate();
        let token = pair.signer(DEFAULT_ISSUER).sign(&request("hr", 60)).expect("sign");
        let verifier = JwtVerifier::from_public_pem(&pair.public_pem(), DEFAULT_ISSUER, "hr").expect("pem");
        let claims = verifier.verify(&token).expect("valid");
        assert_eq!(claims.roles, vec![Role::Artist]);
        let reparsed = KeyPair::from_private_pem(&pair.private_pem()).expect("private pem");
        assert_eq!(reparsed.public, pair.public);
    }

    #[test]
    fn rejects_wrong_audience_expired_foreign_key_and_none_alg() {
        let pair = KeyPair::generate();
        let signer = pair.signer(DEFAULT_ISSUER);
        let verifier = pair.verifier(DEFAULT_ISSUER, "hr");
        assert!(verifier.verify(&signer.sign(&request("render", 60)).expect("sign")).is_err());
        assert!(verifier.verify(&signer.sign(&request("hr", -120)).expect("sign")).is_err());
        let other = KeyPair::generate().signer(DEFAULT_ISSUER);
        assert!(verifier.verify(&other.sign(&request("hr", 60)).expect("sign")).is_err());
        let wrong_iss = pair.signer("someone-else").sign(&request("hr", 60)).expect("sign");
        assert!(verifier.verify(&wrong_iss).is_err());
        // An unsigned token ("alg":"none") must never pass.
        let good = signer.sign(&request("hr", 60)).expect("sign");
        let payload = good.split('.').nth(1).expect("payload");
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert!(verifier.verify(&none).is_err());
    }

    #[test]
    fn not_yet_valid_is_rejected() {
        let pair = KeyPair::generate();
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: Uuid::new_v4().to_string(),
            tid: Uuid::new_v4(),
            eid: None,
            roles: vec![],
            scopes: vec![],
            aud: "hr".into(),
            iss: DEFAULT_ISSUER.into(),
            exp: now + 600,
            nbf: now + 300,
            iat: now,
            rid: None,
        };
        let token = pair.signer(DEFAULT_ISSUER).sign_claims(&claims).expect("sign");
        assert!(pair.verifier(DEFAULT_ISSUER, "hr").verify(&token).is_err());
    }
}

/// Who a credential belongs to: what HR's gateway-only routes answer and the gateway reads.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedIdentity {
    /// User.
    pub user_id: Uuid,
    /// Tenant.
    pub tenant_id: Uuid,
    /// Employee record.
    pub employee_id: Option<Uuid>,
    /// Login email.
    pub email: String,
    /// Roles (wire form, e.g. `HR_MANAGER`).
    pub roles: Vec<String>,
    /// `*` for passwords, the token's scopes for API tokens.
    pub scopes: Vec<String>,
    /// The API token used, if any.
    pub token_id: Option<Uuid>,
}

impl ResolvedIdentity {
    /// The roles this gateway knows (unknown ones are dropped with a warning).
    pub fn known_roles(&self) -> Vec<Role> {
        self.roles
            .iter()
            .filter_map(|r| {
                let role = Role::parse(r);
                if role.is_none() {
                    tracing::warn!(role = %r, "HR answered a role the gateway does not know; ignored");
                }
                role
            })
            .collect()
    }

    /// The principal of a new request by this identity.
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.user_id,
            tenant_id: self.tenant_id,
            employee_id: self.employee_id,
            roles: self.known_roles(),
            scopes: self.scopes.clone(),
            request_id: Uuid::new_v4().to_string(),
        }
    }
}
