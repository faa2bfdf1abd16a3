use crate::support::TestApp;

#[tokio::test]
async fn signing_up_is_the_first_entry_of_the_trail() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let audit: serde_json::Value = app.get("/api/audit-events", &owner).await.json();

    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["action"], "organization.created");
    assert!(audit["items"][0]["actor"].is_null());
}

#[tokio::test]
async fn one_organizations_trail_is_not_anothers() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let stranger = app.owner("Other Garage").await;
    app.site(&owner, "NBO").await;

    let theirs: serde_json::Value = app.get("/api/audit-events", &stranger).await.json();

    assert_eq!(theirs["total"], 1);
}
