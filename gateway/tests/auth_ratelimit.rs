//! Rate limits (per principal, per tenant), login limits (per account, per IP) and what happens
//! when Redis is down.
#![allow(missing_docs, clippy::unwrap_used)]

mod common_auth;

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::IntoResponse;
use common_auth::{AuthApp, Options, PASSWORD, RedisKeys, random_prefix};
use gateway::ratelimit::{Limit, LoginLimits, RateLimitSettings, RateLimiter};
use platform::auth::Role;
use platform::{ErrorCode, Principal};
use serde_json::json;
use uuid::Uuid;

async fn limiter() -> (RateLimiter, RedisKeys) {
    let prefix = random_prefix();
    let conn = gateway::auth::connect_redis(&common_auth::redis_url()).await.unwrap();
    (RateLimiter::new(conn, prefix.clone()), RedisKeys(prefix))
}

fn principal(tenant: Uuid) -> Principal {
    Principal {
        user_id: Uuid::new_v4(),
        tenant_id: tenant,
        employee_id: None,
        roles: vec![Role::Artist],
        scopes: vec!["*".into()],
        request_id: "r".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_limit_is_429_rate_limited_with_retry_after() {
    let (limiter, _keys) = limiter().await;
    let window = Duration::from_secs(60);
    for _ in 0..3 {
        limiter.check("client-a", 3, window).await.unwrap();
    }
    let refusal = limiter.check("client-a", 3, window).await.unwrap_err();
    assert_eq!(refusal.error.code(), ErrorCode::RateLimited);
    let response = refusal.into_response();
    assert_eq!(response.status().as_u16(), 429);
    // 3 per minute refills one every 20 s: that is how long to wait.
    let retry_after: u64 = response.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    let body = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(common_auth::code(&body), "RATE_LIMITED");

    // Keys are independent; refused requests consume nothing, and the bucket refills.
    limiter.check("client-b", 3, window).await.unwrap();
    let fast = Duration::from_millis(600);
    limiter.check("client-c", 2, fast).await.unwrap();
    limiter.check("client-c", 2, fast).await.unwrap();
    for _ in 0..5 {
        assert!(limiter.check("client-c", 2, fast).await.is_err());
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    limiter.check("client-c", 2, fast).await.unwrap();
    // A limit of 0 is off.
    for _ in 0..10 {
        limiter.check("client-d", 0, window).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_limited_per_principal_and_per_tenant() {
    let (limiter, _keys) = limiter().await;
    let limiter = limiter.with_settings(RateLimitSettings {
        per_principal: Limit::new(2, Duration::from_secs(60)),
        per_tenant: Limit::new(3, Duration::from_secs(60)),
    });
    let tenant = Uuid::new_v4();
    let (alice, bob) = (principal(tenant), principal(tenant));
    limiter.check_request(&alice).await.unwrap();
    limiter.check_request(&alice).await.unwrap();
    let own = limiter.check_request(&alice).await.unwrap_err();
    assert_eq!(own.error.code(), ErrorCode::RateLimited);
    assert!(own.error.message().contains("user"), "{}", own.error.message());
    // Bob has his own bucket, but the tenant's third request is the last.
    limiter.check_request(&bob).await.unwrap();
    let tenant_full = limiter.check_request(&bob).await.unwrap_err();
    assert!(tenant_full.error.message().contains("tenant"), "{}", tenant_full.error.message());
    assert!(tenant_full.headers.iter().any(|(n, _)| n == header::RETRY_AFTER));
    // Bob's refused request was not charged to Bob: another tenant's user is unaffected anyway.
    limiter.check_request(&principal(Uuid::new_v4())).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_limit_per_account_blocks_the_next_attempt_without_asking_hr() {
    let app = AuthApp::start_with(Options {
        configure: Box::new(|s| {
            s.login_limits = LoginLimits {
                per_account: Limit::new(3, Duration::from_secs(900)),
                per_ip: Limit::new(100, Duration::from_secs(900)),
            }
        }),
        ..Options::default()
    })
    .await;
    for _ in 0..3 {
        assert_eq!(app.login_attempt("artist@northwind.test", "guess").await.status, 401);
    }
    assert_eq!(app.hr_calls(), 3);
    // The fourth attempt is refused even with the right password, and HR never hears of it —
    // through either endpoint, whatever the email's case.
    let blocked = app.login_attempt("artist@northwind.test", PASSWORD).await;
    assert_eq!((blocked.status, blocked.code().as_str()), (429, "RATE_LIMITED"), "{}", blocked.text);
    let retry_after: u64 = blocked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=300).contains(&retry_after), "{retry_after}");
    assert!(blocked.set_cookies().is_empty());
    let token = app.token(json!({"email": " Artist@Northwind.TEST ", "password": PASSWORD})).await;
    assert_eq!(token.status, 429);
    assert_eq!(app.hr_calls(), 3);
    // Other accounts are unaffected.
    assert_eq!(app.login_attempt("sup@northwind.test", PASSWORD).await.status, 200);
    assert_eq!(app.hr_calls(), 4);
    // Keys name no email.
    assert!(common_auth::keys_under(&app.prefix).iter().all(|k| !k.contains("artist")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_limit_per_ip_spans_accounts() {
    let app = AuthApp::start_with(Options {
        configure: Box::new(|s| {
            s.login_limits = LoginLimits {
                per_account: Limit::new(100, Duration::from_secs(900)),
                per_ip: Limit::new(2, Duration::from_secs(900)),
            }
        }),
        ..Options::default()
    })
    .await;
    assert_eq!(app.login_attempt("artist@northwind.test", "guess").await.status, 401);
    assert_eq!(app.login_attempt("sup@northwind.test", "guess").await.status, 401);
    let blocked = app.login_attempt("hr@northwind.test", PASSWORD).await;
    assert_eq!((blocked.status, blocked.code().as_str()), (429, "RATE_LIMITED"));
    assert_eq!(app.hr_calls(), 2);
    // Bearer requests are not login attempts.
    let (secret, _) = app.create_api_token("artist@northwind.test", &["hr:read"]).await;
    assert_eq!(app.probe_bearer("GET", &secret).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_fails_open_for_limits_and_closed_for_credentials() {
    let app = AuthApp::start_with(Options {
        cuttable_redis: true,
        ..Options::default()
    })
    .await;
    let browser = app.login("artist@northwind.test").await;
    let (secret, _) = app.create_api_token("artist@northwind.test", &["hr:read"]).await;
    let cut = app.redis_cut.as_ref().unwrap();
    let conn = gateway::auth::connect_redis(&format!("redis://{}", cut.addr)).await.unwrap();
    let limiter = RateLimiter::new(conn, app.prefix.clone());
    limiter.check("k", 1, Duration::from_secs(60)).await.unwrap();
    assert!(limiter.check("k", 1, Duration::from_secs(60)).await.is_err());

    cut.cut();
    // Rate limits let requests through.
    limiter.check("k", 1, Duration::from_secs(60)).await.unwrap();
    // Sessions and API tokens cannot be checked: 503, not a pass and not a 401.
    let session = app.send("GET", "/probe", &[("cookie", &browser.cookie)], "").await;
    assert_eq!(
        (session.status, session.code().as_str()),
        (503, "SUBGRAPH_UNAVAILABLE"),
        "{}",
        session.text
    );
    let api = app.probe_bearer("GET", &secret).await;
    assert_eq!((api.status, api.code().as_str()), (503, "SUBGRAPH_UNAVAILABLE"));
    // A login passes the (open) limits and HR, but cannot store its session.
    let login = app.login_attempt("sup@northwind.test", PASSWORD).await;
    assert_eq!((login.status, login.code().as_str()), (503, "SUBGRAPH_UNAVAILABLE"));
    assert!(login.set_cookies().is_empty());
    // Access tokens need no Redis to be verified.
    let token = app.token(json!({"email": "sup@northwind.test", "password": PASSWORD})).await;
    assert_eq!(token.status, 200, "{}", token.text);
    let mut headers = HeaderMap::new();
    let value = format!("Bearer {}", token.json()["accessToken"].as_str().unwrap());
    headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&value).unwrap());
    assert!(app.svc.authenticate(&headers, &Method::POST, None).await.unwrap().is_some());
}
