//! The gateway-only routes (password check, API token resolution), API token lifecycle, and the
//! viewer.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{TestApp, code, employee_id};
use platform::auth::INTERNAL_AUTH_SCOPE;
use serde_json::{Value, json};

async fn internal(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("content-type", "application/json")];
    if let Some(a) = &auth {
        headers.push(("authorization", a));
    }
    let (status, text) = app.raw("POST", path, &headers, serde_json::to_vec(&body).unwrap()).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_check_is_for_the_gateway_only() {
    let app = common::spawn().await;
    let service = app.service_token(&[INTERNAL_AUTH_SCOPE]);
    let creds = json!({"email": "Artist@Northwind.test", "password": hr::seed::DEMO_PASSWORD});
    let (status, who) = internal(&app, "/internal/auth/password", Some(&service), creds.clone()).await;
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["roles"], json!(["ARTIST"]));
    assert_eq!(who["employeeId"], json!(employee_id("northwind", "artist")));
    assert_eq!(who["tenantId"], json!(common::tenant_id("northwind")));
    // Wrong password, unknown user: 401, same answer.
    let (status, _) = internal(
        &app,
        "/internal/auth/password",
        Some(&service),
        json!({"email": "artist@northwind.test", "password": "nope"}),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = internal(
        &app,
        "/internal/auth/password",
        Some(&service),
        json!({"email": "ghost@northwind.test", "password": "x"}),
    )
    .await;
    assert_eq!(status, 401);
    // Without a service token, or with a user's token: refused.
    assert_eq!(internal(&app, "/internal/auth/password", None, creds.clone()).await.0, 401);
    let user_token = app.token("admin@northwind.test");
    assert_eq!(
        internal(&app, "/internal/auth/password", Some(&user_token), creds.clone()).await.0,
        403
    );
    // Not reachable through GraphQL at all.
    let sdl = hr::sdl();
    assert!(!sdl.contains("password") && !sdl.contains("tokenSha"));
    // An offboarded employee can no longer sign in.
    let hr = app.token("hr@northwind.test");
    app.ok(
        &hr,
        "mutation($id: ID!) { offboardEmployee(id: $id, effectiveDate: \"2026-11-30\", reason: \"left\") { status } }",
        json!({"id": employee_id("northwind", "artist")}),
    )
    .await;
    assert_eq!(internal(&app, "/internal/auth/password", Some(&service), creds).await.0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_are_shown_once_resolve_and_revoke() {
    let app = common::spawn().await;
    let artist = app.token("artist@northwind.test");
    let service = app.service_token(&[INTERNAL_AUTH_SCOPE]);
    let create = "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id name scopes expiresAt } } }";
    let input = json!({"name": "maya shelf", "scopes": ["production:write", "hr:read"], "idempotencyKey": "tok-1"});
    let created = app.ok(&artist, create, json!({"i": input})).await["createApiToken"].clone();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("sgp_") && token.len() > 40);
    // A replay returns the same token's metadata, never the secret again.
    let replay = app.ok(&artist, create, json!({"i": input})).await["createApiToken"].clone();
    assert_eq!(replay["apiToken"]["id"], created["apiToken"]["id"]);
    assert_eq!(replay["token"], json!(null));
    // Only the SHA-256 is stored.
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct H {
        #[diesel(sql_type = diesel::sql_types::Bytea)]
        token_sha256: Vec<u8>,
    }
    let mut owner = app.database.owner_connection().await.unwrap();
    let stored: Vec<H> = diesel::sql_query("SELECT token_sha256 FROM api_tokens")
        .load(&mut owner)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].token_sha256, hr::access::token_digest(&token));

    let (status, who) = internal(&app, "/internal/auth/api-token", Some(&service), json!({"token": token})).await;
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["scopes"], json!(["production:write", "hr:read"]));
    let listed = app.ok(&artist, "{ apiTokens { id lastUsedAt revokedAt } }", json!({})).await;
    assert!(listed["apiTokens"][0]["lastUsedAt"].is_string());

    // Unknown scopes and past expiry are refused; scoped tokens cannot mint tokens.
    assert_eq!(
        code(&app.gql(&artist, create, json!({"i": {"name": "x", "scopes": ["root"]}})).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(
            &app.gql(
                &artist,
                create,
                json!({"i": {"name": "x", "scopes": ["hr:read"], "expiresAt": "2001-01-01T00:00:00Z"}})
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    let scoped = app.token_with_scopes("artist@northwind.test", &["hr:read"]);
    assert_eq!(
        code(&app.gql(&scoped, create, json!({"i": {"name": "x", "scopes": ["hr:read"]}})).await),
        "FORBIDDEN"
    );
    // Someone else cannot revoke it; the owner can, and then it stops resolving.
    let id = created["apiToken"]["id"].clone();
    let other = app.token("sup@northwind.test");
    assert_eq!(
        code(
            &app.gql(&other, "mutation($id: ID!) { revokeApiToken(id: $id) { id } }", json!({"id": id}))
                .await
        ),
        "NOT_FOUND"
    );
    let revoked = app
        .ok(
            &artist,
            "mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }",
            json!({"id": id}),
        )
        .await;
    assert!(revoked["revokeApiToken"]["revokedAt"].is_string());
    assert_eq!(
        internal(&app, "/internal/auth/api-token", Some(&service), json!({"token": token}))
            .await
            .0,
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer() {
    let app = common::spawn().await;
    let me = app
        .ok(
            &app.token("lead@vendorx.test"),
            "{ me { user { email roles } employee { displayName } tenant { slug name kind } } }",
            json!({}),
        )
        .await;
    assert_eq!(me["me"]["user"], json!({"email": "lead@vendorx.test", "roles": ["VENDOR"]}));
    assert_eq!(me["me"]["employee"]["displayName"], "Lee Vance");
    assert_eq!(me["me"]["tenant"]["kind"], "VENDOR");
}
