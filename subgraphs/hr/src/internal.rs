//! Gateway-only routes: verify a password, resolve an API token. They are not part of the
//! GraphQL schema and accept only a service token with the `internal:auth` scope.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use diesel::sql_types::{Bytea, Text};
use diesel_async::RunQueryDsl;
use platform::auth::INTERNAL_AUTH_SCOPE;
use platform::hardening::bearer;
use platform::{AppError, ScopedFutureExt};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;

/// Routes under `/internal/auth`.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/internal/auth/password", post(password))
        .route("/internal/auth/api-token", post(api_token))
        .with_state(state)
}

pub use platform::auth::ResolvedIdentity;

#[derive(Deserialize)]
struct PasswordBody {
    email: String,
    password: String,
}

#[derive(Deserialize)]
struct TokenBody {
    token: String,
}

#[derive(diesel::QueryableByName)]
struct UserLookup {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    user_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    tenant_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    employee_id: Option<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    password_hash: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    roles: Vec<String>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    active: bool,
    #[diesel(sql_type = Text)]
    email: String,
}

#[derive(diesel::QueryableByName)]
struct TokenLookup {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    token_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    user_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    tenant_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    employee_id: Option<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    roles: Vec<String>,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    scopes: Vec<String>,
    #[diesel(sql_type = Text)]
    email: String,
}

fn error(status: StatusCode, e: AppError) -> Response {
    (status, Json(e.to_response_json())).into_response()
}

#[allow(clippy::result_large_err)] // an axum Response is the natural error of a handler step
fn check_service(state: &AppState, headers: &HeaderMap) -> Result<(), Response> {
    let token = bearer(headers).ok_or_else(|| error(StatusCode::UNAUTHORIZED, AppError::unauthenticated("missing service token")))?;
    let claims = state.verifier.verify(token).map_err(|e| error(StatusCode::UNAUTHORIZED, e))?;
    if !claims.scopes.iter().any(|s| s == INTERNAL_AUTH_SCOPE) {
        return Err(error(
            StatusCode::FORBIDDEN,
            AppError::forbidden("service token lacks internal:auth"),
        ));
    }
    Ok(())
}

fn invalid() -> Response {
    error(StatusCode::UNAUTHORIZED, AppError::unauthenticated("invalid credentials"))
}

async fn password(State(state): State<AppState>, headers: HeaderMap, Json(body): Json<PasswordBody>) -> Response {
    if let Err(r) = check_service(&state, &headers) {
        return r;
    }
    let email = body.email.trim().to_owned();
    let found = state
        .db
        .tx_without_tenant(|c| {
            async move {
                Ok(diesel::sql_query("SELECT * FROM auth_find_user($1)")
                    .bind::<Text, _>(email)
                    .load::<UserLookup>(c)
                    .await?)
            }
            .scope_boxed()
        })
        .await;
    let user = match found {
        Ok(mut rows) => rows.pop(),
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, e),
    };
    let hash = user.as_ref().filter(|u| u.active).and_then(|u| u.password_hash.clone());
    if !crate::password::verify(body.password, hash).await {
        return invalid();
    }
    let Some(u) = user else { return invalid() };
    Json(ResolvedIdentity {
        user_id: u.user_id,
        tenant_id: u.tenant_id,
        employee_id: u.employee_id,
        email: u.email,
        roles: u.roles,
        scopes: vec!["*".into()],
        token_id: None,
    })
    .into_response()
}

async fn api_token(State(state): State<AppState>, headers: HeaderMap, Json(body): Json<TokenBody>) -> Response {
    if let Err(r) = check_service(&state, &headers) {
        return r;
    }
    let digest = crate::access::token_digest(body.token.trim());
    let found = state
        .db
        .tx_without_tenant(|c| {
            async move {
                Ok(diesel::sql_query("SELECT * FROM auth_use_api_token($1)")
                    .bind::<Bytea, _>(digest)
                    .load::<TokenLookup>(c)
                    .await?)
            }
            .scope_boxed()
        })
        .await;
    match found {
        Ok(mut rows) => match rows.pop() {
            Some(t) => Json(ResolvedIdentity {
                user_id: t.user_id,
                tenant_id: t.tenant_id,
                employee_id: t.employee_id,
                email: t.email,
                roles: t.roles,
                scopes: t.scopes,
                token_id: Some(t.token_id),
            })
            .into_response(),
            None => invalid(),
        },
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, e),
    }
}
