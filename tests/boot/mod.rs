//! The `karakana` binary itself: what it refuses to start with; and the
//! repository around it.

mod citations;

use std::{
    path::{Path, PathBuf},
    process::Command,
};

const STRONG_SECRET: &str = "a2FyYWthbmEtcHJvZHVjdGlvbi10ZXN0LXNlY3JldC0zMi1ieXRlcyEh";

fn scratch_database() -> PathBuf {
    std::env::temp_dir().join(format!("karakana-boot-{}.sqlite", uuid::Uuid::new_v4()))
}

/// `karakana` in production on its own SQLite file, with no JWT_SECRET.
fn karakana(database: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_karakana"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("LOCO_ENV", "production")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", database.display()),
        )
        .env_remove("JWT_SECRET")
        .args(args);
    command
}

fn output_of(command: &mut Command) -> (bool, String) {
    let output = command.output().expect("the binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn production_refuses_to_boot_without_a_jwt_secret() {
    let (ok, output) = output_of(&mut karakana(&scratch_database(), &["routes"]));

    assert!(!ok);
    assert!(output.contains("JWT_SECRET"), "output: {output}");
}

#[test]
fn production_refuses_a_weak_jwt_secret() {
    let (ok, output) = output_of(
        karakana(&scratch_database(), &["task", "prune_login_attempts"])
            .env("JWT_SECRET", "c2hvcnQ="),
    );

    assert!(!ok);
    assert!(
        output.contains("at least 32 random bytes"),
        "output: {output}"
    );
}

#[test]
fn production_refuses_the_development_and_test_secrets() {
    for secret in [
        "ZGV2ZWxvcG1lbnQtb25seS1rYXJha2FuYS1qd3Qtc2VjcmV0",
        "dGVzdC1vbmx5LWthcmFrYW5hLWp3dC1zZWNyZXQtMzItYnl0ZXMh",
    ] {
        let (ok, output) = output_of(
            karakana(&scratch_database(), &["task", "prune_login_attempts"])
                .env("JWT_SECRET", secret),
        );

        assert!(!ok, "{secret} was accepted");
        assert!(
            output.contains("published development key"),
            "output: {output}"
        );
    }
}

#[test]
fn production_boots_with_a_proper_secret() {
    let database = scratch_database();

    let (migrated, output) =
        output_of(karakana(&database, &["db", "migrate"]).env("JWT_SECRET", STRONG_SECRET));
    assert!(migrated, "{output}");
    let (ok, output) = output_of(
        karakana(&database, &["task", "prune_login_attempts"]).env("JWT_SECRET", STRONG_SECRET),
    );

    assert!(ok, "{output}");
    assert!(
        output.contains("Removed 0 expired login attempts"),
        "{output}"
    );
    let _ = std::fs::remove_file(database);
}
