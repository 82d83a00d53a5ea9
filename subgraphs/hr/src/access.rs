//! The viewer (`me`), tenants, and API tokens: random, shown once, stored as SHA-256, scoped,
//! expiring and revocable.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::auth::{Role, principal};
use platform::idempotency::Idempotent;
use platform::scalars::{parse_id, to_id};
use platform::{AppError, Db, ScopedFutureExt, journal};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::employees::Employee;
use crate::loaders::Loaders;
use crate::schema::{api_tokens, tenants, users};

/// The scopes an API token may carry.
pub const KNOWN_SCOPES: &[&str] = &[
    "hr:read",
    "hr:write",
    "production:read",
    "production:write",
    "render:read",
    "render:submit",
    "render:agent",
    "render:admin",
    "events:read",
];

/// Prefix of API tokens, so leaked ones are recognisable.
pub const TOKEN_PREFIX: &str = "sgp_";

/// STUDIO or VENDOR.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum TenantKind {
    /// An animation or VFX studio.
    Studio,
    /// A vendor working for studios.
    Vendor,
}

/// A studio or vendor.
#[derive(SimpleObject, Clone, Debug)]
pub struct Tenant {
    /// Id.
    pub id: ID,
    /// URL-safe short name.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// STUDIO or VENDOR.
    pub kind: TenantKind,
}

/// A login account.
#[derive(SimpleObject, Clone, Debug)]
pub struct User {
    /// Id.
    pub id: ID,
    /// Login email.
    pub email: String,
    /// Roles in the tenant.
    pub roles: Vec<Role>,
}

/// Who is asking.
pub struct Viewer {
    user: User,
    employee_id: Option<Uuid>,
    tenant: Tenant,
}

#[Object]
impl Viewer {
    async fn user(&self) -> &User {
        &self.user
    }
    async fn employee(&self, ctx: &Context<'_>) -> Result<Option<Employee>, AppError> {
        let Some(id) = self.employee_id else { return Ok(None) };
        Ok(Loaders::of(ctx)?.employees.load_one(id).await?.map(Employee))
    }
    async fn tenant(&self) -> &Tenant {
        &self.tenant
    }
}

/// An `api_tokens` row.
#[allow(missing_docs)] // columns mirror the table
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = api_tokens, check_for_backend(diesel::pg::Pg))]
pub struct ApiTokenRow {
    pub id: Uuid,
    pub name: String,
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// An API token's metadata (never the token itself).
#[derive(SimpleObject, Clone, Debug)]
pub struct ApiToken {
    /// Id.
    pub id: ID,
    /// Name given by its owner.
    pub name: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Expiry, if any.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last use through the gateway.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl From<ApiTokenRow> for ApiToken {
    fn from(r: ApiTokenRow) -> Self {
        Self {
            id: to_id(r.id),
            name: r.name,
            scopes: r.scopes,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
            created_at: r.created_at,
        }
    }
}

/// Input of `createApiToken`.
#[derive(InputObject, Serialize)]
pub struct CreateApiTokenInput {
    /// A name to recognise it by.
    pub name: String,
    /// Scopes, from the known list.
    pub scopes: Vec<String>,
    /// Optional expiry (must be in the future).
    pub expires_at: Option<DateTime<Utc>>,
    /// A replay within 24 h returns the same token's metadata with `token: null` (it is shown once).
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// Result of `createApiToken`.
#[derive(SimpleObject)]
pub struct CreateApiTokenPayload {
    /// The secret, shown this once; null on an idempotent replay.
    pub token: Option<String>,
    /// Its metadata.
    pub api_token: ApiToken,
}

/// SHA-256 of a presented token, as stored.
pub fn token_digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Viewer and token queries.
#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    /// The authenticated viewer.
    async fn me(&self, ctx: &Context<'_>) -> Result<Viewer, AppError> {
        let p = principal(ctx)?.clone();
        let (tenant, email) = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let t: (Uuid, String, String, String) = tenants::table
                        .find(p.tenant_id)
                        .select((tenants::id, tenants::slug, tenants::name, tenants::kind))
                        .first(c)
                        .await?;
                    let email: String = users::table
                        .find(p.user_id)
                        .select(users::email)
                        .first(c)
                        .await
                        .optional()?
                        .ok_or_else(|| AppError::unauthenticated("unknown user"))?;
                    Ok((t, email))
                }
                .scope_boxed()
            })
            .await?;
        Ok(Viewer {
            user: User {
                id: to_id(p.user_id),
                email,
                roles: p.roles.clone(),
            },
            employee_id: p.employee_id,
            tenant: Tenant {
                id: to_id(tenant.0),
                slug: tenant.1,
                name: tenant.2,
                kind: if tenant.3 == "VENDOR" {
                    TenantKind::Vendor
                } else {
                    TenantKind::Studio
                },
            },
        })
    }

    /// The viewer's own API tokens, newest first.
    async fn api_tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>, AppError> {
        let p = principal(ctx)?.clone();
        let rows: Vec<ApiTokenRow> = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    Ok(api_tokens::table
                        .filter(api_tokens::user_id.eq(p.user_id))
                        .order(api_tokens::created_at.desc())
                        .select(ApiTokenRow::as_select())
                        .load(c)
                        .await?)
                }
                .scope_boxed()
            })
            .await?;
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }
}

/// Token mutations.
#[derive(Default)]
pub struct AccessMutation;

#[Object]
impl AccessMutation {
    /// Creates an API token for the viewer; the secret is returned once.
    async fn create_api_token(&self, ctx: &Context<'_>, input: CreateApiTokenInput) -> Result<CreateApiTokenPayload, AppError> {
        let p = principal(ctx)?.clone();
        if !p.has_scope("*") {
            return Err(AppError::forbidden("API tokens can only be created from an interactive session"));
        }
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.len() > 100 {
            return Err(AppError::bad_input("name must be 1 to 100 characters"));
        }
        if input.scopes.is_empty() {
            return Err(AppError::bad_input("at least one scope is required"));
        }
        if let Some(bad) = input.scopes.iter().find(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
            return Err(AppError::bad_input(format!("unknown scope {bad:?}")).with_details(json!({"knownScopes": KNOWN_SCOPES})));
        }
        if input.expires_at.is_some_and(|e| e <= Utc::now()) {
            return Err(AppError::bad_input("expiresAt must be in the future"));
        }
        let secret: [u8; 32] = rand::random();
        let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(secret));
        let digest = token_digest(&token);
        let (row, fresh) = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let (idem, replayed) =
                        Idempotent::begin(c, p.tenant_id, "createApiToken", input.idempotency_key.as_deref(), &input).await?;
                    if let Some(id) = replayed {
                        return Ok((api_tokens::table.find(id).select(ApiTokenRow::as_select()).first(c).await?, false));
                    }
                    let row: ApiTokenRow = diesel::insert_into(api_tokens::table)
                        .values((
                            api_tokens::id.eq(Uuid::new_v4()),
                            api_tokens::tenant_id.eq(p.tenant_id),
                            api_tokens::user_id.eq(p.user_id),
                            api_tokens::name.eq(&name),
                            api_tokens::token_sha256.eq(&digest),
                            api_tokens::scopes.eq(&input.scopes),
                            api_tokens::expires_at.eq(input.expires_at),
                        ))
                        .returning(ApiTokenRow::as_returning())
                        .get_result(c)
                        .await?;
                    journal::audit(c, &p, "api_token.created", "api_token", Some(row.id), None, Some(json!(row))).await?;
                    idem.finish(c, row.id).await?;
                    Ok((row, true))
                }
                .scope_boxed()
            })
            .await?;
        Ok(CreateApiTokenPayload {
            token: fresh.then_some(token),
            api_token: row.into(),
        })
    }

    /// Revokes one of the viewer's tokens (ADMIN: any token of the tenant).
    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> Result<ApiToken, AppError> {
        let p = principal(ctx)?.clone();
        let id = parse_id(&id)?;
        let row = ctx
            .data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    let owner: Uuid = api_tokens::table
                        .find(id)
                        .select(api_tokens::user_id)
                        .first(c)
                        .await
                        .optional()?
                        .ok_or_else(|| AppError::not_found("API token"))?;
                    if owner != p.user_id && !p.has_any_role(&[Role::Admin]) {
                        return Err(AppError::not_found("API token"));
                    }
                    let row: ApiTokenRow = diesel::update(api_tokens::table.find(id))
                        .set(api_tokens::revoked_at.eq(Some(Utc::now())))
                        .returning(ApiTokenRow::as_returning())
                        .get_result(c)
                        .await?;
                    journal::audit(c, &p, "api_token.revoked", "api_token", Some(id), None, Some(json!(row))).await?;
                    Ok(row)
                }
                .scope_boxed()
            })
            .await?;
        Ok(row.into())
    }
}
