//! A database of a benchmark's own: a scratch PostgreSQL database when
//! `DATABASE_URL` names a server, else a SQLite file in the temp folder.

use sea_orm::ConnectionTrait;
use uuid::Uuid;

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
