//! The SPA's session: `/auth/login`, `/auth/session`, `/auth/logout`, cookie attributes, CSRF.
#![allow(missing_docs, clippy::unwrap_used)]

mod common_auth;

use common_auth::{AuthApp, Options, PASSWORD, demo};
use platform::config::Mode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_sets_a_hardened_cookie_and_opens_a_session() {
    let app = AuthApp::start().await;
    let answer = app.login_attempt("artist@northwind.test", PASSWORD).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let cookies = answer.set_cookies();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let attributes: Vec<&str> = cookies[0].split(';').map(str::trim).collect();
    assert!(attributes[0].starts_with("studiograph_session="), "{attributes:?}");
    for expected in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"] {
        assert!(attributes.contains(&expected), "{expected} missing from {attributes:?}");
    }
    assert!(!attributes.contains(&"Secure"), "development cookies work over plain HTTP");

    let (user_id, tenant_id, employee_id) = demo("artist@northwind.test");
    let body = answer.json();
    assert_eq!(
        body["user"],
        json!({
            "id": user_id,
            "email": "artist@northwind.test",
            "tenantId": tenant_id,
            "employeeId": employee_id,
            "roles": ["ARTIST"],
        })
    );
    let csrf = body["csrfToken"].as_str().unwrap();
    assert!(csrf.len() >= 32);

    // The session: the same user and CSRF token; GET /probe (a query) needs no CSRF header.
    let cookie = attributes[0];
    let session = app.send("GET", "/auth/session", &[("cookie", cookie)], "").await;
    assert_eq!(session.status, 200, "{}", session.text);
    assert_eq!(session.json(), body);
    let probe = app.send("GET", "/probe", &[("cookie", cookie)], "").await;
    assert_eq!(probe.status, 200, "{}", probe.text);
    let probe = probe.json();
    assert_eq!(probe["via"], "cookie");
    assert_eq!(probe["userId"], json!(user_id));
    assert_eq!(probe["scopes"], json!(["*"]));

    // Redis holds the session under the hash of its id, never the id itself, with the TTL.
    let id = cookie.split_once('=').unwrap().1;
    let keys = common_auth::keys_under(&app.prefix);
    assert_eq!(keys.iter().filter(|k| k.starts_with("session:")).count(), 1, "{keys:?}");
    assert!(keys.iter().all(|k| !k.contains(id)));
    let session_key = keys.iter().find(|k| k.starts_with("session:")).unwrap();
    let ttl = common_auth::pttl(&format!("{}{session_key}", app.prefix));
    assert!(ttl > 28_000_000 && ttl <= 28_800_000, "{ttl}");

    // No credentials at all: anonymous, not an error (the engine decides).
    assert_eq!(app.send("GET", "/probe", &[], "").await.json(), json!({"anonymous": true}));
    // A made-up cookie is refused.
    let forged = app
        .send(
            "GET",
            "/auth/session",
            &[("cookie", "studiograph_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")],
            "",
        )
        .await;
    assert_eq!((forged.status, forged.code().as_str()), (401, "UNAUTHENTICATED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_development_the_cookie_is_secure_and_host_prefixed() {
    let app = AuthApp::start_with(Options {
        mode: Mode::Production,
        ..Options::default()
    })
    .await;
    let answer = app.login_attempt("sup@northwind.test", PASSWORD).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let cookie = &answer.set_cookies()[0];
    assert!(cookie.starts_with("__Host-studiograph_session="), "{cookie}");
    assert!(cookie.split(';').any(|a| a.trim() == "Secure"), "{cookie}");
    assert!(cookie.split(';').any(|a| a.trim() == "Path=/"), "{cookie}");
    assert!(!cookie.contains("Domain"), "{cookie}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookie_requests_need_the_csrf_header_except_get_and_head() {
    let app = AuthApp::start().await;
    let browser = app.login("artist@northwind.test").await;
    let cookie = browser.cookie.as_str();

    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let missing = app.send(method, "/probe", &[("cookie", cookie)], "").await;
        assert_eq!(
            (missing.status, missing.code().as_str()),
            (403, "FORBIDDEN"),
            "{method}: {}",
            missing.text
        );
    }
    let wrong = app
        .send("POST", "/probe", &[("cookie", cookie), ("x-csrf-token", "not-the-token")], "")
        .await;
    assert_eq!((wrong.status, wrong.code().as_str()), (403, "FORBIDDEN"));
    // Another session's token does not fit this session.
    let other = app.login("artist@northwind.test").await;
    let crossed = app
        .send("POST", "/probe", &[("cookie", cookie), ("x-csrf-token", &other.csrf)], "")
        .await;
    assert_eq!(crossed.status, 403);

    let right = app
        .send("POST", "/probe", &[("cookie", cookie), ("x-csrf-token", &browser.csrf)], "")
        .await;
    assert_eq!(right.status, 200, "{}", right.text);
    assert_eq!(right.json()["via"], "cookie");
    assert_eq!(app.send("GET", "/probe", &[("cookie", cookie)], "").await.status, 200);
    assert_eq!(app.send("HEAD", "/probe", &[("cookie", cookie)], "").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_revokes_the_session() {
    let app = AuthApp::start().await;
    let browser = app.login("hr@northwind.test").await;
    let cookie = browser.cookie.as_str();

    // Without the CSRF header logout is refused and the session lives on.
    let refused = app.send("POST", "/auth/logout", &[("cookie", cookie)], "").await;
    assert_eq!((refused.status, refused.code().as_str()), (403, "FORBIDDEN"));
    assert_eq!(app.send("GET", "/auth/session", &[("cookie", cookie)], "").await.status, 200);

    let out = app
        .send("POST", "/auth/logout", &[("cookie", cookie), ("x-csrf-token", &browser.csrf)], "")
        .await;
    assert_eq!(out.status, 204, "{}", out.text);
    let cleared = &out.set_cookies()[0];
    assert!(
        cleared.starts_with("studiograph_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    assert!(common_auth::keys_under(&app.prefix).iter().all(|k| !k.starts_with("session:")));

    // Replaying the old cookie gets nowhere.
    let session = app.send("GET", "/auth/session", &[("cookie", cookie)], "").await;
    assert_eq!((session.status, session.code().as_str()), (401, "UNAUTHENTICATED"));
    let probe = app.send("GET", "/probe", &[("cookie", cookie)], "").await;
    assert_eq!((probe.status, probe.code().as_str()), (401, "UNAUTHENTICATED"));
    let again = app
        .send("POST", "/auth/logout", &[("cookie", cookie), ("x-csrf-token", &browser.csrf)], "")
        .await;
    assert_eq!(again.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_in_again_replaces_the_browsers_session() {
    let app = AuthApp::start().await;
    let first = app.login("artist@northwind.test").await;
    let second = app
        .post_json(
            "/auth/login",
            &[("cookie", &first.cookie)],
            json!({"email": "artist@northwind.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(second.status, 200);
    assert_eq!(app.send("GET", "/auth/session", &[("cookie", &first.cookie)], "").await.status, 401);
    let new_cookie = second.set_cookies()[0].split(';').next().unwrap().to_owned();
    assert_ne!(new_cookie, first.cookie);
    assert_eq!(app.send("GET", "/auth/session", &[("cookie", &new_cookie)], "").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_refuses_bad_credentials_and_bad_bodies_alike() {
    let app = AuthApp::start().await;
    let wrong = app.login_attempt("artist@northwind.test", "not-the-password").await;
    let unknown = app.login_attempt("nobody@northwind.test", PASSWORD).await;
    for answer in [&wrong, &unknown] {
        assert_eq!((answer.status, answer.code().as_str()), (401, "UNAUTHENTICATED"), "{}", answer.text);
        assert_eq!(answer.json()["errors"][0]["message"], "invalid or expired credentials");
        assert!(answer.set_cookies().is_empty());
    }

    let text = app
        .send(
            "POST",
            "/auth/login",
            &[("content-type", "text/plain")],
            json!({"email": "artist@northwind.test", "password": PASSWORD}).to_string(),
        )
        .await;
    assert_eq!(text.status, 415, "{}", text.text);
    assert_eq!(text.code(), "BAD_USER_INPUT");
    let none = app.send("POST", "/auth/login", &[], "{}").await;
    assert_eq!(none.status, 415);
    let malformed = app
        .send("POST", "/auth/login", &[("content-type", "application/json")], "{\"email\": ")
        .await;
    assert_eq!((malformed.status, malformed.code().as_str()), (400, "BAD_USER_INPUT"));
    let missing = app.post_json("/auth/login", &[], json!({"email": "artist@northwind.test"})).await;
    assert_eq!((missing.status, missing.code().as_str()), (400, "BAD_USER_INPUT"));
    // The body is never echoed back (it holds a password).
    let typed = app
        .post_json(
            "/auth/login",
            &[],
            json!({"email": "artist@northwind.test", "password": ["hunter2"]}),
        )
        .await;
    assert_eq!(typed.status, 400);
    assert!(!typed.text.contains("hunter2"));
    let charset = app
        .send(
            "POST",
            "/auth/login",
            &[("content-type", "application/json; charset=utf-8")],
            json!({"email": "artist@northwind.test", "password": PASSWORD}).to_string(),
        )
        .await;
    assert_eq!(charset.status, 200);
    assert_eq!(app.send("GET", "/auth/login", &[], "").await.status, 405);
}
