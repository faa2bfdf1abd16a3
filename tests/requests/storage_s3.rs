//! Attachments on S3-compatible storage, against a local S3 server (moto,
//! started by `.ci/run`, whose address is in `KARAKANA_TEST_S3_ENDPOINT`).

use axum_test::multipart::{MultipartForm, Part};
use serde_json::json;

use crate::support::{id_of, TestApp};

#[tokio::test]
#[ignore = "needs an S3 server (KARAKANA_TEST_S3_ENDPOINT)"]
async fn attachments_round_trip_through_s3_compatible_storage() {
    let endpoint = std::env::var("KARAKANA_TEST_S3_ENDPOINT")
        .expect("KARAKANA_TEST_S3_ENDPOINT names an S3 server (.ci/run starts one: moto_server)");
    let bucket = format!("karakana-{}", crate::support::unique());
    // The bucket is the operator's to create; S3 servers answer 200 here.
    let created = std::process::Command::new("curl")
        .args(["-sf", "-X", "PUT", &format!("{endpoint}/{bucket}")])
        .status()
        .expect("curl runs");
    assert!(
        created.success(),
        "could not create bucket {bucket} at {endpoint}"
    );
    let app = TestApp::spawn_with_settings(json!({
        "storage": {
            "kind": "s3",
            "bucket": bucket,
            "region": "us-east-1",
            "endpoint": endpoint,
            "access_key_id": "testing",
            "secret_access_key": "testing",
        }
    }))
    .await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.order(&owner, &site, "normal").await;
    let pdf = b"%PDF-1.4\n% a quote\n%%EOF\n".to_vec();

    let uploaded = app
        .server
        .post(&format!("/api/repair-orders/{order}/attachments"))
        .authorization_bearer(&owner.token)
        .multipart(
            MultipartForm::new().add_part(
                "file",
                Part::bytes(pdf.clone())
                    .file_name("quote.pdf")
                    .mime_type("application/pdf"),
            ),
        )
        .await;

    assert_eq!(uploaded.status_code(), 201, "{}", uploaded.text());
    let attachment = id_of(&uploaded.json());
    let downloaded = app
        .get(
            &format!("/api/repair-orders/{order}/attachments/{attachment}"),
            &owner,
        )
        .await;
    assert_eq!(downloaded.as_bytes().to_vec(), pdf);
    // moto lists what it holds: the file is there, under the order's key.
    let key = format!("repair-orders/{order}/{attachment}");
    let held = std::process::Command::new("curl")
        .args(["-sf", &format!("{endpoint}/moto-api/data.json")])
        .output()
        .expect("curl runs");
    let held: serde_json::Value = serde_json::from_slice(&held.stdout).expect("moto's state");
    let keys = held["s3"]["FakeKey"].as_array().expect("keys");
    assert!(
        keys.iter().any(|k| k["name"] == key.as_str()),
        "{key} is not in the bucket"
    );
    // And it is private: no one reads it without the workshop's credentials.
    let anonymous = std::process::Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &format!("{endpoint}/{bucket}/{key}"),
        ])
        .output()
        .expect("curl runs");
    assert_eq!(String::from_utf8_lossy(&anonymous.stdout), "403");
}
