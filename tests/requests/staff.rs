use serde_json::json;

use crate::support::{assert_error, id_of, ids, unique, TestApp, PASSWORD};

fn new_member(role: &str, site_ids: &[&str]) -> serde_json::Value {
    json!({
        "name": "Otieno Ouma",
        "email": format!("{}@example.com", unique()),
        "password": PASSWORD,
        "role": role,
        "site_ids": site_ids,
    })
}

#[tokio::test]
async fn an_owner_adds_staff_of_every_role() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;

    for role in ["manager", "advisor", "technician"] {
        let response = app
            .post("/api/staff", &owner, &new_member(role, &[&site]))
            .await;
        assert_eq!(response.status_code(), 201, "{}", response.text());
        let member: serde_json::Value = response.json();
        assert_eq!(member["role"], role);
        assert_eq!(member["active"], true);
        assert_eq!(member["sites"][0]["id"], site.as_str());
        assert!(member.get("password").is_none());
    }
    let co_owner = app
        .post("/api/staff", &owner, &new_member("owner", &[]))
        .await;
    assert_eq!(co_owner.status_code(), 201);
    assert_eq!(co_owner.json::<serde_json::Value>()["sites"], json!([]));
}

#[tokio::test]
async fn a_manager_adds_advisors_and_technicians_at_their_own_sites_only() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let manager = app.staff(&owner, "manager", &[&nbo]).await;

    let technician = app
        .post("/api/staff", &manager, &new_member("technician", &[&nbo]))
        .await;
    let advisor = app
        .post("/api/staff", &manager, &new_member("advisor", &[&nbo]))
        .await;
    let another_manager = app
        .post("/api/staff", &manager, &new_member("manager", &[&nbo]))
        .await;
    let an_owner = app
        .post("/api/staff", &manager, &new_member("owner", &[]))
        .await;
    let elsewhere = app
        .post("/api/staff", &manager, &new_member("technician", &[&msa]))
        .await;

    assert_eq!(technician.status_code(), 201);
    assert_eq!(advisor.status_code(), 201);
    assert_error(&another_manager, 403, "forbidden");
    assert_error(&an_owner, 403, "forbidden");
    assert_error(&elsewhere, 404, "not_found");
}

#[tokio::test]
async fn advisors_technicians_may_not_add_staff() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;

    for role in ["advisor", "technician"] {
        let member = app.staff(&owner, role, &[&site]).await;
        let response = app
            .post("/api/staff", &member, &new_member("technician", &[&site]))
            .await;
        assert_error(&response, 403, "forbidden");
    }
}

#[tokio::test]
async fn staff_sites_must_fit_their_role() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;

    let technician_nowhere = app
        .post("/api/staff", &owner, &new_member("technician", &[]))
        .await;
    let owner_somewhere = app
        .post("/api/staff", &owner, &new_member("owner", &[&site]))
        .await;

    let body = assert_error(&technician_nowhere, 422, "validation_failed");
    assert_eq!(
        body["error"]["fields"]["site_ids"],
        json!(["must name at least one site"])
    );
    let body = assert_error(&owner_somewhere, 422, "validation_failed");
    assert!(body["error"]["fields"]["site_ids"].is_array());
}

#[tokio::test]
async fn staff_input_is_checked() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;

    let customer = app
        .post("/api/staff", &owner, &new_member("customer", &[&site]))
        .await;
    let boss = app
        .post("/api/staff", &owner, &new_member("boss", &[&site]))
        .await;
    let bad_site_id = app
        .post("/api/staff", &owner, &new_member("technician", &["nope"]))
        .await;
    let mut weak = new_member("technician", &[&site]);
    weak["password"] = json!("123");
    weak["email"] = json!("not-an-email");
    let weak = app.post("/api/staff", &owner, &weak).await;

    let body = assert_error(&customer, 422, "validation_failed");
    assert!(body["error"]["fields"]["role"].is_array());
    let body = assert_error(&boss, 422, "validation_failed");
    assert!(body["error"]["fields"]["role"][0]
        .as_str()
        .unwrap()
        .contains("technician"));
    let body = assert_error(&bad_site_id, 422, "validation_failed");
    assert_eq!(
        body["error"]["fields"]["site_ids[0]"],
        json!(["is not a valid id"])
    );
    let body = assert_error(&weak, 422, "validation_failed");
    assert!(body["error"]["fields"]["password"].is_array());
    assert!(body["error"]["fields"]["email"].is_array());
}

#[tokio::test]
async fn a_taken_email_is_a_conflict() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let mut member = new_member("technician", &[&site]);
    member["email"] = json!(owner.email);

    let response = app.post("/api/staff", &owner, &member).await;

    let body = assert_error(&response, 409, "conflict");
    assert_eq!(
        body["error"]["fields"]["email"],
        json!(["is already registered"])
    );
}

#[tokio::test]
async fn each_role_sees_the_staff_of_its_own_sites() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let manager = app.staff(&owner, "manager", &[&nbo]).await;
    let advisor = app.staff(&owner, "advisor", &[&nbo]).await;
    let nbo_tech = app.staff(&owner, "technician", &[&nbo]).await;
    let msa_tech = app.staff(&owner, "technician", &[&msa]).await;

    let everyone = ids(&app.get("/api/staff", &owner).await.json());
    let managers_view = ids(&app.get("/api/staff", &manager).await.json());
    let advisors_view = ids(&app.get("/api/staff", &advisor).await.json());
    let at_msa = ids(&app
        .get(&format!("/api/staff?site_id={msa}"), &owner)
        .await
        .json());

    assert_eq!(everyone.len(), 5);
    for id in [&manager.id, &advisor.id, &nbo_tech.id] {
        assert!(managers_view.contains(id));
        assert!(advisors_view.contains(id));
    }
    assert!(!managers_view.contains(&msa_tech.id));
    assert_eq!(at_msa, vec![msa_tech.id.clone()]);

    assert_error(&app.get("/api/staff", &nbo_tech).await, 403, "forbidden");
    assert_error(
        &app.get(&format!("/api/staff?site_id={msa}"), &manager)
            .await,
        404,
        "not_found",
    );
    assert_error(
        &app.get(&format!("/api/staff/{}", msa_tech.id), &manager)
            .await,
        404,
        "not_found",
    );
    assert_eq!(
        app.get(&format!("/api/staff/{}", nbo_tech.id), &manager)
            .await
            .status_code(),
        200
    );
    assert_error(
        &app.get(&format!("/api/staff/{}", manager.id), &nbo_tech)
            .await,
        403,
        "forbidden",
    );
}

#[tokio::test]
async fn another_organizations_staff_is_not_found() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let stranger = app.owner("Other Garage").await;

    let show = app
        .get(&format!("/api/staff/{}", technician.id), &stranger)
        .await;
    let change = app
        .patch(
            &format!("/api/staff/{}", technician.id),
            &stranger,
            &json!({"active": false}),
        )
        .await;
    let list = app
        .get(&format!("/api/staff?site_id={site}"), &stranger)
        .await;
    let assign = app
        .post("/api/staff", &stranger, &new_member("technician", &[&site]))
        .await;

    assert_error(&show, 404, "not_found");
    assert_error(&change, 404, "not_found");
    assert_error(&list, 404, "not_found");
    assert_error(&assign, 404, "not_found");
}

#[tokio::test]
async fn a_manager_reassigns_a_technician_within_their_own_sites_only() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let nbo = app.site(&owner, "NBO").await;
    let msa = app.site(&owner, "MSA").await;
    let kla = app.site(&owner, "KLA").await;
    let manager = app.staff(&owner, "manager", &[&nbo, &msa]).await;
    let technician = app.staff(&owner, "technician", &[&nbo, &kla]).await;

    let response = app
        .patch(
            &format!("/api/staff/{}", technician.id),
            &manager,
            &json!({"site_ids": [msa]}),
        )
        .await;

    assert_eq!(response.status_code(), 200, "{}", response.text());
    let shown: serde_json::Value = app
        .get(&format!("/api/staff/{}", technician.id), &owner)
        .await
        .json();
    let mut sites: Vec<String> = shown["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    sites.sort();
    let mut expected = vec![msa.clone(), kla.clone()];
    expected.sort();
    assert_eq!(sites, expected, "KLA, outside the manager's sites, stays");
}

#[tokio::test]
async fn a_deactivated_member_is_signed_out_and_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let manager = app.staff(&owner, "manager", &[&site]).await;
    let technician = app.staff(&owner, "technician", &[&site]).await;

    let response = app
        .patch(
            &format!("/api/staff/{}", technician.id),
            &manager,
            &json!({"active": false}),
        )
        .await;

    assert_eq!(response.status_code(), 200);
    assert_eq!(response.json::<serde_json::Value>()["active"], false);
    assert_error(
        &app.server
            .get("/api/auth/me")
            .authorization_bearer(&technician.token)
            .await,
        401,
        "unauthorized",
    );
    assert_error(
        &app.try_login(&technician.email, PASSWORD).await,
        401,
        "unauthorized",
    );
}

#[tokio::test]
async fn roles_change_only_within_what_the_actor_may_manage() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let manager = app.staff(&owner, "manager", &[&site]).await;
    let other_manager = app.staff(&owner, "manager", &[&site]).await;
    let technician = app.staff(&owner, "technician", &[&site]).await;

    let promote = app
        .patch(
            &format!("/api/staff/{}", technician.id),
            &manager,
            &json!({"role": "manager"}),
        )
        .await;
    let touch_peer = app
        .patch(
            &format!("/api/staff/{}", other_manager.id),
            &manager,
            &json!({"name": "X"}),
        )
        .await;
    let to_advisor = app
        .patch(
            &format!("/api/staff/{}", technician.id),
            &manager,
            &json!({"role": "advisor"}),
        )
        .await;
    let owner_promotes = app
        .patch(
            &format!("/api/staff/{}", technician.id),
            &owner,
            &json!({"role": "manager"}),
        )
        .await;

    assert_error(&promote, 403, "forbidden");
    assert_error(&touch_peer, 403, "forbidden");
    assert_eq!(to_advisor.json::<serde_json::Value>()["role"], "advisor");
    assert_eq!(
        owner_promotes.json::<serde_json::Value>()["role"],
        "manager"
    );
}

#[tokio::test]
async fn nobody_demotes_or_deactivates_themselves() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;

    let demote = app
        .patch(
            &format!("/api/staff/{}", owner.id),
            &owner,
            &json!({"role": "manager"}),
        )
        .await;
    let deactivate = app
        .patch(
            &format!("/api/staff/{}", owner.id),
            &owner,
            &json!({"active": false}),
        )
        .await;
    let rename = app
        .patch(
            &format!("/api/staff/{}", owner.id),
            &owner,
            &json!({"name": "Wanjiru K."}),
        )
        .await;

    assert_error(&demote, 409, "conflict");
    assert_error(&deactivate, 409, "conflict");
    assert_eq!(rename.status_code(), 200);
}

#[tokio::test]
async fn a_reset_password_works_at_the_next_sign_in() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;

    let response = app
        .patch(
            &format!("/api/staff/{}", technician.id),
            &owner,
            &json!({"password": "a brand new secret"}),
        )
        .await;

    assert_eq!(response.status_code(), 200);
    assert_error(
        &app.try_login(&technician.email, PASSWORD).await,
        401,
        "unauthorized",
    );
    assert_eq!(
        app.try_login(&technician.email, "a brand new secret")
            .await
            .status_code(),
        200
    );
}

/// Whoever had the old password (a lost phone, a former colleague) is
/// signed out everywhere the moment it is reset; a new sign-in works.
#[tokio::test]
async fn a_password_reset_ends_every_session_the_person_had() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let technician = app.staff(&owner, "technician", &[&site]).await;
    let other_phone = app.login(&technician.email).await;
    let renamed = app
        .patch(
            &format!("/api/staff/{}", technician.id),
            &owner,
            &json!({"name": "Still signed in"}),
        )
        .await;
    assert_eq!(renamed.status_code(), 200);
    assert_eq!(
        app.get("/api/auth/me", &technician).await.status_code(),
        200
    );

    let reset = app
        .patch(
            &format!("/api/staff/{}", technician.id),
            &owner,
            &json!({"password": "a brand new secret"}),
        )
        .await;

    assert_eq!(reset.status_code(), 200);
    for old in [&technician, &other_phone] {
        let body = assert_error(&app.get("/api/auth/me", old).await, 401, "unauthorized");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sign in again"));
    }
    let fresh = app
        .try_login(&technician.email, "a brand new secret")
        .await
        .json::<serde_json::Value>();
    let fresh = crate::support::Session {
        token: fresh["token"].as_str().unwrap().to_string(),
        ..technician.clone()
    };
    assert_eq!(app.get("/api/auth/me", &fresh).await.status_code(), 200);
    assert_eq!(
        app.get("/api/auth/me", &owner).await.status_code(),
        200,
        "the owner who reset it stays signed in"
    );
}

#[tokio::test]
async fn staff_changes_are_recorded_with_who_and_when() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Garage").await;
    let site = app.site(&owner, "NBO").await;
    let manager = app.staff(&owner, "manager", &[&site]).await;
    let technician = app.staff(&manager, "technician", &[&site]).await;
    app.patch(
        &format!("/api/staff/{}", technician.id),
        &manager,
        &json!({"name": "Kevin K."}),
    )
    .await;

    let audit: serde_json::Value = app.get("/api/audit-events", &owner).await.json();

    let events = audit["items"].as_array().unwrap();
    let updated = &events[0];
    assert_eq!(updated["action"], "staff.updated");
    assert_eq!(updated["actor"]["id"], manager.id.as_str());
    assert_eq!(updated["details"]["changed"], json!(["name"]));
    assert!(updated["at"].as_str().unwrap().ends_with('Z'));
    let created = &events[1];
    assert_eq!(created["action"], "staff.created");
    assert_eq!(created["subject_id"], technician.id.as_str());
    assert_eq!(created["actor"]["id"], manager.id.as_str());
    assert_error(
        &app.get("/api/audit-events", &manager).await,
        403,
        "forbidden",
    );
}
