//! Photos, voice notes and documents on repair orders.

use axum::http::header;
use axum_test::multipart::{MultipartForm, Part};
use serde_json::json;

use crate::support::{assert_error, id_of, Session, TestApp};

/// The start of a real JPEG (JFIF) file; what matters is what it is.
fn jpeg(size: usize) -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01,
    ];
    bytes.resize(size, 0x42);
    bytes
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

async fn upload(
    app: &TestApp,
    who: &Session,
    order: &str,
    name: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> axum_test::TestResponse {
    app.server
        .post(&format!("/api/repair-orders/{order}/attachments"))
        .authorization_bearer(&who.token)
        .multipart(
            MultipartForm::new()
                .add_part("file", Part::bytes(bytes).file_name(name).mime_type(mime)),
        )
        .await
}

#[tokio::test]
async fn a_technician_attaches_a_photo_and_a_pdf_and_downloads_them() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let order = app.claimed_order(&owner, &site, &technician).await;
    let photo = jpeg(50_000);

    let response = upload(
        &app,
        &technician,
        &order,
        "../../worn pads.jpg",
        "image/jpeg",
        photo.clone(),
    )
    .await;
    let document = upload(
        &app,
        &technician,
        &order,
        "quote.pdf",
        "application/pdf",
        pdf(),
    )
    .await;

    assert_eq!(response.status_code(), 201, "{}", response.text());
    let attachment: serde_json::Value = response.json();
    assert_eq!(attachment["kind"], "photo");
    assert_eq!(attachment["content_type"], "image/jpeg");
    assert_eq!(attachment["file_name"], "worn pads.jpg");
    assert_eq!(attachment["size_bytes"], 50_000);
    assert_eq!(attachment["uploaded_by"]["id"], technician.id.as_str());
    assert_eq!(document.json::<serde_json::Value>()["kind"], "document");

    let listed: serde_json::Value = app
        .get(&format!("/api/repair-orders/{order}/attachments"), &owner)
        .await
        .json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    let downloaded = app
        .get(attachment["download_url"].as_str().unwrap(), &owner)
        .await;
    assert_eq!(downloaded.status_code(), 200);
    assert_eq!(downloaded.as_bytes().to_vec(), photo);
    assert_eq!(downloaded.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(
        downloaded.headers()[header::X_CONTENT_TYPE_OPTIONS],
        "nosniff"
    );
    assert!(downloaded.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("worn pads.jpg"));
}

#[tokio::test]
async fn files_are_judged_by_their_content_not_their_name() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.order(&owner, &site, "normal").await;

    let script = upload(
        &app,
        &owner,
        &order,
        "photo.jpg",
        "image/jpeg",
        b"#!/bin/sh\necho hi\n".to_vec(),
    )
    .await;
    let html = upload(
        &app,
        &owner,
        &order,
        "x.pdf",
        "application/pdf",
        b"<html><script>x</script>".to_vec(),
    )
    .await;
    let empty = upload(&app, &owner, &order, "x.jpg", "image/jpeg", Vec::new()).await;

    let body = assert_error(&script, 422, "validation_failed");
    assert!(body["error"]["fields"]["file"].is_array());
    assert_error(&html, 422, "validation_failed");
    assert_error(&empty, 422, "validation_failed");
    let listed: serde_json::Value = app
        .get(&format!("/api/repair-orders/{order}/attachments"), &owner)
        .await
        .json();
    assert_eq!(listed["items"], json!([]));
    assert_eq!(listed["total"], 0);
}

#[tokio::test]
async fn a_file_over_the_limit_is_payload_too_large() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.order(&owner, &site, "normal").await;
    let limit = karakana::settings::Settings::of(&app.ctx).uploads.max_bytes as usize;

    let just_over = upload(
        &app,
        &owner,
        &order,
        "big.jpg",
        "image/jpeg",
        jpeg(limit + 1),
    )
    .await;
    let far_over = upload(
        &app,
        &owner,
        &order,
        "huge.jpg",
        "image/jpeg",
        jpeg(limit * 3),
    )
    .await;
    let at_limit = upload(&app, &owner, &order, "ok.jpg", "image/jpeg", jpeg(limit)).await;

    assert_error(&just_over, 413, "payload_too_large");
    assert_error(&far_over, 413, "payload_too_large");
    assert_eq!(at_limit.status_code(), 201, "{}", at_limit.text());
    // Uploads stream to storage; a refused one leaves neither a row nor a
    // partial file behind.
    let listed: serde_json::Value = app
        .get(&format!("/api/repair-orders/{order}/attachments"), &owner)
        .await
        .json();
    assert_eq!(listed["total"], 1);
    let stored = std::fs::read_dir(format!("tmp/test-storage/repair-orders/{order}"))
        .expect("the order's storage folder")
        .count();
    assert_eq!(stored, 1, "only the accepted file is stored");
}

#[tokio::test]
async fn an_upload_needs_a_multipart_file_field() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let order = app.order(&owner, &site, "normal").await;

    let json_body = app
        .post(
            &format!("/api/repair-orders/{order}/attachments"),
            &owner,
            &json!({"file": "x"}),
        )
        .await;
    let wrong_field = app
        .server
        .post(&format!("/api/repair-orders/{order}/attachments"))
        .authorization_bearer(&owner.token)
        .multipart(MultipartForm::new().add_text("photo", "x"))
        .await;

    assert_error(&json_body, 400, "bad_request");
    let body = assert_error(&wrong_field, 422, "validation_failed");
    assert_eq!(body["error"]["fields"]["file"], json!(["is required"]));
}

#[tokio::test]
async fn attachments_are_scoped_like_their_order() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let kevin = app.staff(&owner, "technician", &[&nbo]).await;
    let dennis = app.staff(&owner, "technician", &[&nbo]).await;
    let msa_manager = app.staff(&owner, "manager", &[&msa]).await;
    let stranger = app.owner("Other Garage").await;
    let order = app.claimed_order(&owner, &nbo, &kevin).await;
    let other_order = app.order(&owner, &nbo, "normal").await;
    let attachment = id_of(
        &upload(&app, &kevin, &order, "a.jpg", "image/jpeg", jpeg(100))
            .await
            .json(),
    );

    assert_error(
        &upload(&app, &dennis, &order, "b.jpg", "image/jpeg", jpeg(100)).await,
        403,
        "forbidden",
    );
    for who in [&msa_manager, &stranger] {
        assert_error(
            &app.get(
                &format!("/api/repair-orders/{order}/attachments/{attachment}"),
                who,
            )
            .await,
            404,
            "not_found",
        );
        assert_error(
            &upload(&app, who, &order, "c.jpg", "image/jpeg", jpeg(100)).await,
            404,
            "not_found",
        );
    }
    // An attachment is found only through its own order.
    assert_error(
        &app.get(
            &format!("/api/repair-orders/{other_order}/attachments/{attachment}"),
            &owner,
        )
        .await,
        404,
        "not_found",
    );
    assert_eq!(
        app.get(
            &format!("/api/repair-orders/{order}/attachments/{attachment}"),
            &dennis
        )
        .await
        .status_code(),
        200,
        "colleagues at the site may look"
    );
}
