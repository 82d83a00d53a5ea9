//! Bearer credentials for scripts: `/auth/token` (password or API token), API tokens as bearers
//! (cached, revocation), and the tokens the gateway mints for subgraphs.
#![allow(missing_docs, clippy::unwrap_used)]

mod common_auth;

use std::time::Duration;

use common_auth::{AuthApp, Options, PASSWORD, demo, jwt_parts};
use platform::Principal;
use platform::auth::{DEFAULT_ISSUER, INTERNAL_AUTH_SCOPE, Role};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_from_a_password_is_a_short_lived_bearer_jwt() {
    let app = AuthApp::start().await;
    let before = chrono::Utc::now();
    let answer = app.token(json!({"email": "wrangler@northwind.test", "password": PASSWORD})).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert!(answer.set_cookies().is_empty());
    let body = answer.json();
    assert_eq!(body["tokenType"], "Bearer");
    let expires_at = chrono::DateTime::parse_from_rfc3339(body["expiresAt"].as_str().unwrap()).unwrap();
    let lifetime = expires_at.signed_duration_since(before).num_seconds();
    assert!((895..=905).contains(&lifetime), "{lifetime}");

    let token = body["accessToken"].as_str().unwrap();
    let (header, claims) = jwt_parts(token);
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["kid"], app.svc.key_id());
    let (user_id, tenant_id, employee_id) = demo("wrangler@northwind.test");
    assert_eq!(claims["aud"], "studiograph");
    assert_eq!(claims["iss"], DEFAULT_ISSUER);
    assert_eq!(claims["sub"], json!(user_id));
    assert_eq!(claims["tid"], json!(tenant_id));
    assert_eq!(claims["eid"], json!(employee_id));
    assert_eq!(claims["roles"], json!(["RENDER_WRANGLER"]));
    assert_eq!(claims["scopes"], json!(["*"]));
    assert_eq!(claims["exp"].as_i64().unwrap(), expires_at.timestamp());

    // As a bearer it authenticates, and needs no CSRF header even on POST.
    let probe = app.probe_bearer("POST", token).await;
    assert_eq!(probe.status, 200, "{}", probe.text);
    assert_eq!(probe.json()["via"], "jwt");
    assert_eq!(probe.json()["userId"], json!(user_id));

    // Wrong password: the uniform refusal.
    let wrong = app.token(json!({"email": "wrangler@northwind.test", "password": "nope"})).await;
    assert_eq!((wrong.status, wrong.code().as_str()), (401, "UNAUTHENTICATED"));
    // Neither or both kinds of credentials: a bad request.
    for body in [
        json!({}),
        json!({"email": "wrangler@northwind.test"}),
        json!({"email": "wrangler@northwind.test", "password": PASSWORD, "apiToken": "sgp_x"}),
    ] {
        let answer = app.token(body).await;
        assert_eq!((answer.status, answer.code().as_str()), (400, "BAD_USER_INPUT"), "{}", answer.text);
    }
    let text = app.send("POST", "/auth/token", &[("content-type", "text/plain")], "{}").await;
    assert_eq!(text.status, 415);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_from_an_api_token_carries_its_scopes() {
    let app = AuthApp::start().await;
    let (secret, _) = app
        .create_api_token("artist@northwind.test", &["production:write", "hr:read"])
        .await;
    let answer = app.token(json!({ "apiToken": secret })).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let token = answer.json()["accessToken"].as_str().unwrap().to_owned();
    let (_, claims) = jwt_parts(&token);
    let (user_id, tenant_id, _) = demo("artist@northwind.test");
    assert_eq!(claims["sub"], json!(user_id));
    assert_eq!(claims["tid"], json!(tenant_id));
    assert_eq!(claims["roles"], json!(["ARTIST"]));
    let mut scopes: Vec<String> = serde_json::from_value(claims["scopes"].clone()).unwrap();
    scopes.sort();
    assert_eq!(scopes, ["hr:read", "production:write"]);
    let probe = app.probe_bearer("GET", &token).await.json();
    assert_eq!(probe["via"], "jwt");

    let bogus = app.token(json!({ "apiToken": "sgp_not-a-real-token-at-all" })).await;
    assert_eq!((bogus.status, bogus.code().as_str()), (401, "UNAUTHENTICATED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_as_bearers_are_cached_and_revocation_lands_within_the_cache_ttl() {
    let app = AuthApp::start_with(Options {
        configure: Box::new(|s| s.api_token_cache_ttl = Duration::from_secs(1)),
        ..Options::default()
    })
    .await;
    let (secret, id) = app.create_api_token("sup@northwind.test", &["production:write"]).await;

    let first = app.probe_bearer("POST", &secret).await;
    let cached_at = std::time::Instant::now();
    assert_eq!(first.status, 200, "{}", first.text);
    let first = first.json();
    assert_eq!(first["via"], "api-token");
    assert_eq!(first["userId"], json!(demo("sup@northwind.test").0));
    assert_eq!(first["roles"], json!(["SUPERVISOR"]));
    assert_eq!(first["scopes"], json!(["production:write"]));
    assert_eq!(app.hr_calls(), 1);
    // The cache: keyed by the token's SHA-256 (never the token), with the configured TTL.
    let keys = common_auth::keys_under(&app.prefix);
    let cached: Vec<&String> = keys.iter().filter(|k| k.starts_with("apitoken:")).collect();
    assert_eq!(cached.len(), 1, "{keys:?}");
    assert!(!cached[0].contains(&secret));
    assert!(common_auth::pttl(&format!("{}{}", app.prefix, cached[0])) <= 1000);
    // A second request within the TTL does not ask HR again.
    assert_eq!(app.probe_bearer("GET", &secret).await.status, 200);
    if cached_at.elapsed() < Duration::from_millis(800) {
        assert_eq!(app.hr_calls(), 1, "the cached identity is reused");
    }

    app.revoke_api_token("sup@northwind.test", &id).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let revoked = app.probe_bearer("GET", &secret).await;
    assert_eq!(
        (revoked.status, revoked.code().as_str()),
        (401, "UNAUTHENTICATED"),
        "{}",
        revoked.text
    );
    assert_eq!(revoked.json()["errors"][0]["message"], "invalid or expired credentials");
    assert!(common_auth::keys_under(&app.prefix).iter().all(|k| !k.starts_with("apitoken:")));
    // Exchanging it for an access token is refused too.
    assert_eq!(app.token(json!({ "apiToken": secret })).await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_api_tokens_are_refused_and_never_cached() {
    let app = AuthApp::start().await;
    for token in ["sgp_0000000000000000000000000000000000000000", "short", "a.b"] {
        let answer = app.probe_bearer("GET", token).await;
        assert_eq!((answer.status, answer.code().as_str()), (401, "UNAUTHENTICATED"), "{token}");
    }
    // Only the well-formed one reached HR.
    assert_eq!(app.hr_calls(), 1);
    assert!(common_auth::keys_under(&app.prefix).is_empty());
    let basic = app
        .send("GET", "/probe", &[("authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l")], "")
        .await;
    assert_eq!(basic.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minted_internal_tokens_are_what_subgraphs_accept() {
    let app = AuthApp::start().await;
    let (user_id, tenant_id, employee_id) = demo("artist@northwind.test");
    let principal = Principal {
        user_id,
        tenant_id,
        employee_id: Some(employee_id),
        roles: vec![Role::Artist],
        scopes: vec!["*".into()],
        request_id: "req-1".into(),
    };
    let token = app.svc.mint_internal(&principal, "hr", 60).unwrap();
    let (header, claims) = jwt_parts(&token);
    assert_eq!(header["kid"], app.svc.key_id());
    assert_eq!(claims["aud"], "hr");
    assert_eq!(claims["rid"], "req-1");
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 60);
    // HR (which trusts the gateway key) accepts it and sees the artist.
    let me = app.hr.ok(&token, "{ me { user { email roles } } }", json!({})).await;
    assert_eq!(me["me"]["user"]["email"], "artist@northwind.test");

    // Within one request the same token is reused; another request or subgraph gets its own.
    assert_eq!(app.svc.mint_internal(&principal, "hr", 60).unwrap(), token);
    let other_request = Principal {
        request_id: "req-2".into(),
        ..principal.clone()
    };
    let second = app.svc.mint_internal(&other_request, "hr", 60).unwrap();
    assert_ne!(second, token);
    assert_eq!(jwt_parts(&second).1["rid"], "req-2");
    assert_eq!(
        jwt_parts(&app.svc.mint_internal(&principal, "render", 60).unwrap()).1["aud"],
        "render"
    );
    let narrower = Principal {
        scopes: vec!["hr:read".into()],
        ..principal.clone()
    };
    assert_eq!(
        jwt_parts(&app.svc.mint_internal(&narrower, "hr", 60).unwrap()).1["scopes"],
        json!(["hr:read"])
    );

    // A service token reaches HR's internal routes; an internal user token does not.
    let service = app.svc.service_token("hr", &[INTERNAL_AUTH_SCOPE]).unwrap();
    let (_, service_claims) = jwt_parts(&service);
    assert_eq!(service_claims["sub"], "service:gateway");
    let body = json!({"email": "artist@northwind.test", "password": PASSWORD}).to_string();
    let ok = app
        .hr
        .raw(
            "POST",
            "/internal/auth/password",
            &[
                ("content-type", "application/json"),
                ("authorization", &format!("Bearer {service}")),
            ],
            body.clone(),
        )
        .await;
    assert_eq!(ok.0, 200, "{}", ok.1);
    let user_token = app
        .hr
        .raw(
            "POST",
            "/internal/auth/password",
            &[("content-type", "application/json"), ("authorization", &format!("Bearer {token}"))],
            body,
        )
        .await;
    assert_eq!(user_token.0, 403);
}
