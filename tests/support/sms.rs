//! A fake SMS gateway on a real local port: it speaks Africa's Talking's
//! and Twilio's HTTP APIs as the app calls them (form bodies, their
//! authentication, their JSON answers), records every message, and can be
//! told to refuse numbers or to be down. The gateways are paid services;
//! this is the one fake the tests use, and it is an HTTP server, not a mock
//! object.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::post,
    Form, Json, Router,
};
use base64::Engine;
use serde_json::{json, Value};

pub const AT_API_KEY: &str = "at-test-key";
pub const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const TWILIO_TOKEN: &str = "twilio-test-token";

/// How the gateway answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Accept,
    /// Every number is refused as invalid.
    RefuseNumbers,
    /// 503 to everything.
    Down,
}

#[derive(Clone)]
struct Shared {
    messages: Arc<Mutex<Vec<Value>>>,
    mode: Arc<Mutex<Mode>>,
}

pub struct FakeGateway {
    pub url: String,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeGateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeGateway {
    pub async fn start() -> Self {
        let shared = Shared {
            messages: Arc::new(Mutex::new(Vec::new())),
            mode: Arc::new(Mutex::new(Mode::Accept)),
        };
        let app = Router::new()
            .route("/version1/messaging", post(africas_talking))
            .route("/2010-04-01/Accounts/{sid}/Messages.json", post(twilio))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port for the fake gateway");
        let address: SocketAddr = listener.local_addr().expect("its address");
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the fake gateway serves");
        });
        Self {
            url: format!("http://{address}"),
            shared,
            task,
        }
    }

    /// `settings.sms` for Africa's Talking at this gateway.
    pub fn africas_talking(&self) -> Value {
        json!({"kind": "africas_talking", "username": "kamau", "api_key": AT_API_KEY,
               "sender_id": "KAMAU", "base_url": self.url})
    }

    /// `settings.sms` for Twilio at this gateway.
    pub fn twilio(&self, whatsapp: bool) -> Value {
        json!({"kind": "twilio", "account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN,
               "from": "+14155550100", "whatsapp": whatsapp, "base_url": self.url})
    }

    /// Every message the gateway took, in order.
    pub fn messages(&self) -> Vec<Value> {
        self.shared.messages.lock().unwrap().clone()
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.shared.mode.lock().unwrap() = mode;
    }
}

fn mode(shared: &Shared) -> Mode {
    *shared.mode.lock().unwrap()
}

async fn africas_talking(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> impl IntoResponse {
    if mode(&shared) == Mode::Down {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(Value::Null));
    }
    if headers.get("apiKey").and_then(|v| v.to_str().ok()) != Some(AT_API_KEY) {
        return (StatusCode::UNAUTHORIZED, Json(Value::Null));
    }
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let to = field("to").unwrap_or_default();
    if mode(&shared) == Mode::RefuseNumbers {
        return (
            StatusCode::CREATED,
            Json(
                json!({"SMSMessageData": {"Message": "Sent to 0/1", "Recipients": [
                {"statusCode": 403, "number": to, "status": "InvalidPhoneNumber", "cost": "0", "messageId": "None"}]}}),
            ),
        );
    }
    let mut messages = shared.messages.lock().unwrap();
    let id = format!("ATXid_{}", messages.len() + 1);
    messages.push(json!({
        "gateway": "africas_talking", "id": id, "username": field("username"),
        "to": to, "from": field("from"), "body": field("message"),
    }));
    (
        StatusCode::CREATED,
        Json(
            json!({"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES 0.8000", "Recipients": [
            {"statusCode": 101, "number": to, "status": "Success", "cost": "KES 0.8000", "messageId": id}]}}),
        ),
    )
}

async fn twilio(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> impl IntoResponse {
    if mode(&shared) == Mode::Down {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(Value::Null));
    }
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{TWILIO_SID}:{TWILIO_TOKEN}"))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"code": 20003, "message": "Authenticate"})),
        );
    }
    if mode(&shared) == Mode::RefuseNumbers {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})),
        );
    }
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let mut messages = shared.messages.lock().unwrap();
    let id = format!("SM{:032}", messages.len() + 1);
    messages.push(json!({
        "gateway": "twilio", "id": id, "to": field("To"), "from": field("From"), "body": field("Body"),
    }));
    (
        StatusCode::CREATED,
        Json(json!({"sid": id, "status": "queued"})),
    )
}
