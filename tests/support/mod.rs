//! `TestApp` and the builders that keep test setup short.

use std::net::SocketAddr;

use axum_test::{TestResponse, TestServer, TestServerConfig, Transport};
use karakana::app::App;
use loco_rs::{
    app::{AppContext, Hooks},
    boot::StartMode,
    config::Config,
    environment::Environment,
};
use serde_json::{json, Value};

mod database;
pub mod pages;
pub mod redis;
pub mod sms;
pub mod smtp;

pub use database::TestDatabase;

pub const PASSWORD: &str = "correct horse battery";

/// A running app on a fresh database.
pub struct TestApp {
    pub server: TestServer,
    pub ctx: AppContext,
    // Dropped last: the database outlives the app's connections to it.
    _database: TestDatabase,
}

/// An order with its estimate sent (`TestApp::estimated_order`).
pub struct Estimated {
    pub order: String,
    pub customer: String,
    pub labour: String,
    pub part: String,
}

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub id: String,
    pub email: String,
}

impl TestApp {
    /// The app listening on a real socket on a random port, as clients meet
    /// it (and so that requests can truly race).
    pub async fn spawn() -> Self {
        Self::spawn_with_settings(json!({})).await
    }

    /// Moves the app's clock on by `by`: hours passing, for what happens
    /// after them.
    pub fn advance_clock(&self, by: chrono::TimeDelta) {
        let now = karakana::settings::Settings::clock_of(&self.ctx).now();
        self.ctx
            .shared_store
            .insert(karakana::models::clock::Clock::Fixed(now + by));
    }

    /// The app with its clock fixed at `instant` (RFC 3339).
    pub async fn spawn_at(instant: &str) -> Self {
        Self::spawn_with_settings(json!({ "clock": instant })).await
    }

    /// The app with some of `settings:` replaced, e.g. another storage.
    pub async fn spawn_with_settings(overrides: Value) -> Self {
        Self::spawn_with(|config| {
            if let (Some(Value::Object(settings)), Value::Object(overrides)) =
                (config.settings.as_mut(), overrides)
            {
                settings.extend(overrides);
            }
        })
        .await
    }

    /// The app with its configuration changed by `configure` first.
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> Self {
        let mut config = App::load_config(&Environment::Test)
            .await
            .expect("config/test.yaml loads");
        configure(&mut config);
        let database = TestDatabase::create(&config.database.uri).await;
        config.database.uri = database.url.clone();
        // An embedded queue, when a test asks for one, lives in the test's
        // own database.
        if config.queue.is_some() {
            let kind = if database.url.starts_with("postgres") {
                "Postgres"
            } else {
                "Sqlite"
            };
            config.queue = Some(
                serde_json::from_value(json!({"kind": kind, "uri": database.url}))
                    .expect("a queue configuration"),
            );
        }
        let boot = App::boot(StartMode::ServerOnly, &Environment::Test, config)
            .await
            .expect("the app boots on a fresh database");
        let router = boot.router.expect("the app has routes");
        let server = TestServer::new_with_config(
            router.into_make_service_with_connect_info::<SocketAddr>(),
            TestServerConfig {
                transport: Some(Transport::HttpRandomPort),
                ..TestServerConfig::default()
            },
        )
        .expect("the test server starts");
        Self {
            server,
            ctx: boot.app_context,
            _database: database,
        }
    }

    pub async fn get(&self, path: &str, session: &Session) -> TestResponse {
        self.server
            .get(path)
            .authorization_bearer(&session.token)
            .await
    }

    pub async fn post(&self, path: &str, session: &Session, body: &Value) -> TestResponse {
        self.server
            .post(path)
            .authorization_bearer(&session.token)
            .json(body)
            .await
    }

    pub async fn put(&self, path: &str, session: &Session, body: &Value) -> TestResponse {
        self.server
            .put(path)
            .authorization_bearer(&session.token)
            .json(body)
            .await
    }

    pub async fn patch(&self, path: &str, session: &Session, body: &Value) -> TestResponse {
        self.server
            .patch(path)
            .authorization_bearer(&session.token)
            .json(body)
            .await
    }

    /// Signs up a new organization and returns its owner.
    pub async fn owner(&self, organization: &str) -> Session {
        let email = format!("owner-{}@example.com", unique());
        let response = self
            .server
            .post("/api/auth/signup")
            .json(&json!({
                "organization_name": organization,
                "name": "Owner",
                "email": email,
                "password": PASSWORD,
            }))
            .await;
        assert_eq!(response.status_code(), 201, "signup: {}", response.text());
        session(&response.json(), &email)
    }

    /// Opens a site with sensible Kenyan defaults.
    pub async fn site(&self, owner: &Session, code: &str) -> String {
        let response = self
            .post(
                "/api/sites",
                owner,
                &json!({
                    "name": format!("Branch {code}"),
                    "code": code,
                    "timezone": "Africa/Nairobi",
                    "currency": "KES",
                    "tax_rate": "0.16",
                }),
            )
            .await;
        assert_eq!(response.status_code(), 201, "site: {}", response.text());
        id_of(&response.json())
    }

    /// Adds a member of staff (as `by`) and signs them in.
    pub async fn staff(&self, by: &Session, role: &str, site_ids: &[&str]) -> Session {
        let email = format!("{role}-{}@example.com", unique());
        let response = self
            .post(
                "/api/staff",
                by,
                &json!({
                    "name": format!("A {role}"),
                    "email": email,
                    "password": PASSWORD,
                    "role": role,
                    "site_ids": site_ids,
                }),
            )
            .await;
        assert_eq!(response.status_code(), 201, "staff: {}", response.text());
        self.login(&email).await
    }

    pub async fn delete(&self, path: &str, session: &Session) -> TestResponse {
        self.server
            .delete(path)
            .authorization_bearer(&session.token)
            .await
    }

    /// Adds a customer whose home is `site`.
    pub async fn customer(&self, by: &Session, site: &str) -> String {
        let response = self
            .post(
                "/api/customers",
                by,
                &json!({
                    "name": format!("Customer {}", unique()),
                    "phone": "+254712345678",
                    "home_site_id": site,
                }),
            )
            .await;
        assert_eq!(response.status_code(), 201, "customer: {}", response.text());
        id_of(&response.json())
    }

    /// Registers a vehicle with a fresh plate to `customer`.
    pub async fn vehicle(&self, by: &Session, customer: &str) -> String {
        let plate = format!("K{}", &unique()[..6]).to_uppercase();
        let response = self
            .post(
                "/api/vehicles",
                by,
                &json!({
                    "customer_id": customer,
                    "plate": plate,
                    "make": "Toyota",
                    "model": "Probox",
                    "odometer_km": 120_000,
                }),
            )
            .await;
        assert_eq!(response.status_code(), 201, "vehicle: {}", response.text());
        id_of(&response.json())
    }

    /// Books a new vehicle in at `site`: an order in `requested`.
    pub async fn order(&self, by: &Session, site: &str, priority: &str) -> String {
        let customer = self.customer(by, site).await;
        let vehicle = self.vehicle(by, &customer).await;
        let response = self
            .post(
                "/api/repair-orders",
                by,
                &json!({
                    "site_id": site,
                    "vehicle_id": vehicle,
                    "description": "Brakes squeal",
                    "priority": priority,
                }),
            )
            .await;
        assert_eq!(response.status_code(), 201, "order: {}", response.text());
        id_of(&response.json())
    }

    pub async fn transition(&self, by: &Session, order: &str, to: &str) -> TestResponse {
        self.post(
            &format!("/api/repair-orders/{order}/transition"),
            by,
            &json!({ "to": to }),
        )
        .await
    }

    /// An order waiting in the queue.
    pub async fn approved_order(&self, by: &Session, site: &str, priority: &str) -> String {
        let order = self.order(by, site, priority).await;
        for to in ["pending_approval", "approved"] {
            let response = self.transition(by, &order, to).await;
            assert_eq!(response.status_code(), 200, "{to}: {}", response.text());
        }
        order
    }

    /// Gives the customer of `order` these fields (an email address, a
    /// language) and returns the customer's id.
    pub async fn order_customer(&self, by: &Session, order: &str, fields: &Value) -> String {
        let detail: Value = self
            .get(&format!("/api/repair-orders/{order}"), by)
            .await
            .json();
        let customer = detail["customer"]["id"]
            .as_str()
            .expect("the order's customer")
            .to_string();
        let response = self
            .patch(&format!("/api/customers/{customer}"), by, fields)
            .await;
        assert_eq!(response.status_code(), 200, "{}", response.text());
        customer
    }

    /// `technician` claims `order`.
    pub async fn claim(&self, technician: &Session, order: &str) -> TestResponse {
        self.post(
            &format!("/api/repair-orders/{order}/claim"),
            technician,
            &json!({}),
        )
        .await
    }

    /// An order in progress, claimed from the queue by `technician`.
    pub async fn claimed_order(&self, by: &Session, site: &str, technician: &Session) -> String {
        let order = self.approved_order(by, site, "normal").await;
        let response = self
            .post(
                &format!("/api/repair-orders/{order}/claim"),
                technician,
                &json!({}),
            )
            .await;
        assert_eq!(response.status_code(), 200, "claim: {}", response.text());
        order
    }

    /// An order in progress (claimed by `technician`) whose customer has
    /// `fields`, with a labour line (1.5 h × 2000) and a part line (2 pads
    /// at 1500), and its estimate sent.
    pub async fn estimated_order(
        &self,
        owner: &Session,
        site: &str,
        technician: &Session,
        fields: &Value,
    ) -> Estimated {
        let order = self.claimed_order(owner, site, technician).await;
        let customer = self.order_customer(owner, &order, fields).await;
        let labour = self
            .post(
                &format!("/api/repair-orders/{order}/labor"),
                technician,
                &json!({"description": "Brake pads fitted", "hours": "1.5", "rate": "2000"}),
            )
            .await;
        assert_eq!(labour.status_code(), 201, "{}", labour.text());
        let product = self.product(owner, site, "PAD-01", "10", "1500.00").await;
        let part = self.add_part(technician, &order, &product, "2").await;
        assert_eq!(part.status_code(), 201, "{}", part.text());
        let sent = self
            .post(
                &format!("/api/repair-orders/{order}/estimate/send"),
                owner,
                &json!({}),
            )
            .await;
        assert_eq!(sent.status_code(), 202, "{}", sent.text());
        Estimated {
            order,
            customer,
            labour: id_of(&labour.json()),
            part: id_of(&part.json()),
        }
    }

    /// A customer's own account in `owner`'s organization, signed in. The
    /// API opens no such accounts yet (the portal comes later), so it is
    /// written straight to the database.
    pub async fn customer_account(&self, owner: &Session) -> Session {
        use karakana::models::{
            clock::Clock,
            now_at,
            people::users::{self, PasswordHash},
            values::Password,
        };
        use sea_orm::{ActiveModelTrait, ActiveValue, ColumnTrait, EntityTrait, QueryFilter};

        let organization_id = users::Entity::find()
            .filter(users::Column::Pid.eq(uuid::Uuid::parse_str(&owner.id).unwrap()))
            .one(&self.ctx.db)
            .await
            .unwrap()
            .expect("the owner")
            .organization_id;
        let email = format!("customer-{}@example.com", unique());
        users::ActiveModel {
            organization_id: ActiveValue::Set(organization_id),
            email: ActiveValue::Set(email.clone()),
            password: ActiveValue::Set(
                PasswordHash::of(Password::parse(PASSWORD).unwrap())
                    .await
                    .unwrap()
                    .into_inner(),
            ),
            name: ActiveValue::Set("A customer".to_string()),
            role: ActiveValue::Set("customer".to_string()),
            active: ActiveValue::Set(true),
            created_at: ActiveValue::Set(now_at(Clock::System)),
            updated_at: ActiveValue::Set(now_at(Clock::System)),
            ..Default::default()
        }
        .insert(&self.ctx.db)
        .await
        .unwrap();
        self.login(&email).await
    }

    /// Puts a product on `site`'s shelves.
    pub async fn product(
        &self,
        by: &Session,
        site: &str,
        sku: &str,
        on_hand: &str,
        unit_price: &str,
    ) -> String {
        let response = self
            .post(
                "/api/products",
                by,
                &json!({
                    "site_id": site, "sku": sku, "name": format!("Part {sku}"),
                    "unit_cost": "100.00", "unit_price": unit_price,
                    "quantity_on_hand": on_hand, "reorder_level": "2",
                }),
            )
            .await;
        assert_eq!(response.status_code(), 201, "product: {}", response.text());
        id_of(&response.json())
    }

    /// Puts `quantity` of `product` on `order`.
    pub async fn add_part(
        &self,
        by: &Session,
        order: &str,
        product: &str,
        quantity: &str,
    ) -> TestResponse {
        self.post(
            &format!("/api/repair-orders/{order}/parts"),
            by,
            &json!({ "product_id": product, "quantity": quantity }),
        )
        .await
    }

    /// Completes a claimed order (as its technician) and returns its
    /// invoice (as `reader`, who may see invoices).
    pub async fn complete(&self, technician: &Session, order: &str, reader: &Session) -> Value {
        let response = self.transition(technician, order, "completed").await;
        assert_eq!(response.status_code(), 200, "complete: {}", response.text());
        let detail: Value = response.json();
        let invoice = detail["invoice"]["id"].as_str().expect("an invoice");
        let response = self.get(&format!("/api/invoices/{invoice}"), reader).await;
        assert_eq!(response.status_code(), 200, "invoice: {}", response.text());
        response.json()
    }

    /// Moves an invoice's issue day, as if it had been issued then, so
    /// that its age, its month and whether it is overdue can be worked out
    /// by hand.
    pub async fn issued_on(&self, invoice: &Value, day: &str) {
        use karakana::models::_entities::invoices::{Column, Entity};
        use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};

        let day: chrono::NaiveDate = day.parse().unwrap();
        let pid = uuid::Uuid::parse_str(&id_of(invoice)).unwrap();
        let row = Entity::find()
            .filter(Column::Pid.eq(pid))
            .one(&self.ctx.db)
            .await
            .unwrap()
            .expect("the invoice");
        // Its payment terms move with it.
        let terms = row
            .due_on
            .map_or(chrono::TimeDelta::zero(), |due| due - row.issued_on);
        Entity::update_many()
            .col_expr(Column::IssuedOn, Expr::value(day))
            .col_expr(Column::DueOn, Expr::value(day + terms))
            .filter(Column::Pid.eq(pid))
            .exec(&self.ctx.db)
            .await
            .unwrap();
    }

    pub async fn login(&self, email: &str) -> Session {
        let response = self.try_login(email, PASSWORD).await;
        assert_eq!(response.status_code(), 200, "login: {}", response.text());
        session(&response.json(), email)
    }

    pub async fn try_login(&self, email: &str, password: &str) -> TestResponse {
        self.server
            .post("/api/auth/login")
            .json(&json!({ "email": email, "password": password }))
            .await
    }
}

fn session(body: &Value, email: &str) -> Session {
    Session {
        token: body["token"].as_str().expect("a token").to_string(),
        id: body["user"]["id"].as_str().expect("a user id").to_string(),
        email: email.to_string(),
    }
}

/// Waits until `done` holds, for at most `within` (what another process
/// does arrives when it arrives).
pub async fn wait_until<F, Fut>(within: std::time::Duration, what: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = std::time::Instant::now();
    while !done().await {
        assert!(started.elapsed() < within, "waited {within:?} for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

pub fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("an id").to_string()
}

pub fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

/// Asserts the contract's error body and status; returns the body.
#[track_caller]
pub fn assert_error(response: &TestResponse, status: u16, code: &str) -> Value {
    assert_eq!(
        response.status_code().as_u16(),
        status,
        "unexpected status, body: {}",
        response.text()
    );
    let body: Value = response.json();
    assert_eq!(body["error"]["code"], code, "body: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "an error has a message: {body}"
    );
    let keys: Vec<&String> = body["error"]
        .as_object()
        .expect("an object")
        .keys()
        .collect();
    assert!(
        keys.iter()
            .all(|k| ["code", "message", "fields"].contains(&k.as_str())),
        "only code, message and fields: {body}"
    );
    assert_eq!(
        body.as_object().map(serde_json::Map::len),
        Some(1),
        "one top-level key: {body}"
    );
    body
}

/// The ids of a list response's items.
pub fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id_of)
        .collect()
}
