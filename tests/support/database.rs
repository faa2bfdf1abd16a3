//! A database of one's own for each test, named after `DATABASE_URL`:
//! a scratch SQLite file, or a scratch PostgreSQL database on that server.

use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A fresh database on the server `template_url` names, migrated here
    /// on a connection of its own and closed, so that the app's pool never
    /// holds a connection opened while the schema was still changing (on
    /// SQLite under load, the first insert after the app's own migrations
    /// read a column they added as NULL; see the 2026-12-07 notes). The
    /// app's boot then finds nothing to migrate.
    pub async fn create(template_url: &str) -> Self {
        let database = Self::empty(template_url).await;
        let db = connect(&database.url).await;
        <migration::Migrator as migration::MigratorTrait>::up(&db, None)
            .await
            .expect("the test database migrates");
        db.close().await.ok();
        database
    }

    async fn empty(template_url: &str) -> Self {
        let name = format!("karakana_test_{}", super::unique());
        if template_url.starts_with("postgres") {
            let admin_url = with_database(template_url, "postgres");
            let admin = connect(&admin_url).await;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create the test database");
            admin.close().await.ok();
            Self {
                url: with_database(template_url, &name),
                cleanup: Cleanup::Postgres { admin_url, name },
            }
        } else {
            let path = std::env::temp_dir().join(format!("{name}.sqlite"));
            Self {
                url: format!("sqlite://{}?mode=rwc", path.display()),
                cleanup: Cleanup::Sqlite(path),
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, database) = (admin_url.clone(), name.clone());
                // Drop runs outside any runtime the test may still be using.
                let dropped = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a runtime for cleanup");
                    runtime.block_on(async {
                        let admin = connect(&admin_url).await;
                        admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
                            ))
                            .await
                            .map(|_| ())
                    })
                })
                .join();
                if !matches!(dropped, Ok(Ok(()))) {
                    eprintln!("could not drop test database {name}");
                }
            }
        }
    }
}

async fn connect(url: &str) -> DatabaseConnection {
    Database::connect(url)
        .await
        .expect("the database server is reachable")
}

fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}
