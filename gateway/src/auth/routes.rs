//! `POST /auth/login`, `POST /auth/logout`, `GET /auth/session`, `POST /auth/token`.
//!
//! Bodies must be `application/json` (else `415`) and at most 16 KiB; malformed JSON is
//! `400 BAD_USER_INPUT` (without echoing the body: it may hold a password). Every answer carries
//! `Cache-Control: no-store`. The client IP for login limits comes from axum's
//! `ConnectInfo<SocketAddr>` (serve with `into_make_service_with_connect_info`) or, when
//! configured, `X-Forwarded-For`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::SecondsFormat;
use platform::ErrorCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::session::{self, Session};
use super::{AuthService, ResolvedIdentity};
use crate::error::Refusal;

/// Largest `/auth/*` body.
const BODY_LIMIT: usize = 16 * 1024;

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenBody {
    email: Option<String>,
    password: Option<String>,
    api_token: Option<String>,
}

impl AuthService {
    /// The `/auth/*` routes.
    pub fn routes(self: Arc<Self>) -> Router {
        Router::new()
            .route("/auth/login", post(login))
            .route("/auth/logout", post(logout))
            .route("/auth/session", get(current_session))
            .route("/auth/token", post(token))
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
            .layer(axum::middleware::map_response(no_store))
            .with_state(self)
    }
}

async fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn peer(extensions: &Extensions) -> Option<std::net::IpAddr> {
    extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

/// Checks the content type and parses the body.
fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, Refusal> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(Refusal::bad_request("the body must be application/json").with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }
    serde_json::from_slice(body).map_err(|_| Refusal::bad_request("malformed JSON body"))
}

fn session_body(session: &Session) -> serde_json::Value {
    json!({ "user": session.user, "csrfToken": session.csrf_token })
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

fn refusal_clearing_cookie(svc: &AuthService, refusal: Refusal) -> Response {
    let cookie = session::clear_cookie(&svc.settings.cookie_name, svc.settings.cookie_secure);
    with_cookie(refusal.into_response(), &cookie)
}

async fn login(State(svc): State<Arc<AuthService>>, headers: HeaderMap, extensions: Extensions, body: Bytes) -> Result<Response, Refusal> {
    let body: LoginBody = json_body(&headers, &body)?;
    let client_ip = svc.client_ip(&headers, peer(&extensions));
    let identity = svc.password_login(&body.email, &body.password, client_ip).await?;
    let previous = session::cookie_value(&headers, &svc.settings.cookie_name);
    let (id, session) = svc.create_session(&identity, previous).await?;
    tracing::info!(user.id = %identity.user_id, tenant.id = %identity.tenant_id, "Session opened");
    let cookie = session::set_cookie(
        &svc.settings.cookie_name,
        &id,
        svc.settings.session_ttl.as_secs(),
        svc.settings.cookie_secure,
    );
    Ok(with_cookie(Json(session_body(&session)).into_response(), &cookie))
}

async fn logout(State(svc): State<Arc<AuthService>>, headers: HeaderMap) -> Response {
    let unauthenticated = || Refusal::unauthenticated("no valid session");
    let Some(id) = session::cookie_value(&headers, &svc.settings.cookie_name) else {
        return refusal_clearing_cookie(&svc, unauthenticated());
    };
    let session = match svc.load_session(id).await {
        Ok(Some(s)) => s,
        Ok(None) => return refusal_clearing_cookie(&svc, unauthenticated()),
        Err(refusal) => return refusal.into_response(),
    };
    if !session.csrf_matches(headers.get(super::CSRF_HEADER)) {
        return Refusal::new(ErrorCode::Forbidden, "missing or invalid CSRF token").into_response();
    }
    if let Err(refusal) = svc.delete_session(id).await {
        return refusal.into_response();
    }
    tracing::info!(user.id = %session.user.id, "Session closed");
    let cookie = session::clear_cookie(&svc.settings.cookie_name, svc.settings.cookie_secure);
    with_cookie(StatusCode::NO_CONTENT.into_response(), &cookie)
}

async fn current_session(State(svc): State<Arc<AuthService>>, headers: HeaderMap) -> Response {
    let Some(id) = session::cookie_value(&headers, &svc.settings.cookie_name) else {
        return Refusal::unauthenticated("no session").into_response();
    };
    match svc.load_session(id).await {
        Ok(Some(session)) => Json(session_body(&session)).into_response(),
        Ok(None) => refusal_clearing_cookie(&svc, Refusal::unauthenticated("invalid or expired credentials")),
        Err(refusal) => refusal.into_response(),
    }
}

async fn token(State(svc): State<Arc<AuthService>>, headers: HeaderMap, extensions: Extensions, body: Bytes) -> Result<Response, Refusal> {
    let body: TokenBody = json_body(&headers, &body)?;
    let client_ip = svc.client_ip(&headers, peer(&extensions));
    let identity: ResolvedIdentity = match (body.email, body.password, body.api_token) {
        (Some(email), Some(password), None) => svc.password_login(&email, &password, client_ip).await?,
        (None, None, Some(api_token)) => svc.resolve_api_token(api_token.trim(), client_ip).await?,
        _ => return Err(Refusal::bad_request("send either {\"email\",\"password\"} or {\"apiToken\"}")),
    };
    let (access_token, expires_at) = svc.access_token(&identity)?;
    Ok(Json(json!({
        "accessToken": access_token,
        "tokenType": "Bearer",
        "expiresAt": expires_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "expiresIn": svc.settings.access_token_ttl.as_secs(),
    }))
    .into_response())
}
