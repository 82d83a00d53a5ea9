//! The BFF through `/graphql`: the SPA's cookie session with its CSRF header, scripts' bearer
//! access tokens and API tokens, forged tokens, and rate limits.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};

const ME: &str = "{ me { user { email } } }";

fn json_body(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn parse(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(bytes)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spa_session_runs_graphql_with_its_csrf_token() {
    let stack = Stack::start().await;
    let login = json!({"email": "artist@northwind.test", "password": "studiograph-dev"});
    let (status, headers, bytes) = stack
        .raw("POST", "/auth/login", &[("content-type", "application/json")], json_body(&login))
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let set_cookie = headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let csrf = parse(&bytes)["csrfToken"].as_str().unwrap().to_owned();

    let query = json_body(&json!({"query": ME}));
    let base = [
        ("content-type", "application/json"),
        ("accept", "application/graphql-response+json"),
        ("cookie", cookie.as_str()),
    ];
    let (status, _, bytes) = stack.raw("POST", "/graphql", &base, query.clone()).await;
    assert_eq!(status, 403, "no CSRF header: {}", String::from_utf8_lossy(&bytes));
    assert_eq!(code(&parse(&bytes)), "FORBIDDEN");
    let mut with_csrf = base.to_vec();
    with_csrf.push(("x-csrf-token", csrf.as_str()));
    let (status, _, bytes) = stack.raw("POST", "/graphql", &with_csrf, query.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(parse(&bytes)["data"]["me"]["user"]["email"], "artist@northwind.test");
    // A GET query needs no CSRF header.
    let (status, _, bytes) = stack
        .raw(
            "GET",
            "/graphql?query=%7Bme%7Buser%7Bemail%7D%7D%7D",
            &[("cookie", cookie.as_str())],
            vec![],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(parse(&bytes)["data"]["me"]["user"]["email"], "artist@northwind.test");

    let (status, _, _) = stack.raw("POST", "/auth/logout", &with_csrf, vec![]).await;
    assert_eq!(status, 204);
    let (status, _, bytes) = stack.raw("POST", "/graphql", &with_csrf, query).await;
    assert_eq!(status, 401, "the session is gone");
    assert_eq!(code(&parse(&bytes)), "UNAUTHENTICATED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripts_use_access_tokens_and_api_tokens() {
    let stack = Stack::start().await;
    let body = json!({"email": "wrangler@northwind.test", "password": "studiograph-dev"});
    let (status, _, bytes) = stack
        .raw("POST", "/auth/token", &[("content-type", "application/json")], json_body(&body))
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let access = parse(&bytes)["accessToken"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {access}");
    let headers = [("content-type", "application/json"), ("authorization", bearer.as_str())];
    let create = json!({"query": "mutation { createApiToken(input: {name: \"farm\", scopes: [\"render:agent\"]}) { token } }"});
    let (status, _, bytes) = stack.raw("POST", "/graphql", &headers, json_body(&create)).await;
    assert_eq!(status, 200);
    let api_token = parse(&bytes)["data"]["createApiToken"]["token"].as_str().unwrap().to_owned();

    let api_bearer = format!("Bearer {api_token}");
    let api_headers = [("content-type", "application/json"), ("authorization", api_bearer.as_str())];
    let (status, _, bytes) = stack.raw("POST", "/graphql", &api_headers, json_body(&json!({"query": ME}))).await;
    assert_eq!(status, 200);
    assert_eq!(
        parse(&bytes)["data"]["me"]["user"]["email"],
        "wrangler@northwind.test",
        "resolved through HR"
    );
    // The API token's scopes reach the subgraphs: an agent-scoped token cannot act as a wrangler.
    let submit =
        json!({"query": "mutation { submitRenderJob(input: {name: \"x\", frameStart: 1, frameEnd: 2, command: \"echo\"}) { id } }"});
    let (_, _, bytes) = stack.raw("POST", "/graphql", &api_headers, json_body(&submit)).await;
    let v = parse(&bytes);
    assert_eq!(v["errors"][0]["extensions"]["code"], "FORBIDDEN", "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_tokens_are_unauthenticated_at_graphql() {
    let stack = Stack::start().await;
    let u = platform::demo::user("admin@northwind.test").unwrap();
    let signer = stack.keys.signer(ISSUER);
    let claims = |aud: &str, iss: &str, exp_offset: i64, nbf_offset: i64| {
        let now = chrono::Utc::now().timestamp();
        platform::auth::Claims {
            sub: u.user_id().to_string(),
            tid: tenant_id(u.tenant),
            eid: Some(u.employee_id()),
            roles: u.roles.to_vec(),
            scopes: vec!["*".into()],
            aud: aud.into(),
            iss: iss.into(),
            exp: now + exp_offset,
            nbf: now + nbf_offset,
            iat: now,
            rid: None,
        }
    };
    let good = signer.sign_claims(&claims("studiograph", ISSUER, 300, 0)).unwrap();
    let other_key = platform::auth::KeyPair::generate()
        .signer(ISSUER)
        .sign_claims(&claims("studiograph", ISSUER, 300, 0))
        .unwrap();
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].chars().rev().collect();
    let tampered = parts.join(".");
    let forged = [
        ("internal audience", signer.sign_claims(&claims("hr", ISSUER, 300, 0)).unwrap()),
        (
            "wrong issuer",
            signer.sign_claims(&claims("studiograph", "someone-else", 300, 0)).unwrap(),
        ),
        ("expired", signer.sign_claims(&claims("studiograph", ISSUER, -120, -600)).unwrap()),
        (
            "not yet valid",
            signer.sign_claims(&claims("studiograph", ISSUER, 900, 300)).unwrap(),
        ),
        ("another key", other_key),
        ("tampered", tampered),
        (
            "alg none",
            format!("{}.{}.", "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0", good.split('.').nth(1).unwrap()),
        ),
    ];
    for (name, token) in forged {
        let (status, body) = stack.post_with_token(&token, ME).await;
        assert_eq!(status, 401, "{name}: {body}");
        assert_eq!(code(&body), "UNAUTHENTICATED", "{name}");
    }
    let (status, body) = stack.post_with_token(&good, ME).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_answer_429_with_retry_after() {
    let per_principal = gateway::ratelimit::Limit::new(3, Duration::from_secs(60));
    let stack = Stack::start_limited(gateway::ratelimit::RateLimitSettings {
        per_principal,
        per_tenant: gateway::ratelimit::Limit::new(1000, Duration::from_secs(60)),
    })
    .await;
    let token = stack.token("artist@northwind.test");
    for _ in 0..3 {
        let (status, _) = stack.post_with_token(&token, ME).await;
        assert_eq!(status, 200);
    }
    let bearer = format!("Bearer {token}");
    let (status, headers, bytes) = stack
        .raw(
            "POST",
            "/graphql",
            &[("content-type", "application/json"), ("authorization", bearer.as_str())],
            json_body(&json!({"query": ME})),
        )
        .await;
    assert_eq!(status, 429);
    assert_eq!(code(&parse(&bytes)), "RATE_LIMITED");
    let retry: u64 = headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Another user of the same tenant is not affected.
    let (status, _) = stack.post_with_token(&stack.token("sup@northwind.test"), ME).await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automatic_persisted_queries_register_then_run_by_hash() {
    use sha2::Digest as _;
    let stack = Stack::start().await;
    let bearer = format!("Bearer {}", stack.token("artist@northwind.test"));
    let headers = [("content-type", "application/json"), ("authorization", bearer.as_str())];
    let hash = hex::encode(sha2::Sha256::digest(ME.as_bytes()));
    let by_hash = json!({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash}}});
    let (status, _, bytes) = stack.raw("POST", "/graphql", &headers, json_body(&by_hash)).await;
    assert_eq!(status, 200);
    let v = parse(&bytes);
    assert_eq!(v["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(v["errors"][0]["message"], "PersistedQueryNotFound");
    let register = json!({"query": ME, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash}}});
    let (_, _, bytes) = stack.raw("POST", "/graphql", &headers, json_body(&register)).await;
    assert_eq!(parse(&bytes)["data"]["me"]["user"]["email"], "artist@northwind.test");
    let (_, _, bytes) = stack.raw("POST", "/graphql", &headers, json_body(&by_hash)).await;
    assert_eq!(
        parse(&bytes)["data"]["me"]["user"]["email"],
        "artist@northwind.test",
        "run by hash alone"
    );
    let wrong = json!({"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash}}});
    let (_, _, bytes) = stack.raw("POST", "/graphql", &headers, json_body(&wrong)).await;
    assert_eq!(parse(&bytes)["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}
