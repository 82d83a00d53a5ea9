//! The JWT forgery matrix against `AuthService::authenticate`: every forged or misaddressed bearer
//! is `401 UNAUTHENTICATED` with the same message.
#![allow(missing_docs, clippy::unwrap_used)]

mod common_auth;

use axum::http::{HeaderMap, HeaderValue, Method, header};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common_auth::{AuthApp, PASSWORD, demo};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use platform::Principal;
use platform::auth::{Claims, DEFAULT_ISSUER, KeyPair, Role};
use serde_json::json;

fn claims(aud: &str, iss: &str, nbf_offset: i64, exp_offset: i64) -> Claims {
    let (user_id, tenant_id, employee_id) = demo("artist@northwind.test");
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: user_id.to_string(),
        tid: tenant_id,
        eid: Some(employee_id),
        roles: vec![Role::Artist],
        scopes: vec!["*".into()],
        aud: aud.into(),
        iss: iss.into(),
        exp: now + exp_offset,
        nbf: now + nbf_offset,
        iat: now,
        rid: None,
    }
}

fn eddsa(keys: &KeyPair, kid: Option<&str>, claims: &Claims) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_pem(keys.private_pem().as_bytes()).unwrap()).unwrap()
}

fn b64(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
    headers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_misaddressed_jwts_are_unauthenticated() {
    let app = AuthApp::start().await;
    let keys = &app.keys;
    let kid = app.svc.key_id().to_owned();
    let valid_claims = claims("studiograph", DEFAULT_ISSUER, 0, 600);

    // Controls: a token signed the way the gateway signs passes, with or without a kid.
    for control in [eddsa(keys, Some(&kid), &valid_claims), eddsa(keys, None, &valid_claims)] {
        let ok = app.svc.authenticate(&bearer(&control), &Method::POST, None).await;
        assert!(matches!(ok, Ok(Some(_))), "control token refused: {ok:?}");
    }
    let issued = app
        .token(json!({"email": "artist@northwind.test", "password": PASSWORD}))
        .await
        .json();
    let issued = issued["accessToken"].as_str().unwrap().to_owned();

    let mut forgeries: Vec<(&str, String)> = Vec::new();

    // alg none, with and without a trailing dot, and with a kid.
    let payload = b64(&serde_json::to_value(&valid_claims).unwrap());
    forgeries.push(("alg none", format!("{}.{payload}.", b64(&json!({"alg": "none", "typ": "JWT"})))));
    forgeries.push((
        "alg None with kid",
        format!("{}.{payload}.", b64(&json!({"alg": "None", "kid": kid}))),
    ));
    // The issued token's signature under an alg-none header.
    let signature = issued.rsplit('.').next().unwrap();
    forgeries.push((
        "alg none with a real signature",
        format!("{}.{payload}.{signature}", b64(&json!({"alg": "none"}))),
    ));

    // HS256 keyed with the public key (PEM text and DER bytes): the classic algorithm confusion.
    let public_pem = keys.public_pem();
    let public_der = STANDARD
        .decode(public_pem.lines().filter(|l| !l.starts_with("-----")).collect::<String>())
        .unwrap();
    for (name, secret) in [
        ("HS256 with the public PEM", public_pem.as_bytes().to_vec()),
        ("HS256 with the public DER", public_der.clone()),
    ] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid.clone());
        forgeries.push((
            name,
            jsonwebtoken::encode(&header, &valid_claims, &EncodingKey::from_secret(&secret)).unwrap(),
        ));
    }
    let raw_public = &public_der[public_der.len() - 32..];
    forgeries.push((
        "HS256 with the raw public key",
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &valid_claims, &EncodingKey::from_secret(raw_public)).unwrap(),
    ));

    // Wrong audience: an internal token the gateway itself minted for HR.
    let (user_id, tenant_id, employee_id) = demo("artist@northwind.test");
    let principal = Principal {
        user_id,
        tenant_id,
        employee_id: Some(employee_id),
        roles: vec![Role::Admin],
        scopes: vec!["*".into()],
        request_id: "r".into(),
    };
    forgeries.push(("internal token (aud hr)", app.svc.mint_internal(&principal, "hr", 60).unwrap()));
    forgeries.push(("aud missing", {
        let mut v = serde_json::to_value(&valid_claims).unwrap();
        v.as_object_mut().unwrap().remove("aud");
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.clone());
        jsonwebtoken::encode(&header, &v, &EncodingKey::from_ed_pem(keys.private_pem().as_bytes()).unwrap()).unwrap()
    }));
    // A service token (right key, right audience, but no user and no tenant).
    forgeries.push(("service token", app.svc.service_token("studiograph", &["*"]).unwrap()));

    forgeries.push(("wrong iss", eddsa(keys, Some(&kid), &claims("studiograph", "someone-else", 0, 600))));
    forgeries.push((
        "expired",
        eddsa(keys, Some(&kid), &claims("studiograph", DEFAULT_ISSUER, -900, -120)),
    ));
    forgeries.push((
        "nbf in the future",
        eddsa(keys, Some(&kid), &claims("studiograph", DEFAULT_ISSUER, 300, 900)),
    ));
    forgeries.push(("unknown kid", eddsa(keys, Some("some-other-key"), &valid_claims)));
    forgeries.push(("empty kid", eddsa(keys, Some(""), &valid_claims)));

    // Tampered payload: the issued token with its roles raised to ADMIN, signature kept.
    let mut parts = issued.split('.');
    let (head, body, sig) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    let mut raised: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).unwrap()).unwrap();
    raised["roles"] = json!(["ADMIN"]);
    forgeries.push(("tampered payload", format!("{head}.{}.{sig}", b64(&raised))));
    // Tampered header: a kid swapped in, signature kept.
    forgeries.push((
        "tampered header",
        format!("{}.{body}.{sig}", b64(&json!({"alg": "EdDSA", "typ": "JWT", "kid": "x"}))),
    ));
    forgeries.push(("truncated signature", format!("{head}.{body}.{}", &sig[..sig.len() - 4])));

    // Another Ed25519 key, claiming to be ours (same kid) and without a kid.
    let other = KeyPair::generate();
    forgeries.push(("another key with our kid", eddsa(&other, Some(&kid), &valid_claims)));
    forgeries.push(("another key without kid", eddsa(&other, None, &valid_claims)));
    // A crit header we do not understand.
    forgeries.push(("crit header", {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.clone());
        header.crit = Some(vec!["exp".into()]);
        jsonwebtoken::encode(
            &header,
            &valid_claims,
            &EncodingKey::from_ed_pem(keys.private_pem().as_bytes()).unwrap(),
        )
        .unwrap()
    }));

    for (name, token) in &forgeries {
        let refused = app.svc.authenticate(&bearer(token), &Method::GET, None).await;
        let refusal = match refused {
            Err(refusal) => refusal,
            Ok(ok) => panic!("{name}: accepted: {ok:?}"),
        };
        assert_eq!(refusal.status.as_u16(), 401, "{name}");
        assert_eq!(refusal.error.code().as_str(), "UNAUTHENTICATED", "{name}");
        assert_eq!(refusal.error.message(), "invalid or expired credentials", "{name}");
    }
    // None of them was mistaken for an API token (HR was asked only by the password exchange).
    assert_eq!(app.hr_calls(), 1);

    // And over HTTP: the GraphQL-shaped body with the code.
    let over_http = app.probe_bearer("GET", &forgeries[0].1).await;
    assert_eq!((over_http.status, over_http.code().as_str()), (401, "UNAUTHENTICATED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_or_malformed_authorization_headers_are_refused() {
    let app = AuthApp::start().await;
    let issued = app
        .token(json!({"email": "artist@northwind.test", "password": PASSWORD}))
        .await
        .json();
    let token = issued["accessToken"].as_str().unwrap();
    let mut twice = bearer(token);
    twice.append(header::AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
    let mut cases = vec![("twice", twice)];
    for value in ["Bearer", "Bearer ", "Token abc", token] {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        cases.push((value, headers));
    }
    for (name, headers) in cases {
        let refusal = app.svc.authenticate(&headers, &Method::GET, None).await.unwrap_err();
        assert_eq!(refusal.status.as_u16(), 401, "{name}");
    }
    // A bearer wins over a (bad) cookie.
    let mut headers = bearer(token);
    headers.insert(header::COOKIE, HeaderValue::from_static("studiograph_session=bogus"));
    let ok = app.svc.authenticate(&headers, &Method::POST, None).await.unwrap().unwrap();
    assert_eq!(ok.via, gateway::auth::AuthVia::BearerJwt);
}
