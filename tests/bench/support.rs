//! What the benchmarks share: a database of their own (a scratch
//! PostgreSQL database when `DATABASE_URL` names a server, else a SQLite
//! file in the temp folder), and the organization they seed.

use karakana::models::{
    actor::Actor,
    organization::sites::SiteSettings,
    people::users::{self, PasswordHash, Signup},
    values::{Email, LanguageCode, Password},
    Write,
};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

/// Signs up "Bench Motors" and returns its owner.
pub async fn owner(db: &DatabaseConnection) -> Actor {
    let txn = Write::begin(db).await.unwrap();
    let owner = users::Model::sign_up(
        &txn,
        Signup {
            organization_name: "Bench Motors".into(),
            name: "Owner".into(),
            email: Email::parse("owner@bench.example").unwrap(),
        },
        password().await,
        karakana::models::clock::Clock::System,
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    Actor::for_user(db, owner, karakana::models::clock::Clock::System)
        .await
        .unwrap()
}

/// The benchmarks' accounts' password, hashed.
pub async fn password() -> PasswordHash {
    PasswordHash::of(Password::parse("bench-password").unwrap())
        .await
        .unwrap()
}

/// A Nairobi branch with the defaults, named `name` with `code`.
pub fn nairobi_site(name: String, code: String) -> SiteSettings {
    SiteSettings {
        name,
        code,
        timezone: "Africa/Nairobi".into(),
        currency: "KES".into(),
        tax_rate: "0.16".parse().unwrap(),
        address: None,
        phone: None,
        email: None,
        payment_instructions: None,
        reminder_lead_days: 7,
        reminder_hour: 9,
        language: LanguageCode::En,
        comeback_window_days: 30,
        payment_terms_days: 0,
    }
}

/// A database of the bench's own, dropped afterwards.
pub struct ScratchDatabase {
    pub url: String,
    admin: Option<(String, String)>,
}

impl ScratchDatabase {
    /// On the PostgreSQL server `DATABASE_URL` names, else a SQLite file.
    pub async fn create() -> Self {
        let name = format!(
            "karakana_bench_{}",
            &Uuid::new_v4().simple().to_string()[..8]
        );
        match std::env::var("DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => {
                let server = url
                    .rsplit_once('/')
                    .map_or(url.as_str(), |(server, _)| server)
                    .to_string();
                let admin = sea_orm::Database::connect(format!("{server}/postgres"))
                    .await
                    .unwrap();
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                Self {
                    url: format!("{server}/{name}"),
                    admin: Some((format!("{server}/postgres"), name)),
                }
            }
            _ => Self {
                url: format!(
                    "sqlite://{}/{name}.sqlite?mode=rwc",
                    std::env::temp_dir().display()
                ),
                admin: None,
            },
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.admin.take() {
            std::thread::spawn(move || {
                tokio::runtime::Runtime::new().unwrap().block_on(async {
                    let admin = sea_orm::Database::connect(admin).await.unwrap();
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
                        .await;
                });
            })
            .join()
            .ok();
        }
    }
}
