use crate::support::{assert_error, TestApp};

#[tokio::test]
async fn notifications_need_a_signed_in_user_and_start_empty() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let list: serde_json::Value = app.get("/api/notifications", &owner).await.json();

    assert_eq!(list["total"], 0);
    assert_error(
        &app.server.get("/api/notifications").await,
        401,
        "unauthorized",
    );
    assert_error(
        &app.get("/api/notifications?unread=maybe", &owner).await,
        400,
        "bad_request",
    );
}
