use axum::http::header;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::json;

use crate::support::{assert_error, unique, TestApp, PASSWORD};

#[tokio::test]
async fn signup_creates_the_organization_and_its_owner() {
    let app = TestApp::spawn().await;
    let email = format!("Wanjiru.{}@Example.com", unique());

    let response = app
        .server
        .post("/api/auth/signup")
        .json(&json!({
            "organization_name": "  Kamau Motors ",
            "name": "Wanjiru Kamau",
            "email": email,
            "password": PASSWORD,
        }))
        .await;

    assert_eq!(response.status_code(), 201);
    let body: serde_json::Value = response.json();
    assert!(body["token"].as_str().is_some_and(|t| t.len() > 20));
    assert_eq!(body["user"]["role"], "owner");
    assert_eq!(body["user"]["email"], email.to_lowercase());
    assert_eq!(body["user"]["organization"]["name"], "Kamau Motors");
    assert_eq!(body["user"]["sites"], json!([]));

    let me = app
        .server
        .get("/api/auth/me")
        .authorization_bearer(body["token"].as_str().unwrap())
        .await;
    assert_eq!(me.status_code(), 200);
    assert_eq!(me.json::<serde_json::Value>()["id"], body["user"]["id"]);
}

#[tokio::test]
async fn signup_names_every_bad_field_at_once() {
    let app = TestApp::spawn().await;

    let response = app
        .server
        .post("/api/auth/signup")
        .json(&json!({
            "organization_name": " ",
            "name": "",
            "email": "not-an-email",
            "password": "short",
        }))
        .await;

    let body = assert_error(&response, 422, "validation_failed");
    let fields = &body["error"]["fields"];
    assert_eq!(fields["organization_name"], json!(["must not be blank"]));
    assert_eq!(fields["name"], json!(["must not be blank"]));
    assert_eq!(fields["email"], json!(["is not a valid email"]));
    assert_eq!(
        fields["password"],
        json!(["must be at least 10 characters"])
    );
}

#[tokio::test]
async fn signup_refuses_an_email_that_is_taken_in_any_case() {
    let app = TestApp::spawn().await;
    let owner = app.owner("First Garage").await;

    let response = app
        .server
        .post("/api/auth/signup")
        .json(&json!({
            "organization_name": "Second Garage",
            "name": "Someone",
            "email": owner.email.to_uppercase(),
            "password": PASSWORD,
        }))
        .await;

    let body = assert_error(&response, 409, "conflict");
    assert_eq!(
        body["error"]["fields"]["email"],
        json!(["is already registered"])
    );
}

#[tokio::test]
async fn signup_cannot_smuggle_a_role_or_organization() {
    let app = TestApp::spawn().await;

    let response = app
        .server
        .post("/api/auth/signup")
        .json(&json!({
            "organization_name": "Garage",
            "name": "Someone",
            "email": format!("{}@example.com", unique()),
            "password": PASSWORD,
            "role": "owner",
            "organization_id": 1,
        }))
        .await;

    let body = assert_error(&response, 422, "validation_failed");
    assert!(
        body["error"]["fields"]["role"] == json!(["is not allowed"])
            || body["error"]["fields"]["organization_id"] == json!(["is not allowed"])
    );
}

#[tokio::test]
async fn login_returns_a_token_for_the_right_password() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let response = app
        .try_login(&format!("  {}  ", owner.email.to_uppercase()), PASSWORD)
        .await;

    assert_eq!(response.status_code(), 200);
    let body: serde_json::Value = response.json();
    assert_eq!(body["user"]["id"], owner.id.as_str());
    assert!(body["token"].is_string());
}

#[tokio::test]
async fn login_refuses_a_wrong_password_and_an_unknown_email_alike() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let wrong_password = app.try_login(&owner.email, "not the password").await;
    let unknown_email = app.try_login("nobody@example.com", PASSWORD).await;
    let not_an_email = app.try_login("nobody", PASSWORD).await;

    let a = assert_error(&wrong_password, 401, "unauthorized");
    let b = assert_error(&unknown_email, 401, "unauthorized");
    let c = assert_error(&not_an_email, 401, "unauthorized");
    assert_eq!(a, b);
    assert_eq!(b, c);
}

#[tokio::test]
async fn login_is_rate_limited_after_repeated_failures_even_with_the_right_password() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    for _ in 0..5 {
        let response = app.try_login(&owner.email, "guess guess guess").await;
        assert_error(&response, 401, "unauthorized");
    }
    let throttled = app.try_login(&owner.email, PASSWORD).await;

    assert_error(&throttled, 429, "rate_limited");
    let retry_after: u64 = throttled
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header in seconds");
    assert!((1..=900).contains(&retry_after));

    // Another account is not locked out by someone guessing at this one.
    let other = app.owner("Other Garage").await;
    assert_eq!(
        app.try_login(&other.email, PASSWORD).await.status_code(),
        200
    );
}

/// Sign-ins are counted as they arrive, not after the slow password hash:
/// twenty wrong guesses at once at one account get no more than the five
/// the limit allows past the throttle (the ones it refuses are not counted,
/// as one at a time; if all arrive before any is judged, none passes), and
/// a successful sign-in does not count against it.
#[tokio::test]
async fn a_burst_of_guesses_at_once_is_throttled_at_the_limit() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    // Signing in (as `owner` just did) leaves nothing counted.
    for _ in 0..3 {
        assert_eq!(
            app.try_login(&owner.email, PASSWORD).await.status_code(),
            200
        );
    }

    let guesses = futures::future::join_all(
        (0..20).map(|_| app.try_login(&owner.email, "guess guess guess")),
    )
    .await;

    let refused = guesses.iter().filter(|r| r.status_code() == 401).count();
    let throttled = guesses.iter().filter(|r| r.status_code() == 429).count();
    assert_eq!(refused + throttled, 20);
    // All of them may be refused, when all are counted before any is
    // judged; never more than five get to the password.
    assert!(
        refused <= 5,
        "{refused} guesses were checked against the password"
    );
    // What is left of the limit after the burst is what the refused
    // guesses did not use.
    for _ in refused..5 {
        let guess = app.try_login(&owner.email, "guess guess guess").await;
        assert_error(&guess, 401, "unauthorized");
    }
    assert_error(
        &app.try_login(&owner.email, PASSWORD).await,
        429,
        "rate_limited",
    );
}

#[tokio::test]
async fn signups_from_one_address_are_rate_limited() {
    let app = TestApp::spawn().await;
    let limit = karakana::settings::Settings::of(&app.ctx)
        .throttle
        .signups_per_ip;

    for _ in 0..limit {
        app.owner("Garage").await;
    }
    let response = app
        .server
        .post("/api/auth/signup")
        .json(&json!({
            "organization_name": "One Too Many",
            "name": "Someone",
            "email": format!("{}@example.com", unique()),
            "password": PASSWORD,
        }))
        .await;

    assert_error(&response, 429, "rate_limited");
}

#[tokio::test]
async fn me_requires_a_token() {
    let app = TestApp::spawn().await;

    let missing = app.server.get("/api/auth/me").await;
    let not_bearer = app
        .server
        .get("/api/auth/me")
        .add_header(header::AUTHORIZATION, "Basic dXNlcjpwYXNz")
        .await;
    let garbage = app
        .server
        .get("/api/auth/me")
        .authorization_bearer("not.a.jwt")
        .await;

    assert_error(&missing, 401, "unauthorized");
    assert_error(&not_bearer, 401, "unauthorized");
    assert_error(&garbage, 401, "unauthorized");
}

#[derive(serde::Serialize)]
struct Claims {
    pid: String,
    exp: u64,
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn token(secret_b64: &str, pid: &str, exp: u64) -> String {
    encode(
        &Header::new(jsonwebtoken::Algorithm::HS512),
        &Claims {
            pid: pid.to_string(),
            exp,
        },
        &EncodingKey::from_base64_secret(secret_b64).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let forged = token(
        "Zm9yZ2VkLXNlY3JldC1mb3JnZWQtc2VjcmV0LWZvcmdlZA==",
        &owner.id,
        now() + 3600,
    );

    let response = app
        .server
        .get("/api/auth/me")
        .authorization_bearer(&forged)
        .await;

    let body = assert_error(&response, 401, "unauthorized");
    assert_eq!(body["error"]["message"], "the token is not valid");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let secret = app.ctx.config.get_jwt_config().unwrap().secret.clone();
    let expired = token(&secret, &owner.id, now() - 60);
    let valid = token(&secret, &owner.id, now() + 60);

    let refused = app
        .server
        .get("/api/auth/me")
        .authorization_bearer(&expired)
        .await;
    let accepted = app
        .server
        .get("/api/auth/me")
        .authorization_bearer(&valid)
        .await;

    let body = assert_error(&refused, 401, "unauthorized");
    assert_eq!(body["error"]["message"], "the token has expired");
    assert_eq!(accepted.status_code(), 200);
}

#[tokio::test]
async fn two_signups_racing_for_one_email_create_one_account() {
    let app = TestApp::spawn().await;
    let email = format!("race-{}@example.com", unique());
    let attempt = |n: usize| {
        app.server.post("/api/auth/signup").json(&json!({
            "organization_name": format!("Garage {n}"),
            "name": "Racer",
            "email": email,
            "password": PASSWORD,
        }))
    };

    let responses =
        futures::future::join_all((0..6).map(|n| async move { attempt(n).await })).await;

    let created = responses.iter().filter(|r| r.status_code() == 201).count();
    let conflicts = responses.iter().filter(|r| r.status_code() == 409).count();
    assert_eq!(
        (created, conflicts),
        (1, 5),
        "{:?}",
        responses.iter().map(|r| r.text()).collect::<Vec<_>>()
    );
}
