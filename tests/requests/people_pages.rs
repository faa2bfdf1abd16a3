//! The people pages as a browser without JavaScript meets them: a manager
//! adds a technician, gives them skills, pay, a working week and time off,
//! and deactivates them; each form with the API's rules, the errors by
//! their field (or their row of the week), and another branch's people
//! the 404 page.

use serde_json::{json, Value};

use crate::support::{
    pages::{location, Browser},
    TestApp,
};

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn a_manager_adds_a_technician_with_skills_pay_hours_and_time_off() {
    let app = TestApp::spawn_at("2026-12-01T07:00:00Z").await;
    let owner = app.owner("Garage").await;
    let nairobi = app.site(&owner, "NBO").await;
    let mombasa = app.site(&owner, "MSA").await;
    let manager = app.staff(&owner, "manager", &[&nairobi]).await;
    let advisor = app.staff(&owner, "advisor", &[&nairobi]).await;
    let theirs = app.staff(&owner, "technician", &[&mombasa]).await;
    for skill in ["electrical", "diagnostics"] {
        let made = app
            .post("/api/skills", &owner, &json!({"name": skill}))
            .await;
        assert_eq!(made.status_code(), 201, "{}", made.text());
    }

    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&manager.email).await;
    let form = browser.get("/people/new").await.text();
    assert!(form.contains("value=\"technician\"") && form.contains("value=\"advisor\""));
    assert!(
        !form.contains("value=\"owner\"") && !form.contains("value=\"manager\""),
        "a manager adds advisors and technicians only"
    );

    let person = |password: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("name", "Otieno Ouma".to_string()),
            ("email", "otieno@example.com".to_string()),
            ("password", password.to_string()),
            ("role", "technician".to_string()),
            ("site_ids", nairobi.clone()),
        ]
    };
    let short = browser.post("/people", &pairs(&person("short"))).await;
    assert_eq!(short.status_code(), 422, "{}", short.text());
    assert!(short.text().contains("id=\"person-password-error\""));
    assert!(
        short.text().contains("value=\"otieno@example.com\""),
        "what was typed is kept"
    );
    let added = browser
        .post("/people", &pairs(&person("a long first password")))
        .await;
    assert_eq!(added.status_code(), 303, "{}", added.text());
    let page = location(&added);
    let id = page
        .trim_start_matches("/people/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let list = browser.get("/people").await.text();
    assert!(list.contains("Otieno Ouma"));

    // Skills and pay: a share above 1 is refused by its field.
    let profile = |rate: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("phone", "+254711222333".to_string()),
            ("hire_date", "2024-03-01".to_string()),
            ("certification_level", "senior".to_string()),
            ("home_site_id", nairobi.clone()),
            ("skills", "electrical".to_string()),
            ("pay_kind", "labour_share".to_string()),
            ("pay_rate", rate.to_string()),
        ]
    };
    let path = format!("/people/{id}/profile");
    let refused = browser.post(&path, &pairs(&profile("1.5"))).await;
    assert_eq!(refused.status_code(), 422, "{}", refused.text());
    assert!(
        refused.text().contains("id=\"profile-pay-rate-error\""),
        "{}",
        refused.text()
    );
    let saved = browser.post(&path, &pairs(&profile("0.3"))).await;
    assert_eq!(saved.status_code(), 303, "{}", saved.text());
    let technician: Value = app
        .get(&format!("/api/technicians/{id}"), &owner)
        .await
        .json();
    assert_eq!(technician["skills"], json!(["electrical"]));
    assert_eq!(technician["pay_basis"]["kind"], "labour_share");
    assert_eq!(technician["certification_level"], "senior");

    // The week: a stretch that ends before it starts is named on its row;
    // blank rows are left out.
    let week = |tuesday_ends: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("site_id", nairobi.clone()),
            ("weekday", "monday".to_string()),
            ("starts", "08:00".to_string()),
            ("ends", "17:00".to_string()),
            ("site_id", nairobi.clone()),
            ("weekday", String::new()),
            ("starts", String::new()),
            ("ends", String::new()),
            ("site_id", nairobi.clone()),
            ("weekday", "tuesday".to_string()),
            ("starts", "08:00".to_string()),
            ("ends", tuesday_ends.to_string()),
        ]
    };
    let hours = format!("/people/{id}/hours");
    let backwards = browser.post(&hours, &pairs(&week("07:00"))).await;
    assert_eq!(backwards.status_code(), 422, "{}", backwards.text());
    assert!(
        backwards.text().contains("id=\"stint-2-error\""),
        "{}",
        backwards.text()
    );
    let kept: Value = app
        .get(&format!("/api/technicians/{id}/working-hours"), &owner)
        .await
        .json();
    assert_eq!(kept["hours"], json!([]), "nothing saved");
    let set = browser.post(&hours, &pairs(&week("13:00"))).await;
    assert_eq!(set.status_code(), 303, "{}", set.text());
    let kept: Value = app
        .get(&format!("/api/technicians/{id}/working-hours"), &owner)
        .await
        .json();
    assert_eq!(kept["hours"].as_array().unwrap().len(), 2, "{kept}");
    let page_html = browser.get(&page).await.text();
    assert!(
        page_html.contains("value=\"13:00\""),
        "the week is shown to edit"
    );

    // Time off: backwards days refused; then added and removed.
    let away = |first: &str, last: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("kind", "leave".to_string()),
            ("first_day", first.to_string()),
            ("last_day", last.to_string()),
            ("note", "Home for Christmas".to_string()),
        ]
    };
    let time_off = format!("/people/{id}/time-off");
    let wrong = browser
        .post(&time_off, &pairs(&away("2026-12-24", "2026-12-20")))
        .await;
    assert_eq!(wrong.status_code(), 422, "{}", wrong.text());
    assert!(
        wrong.text().contains("id=\"away-last-error\""),
        "{}",
        wrong.text()
    );
    let added = browser
        .post(&time_off, &pairs(&away("2026-12-22", "2026-12-28")))
        .await;
    assert_eq!(added.status_code(), 303, "{}", added.text());
    let listed: Value = app
        .get(&format!("/api/technicians/{id}/time-off"), &owner)
        .await
        .json();
    let away_id = listed["items"][0]["id"].as_str().unwrap().to_string();
    assert!(browser
        .get(&page)
        .await
        .text()
        .contains("Home for Christmas"));
    let removed = browser
        .post(
            &format!("/people/{id}/time-off/{away_id}/delete"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(removed.status_code(), 303, "{}", removed.text());
    let listed: Value = app
        .get(&format!("/api/technicians/{id}/time-off"), &owner)
        .await
        .json();
    assert_eq!(listed["total"], 0);

    // The numbers side by side name them.
    let stats = browser.get("/people/stats").await;
    assert_eq!(stats.status_code(), 200);
    assert!(stats.text().contains("Otieno Ouma"));
    let bad = browser.get("/people/stats?from=2026-13-01").await;
    assert_eq!(bad.status_code(), 200, "a bad day is said, not a failure");
    assert!(bad.text().contains("class=\"problem\""));

    // Deactivated: they cannot sign in; brought back, they can.
    let off = browser
        .post(
            &format!("/people/{id}"),
            &[("_csrf", &csrf), ("active", "false")],
        )
        .await;
    assert_eq!(off.status_code(), 303, "{}", off.text());
    assert_eq!(
        app.try_login("otieno@example.com", "a long first password")
            .await
            .status_code(),
        401
    );
    let on = browser
        .post(
            &format!("/people/{id}"),
            &[("_csrf", &csrf), ("active", "true")],
        )
        .await;
    assert_eq!(on.status_code(), 303);
    assert_eq!(
        app.try_login("otieno@example.com", "a long first password")
            .await
            .status_code(),
        200
    );

    // Mombasa's technician is not this manager's; the front desk has no
    // people pages.
    assert_eq!(
        browser
            .get(&format!("/people/{}", theirs.id))
            .await
            .status_code(),
        404
    );
    let mut desk = Browser::new(&app);
    desk.sign_in(&advisor.email).await;
    assert_eq!(desk.get("/people").await.status_code(), 404);
    assert_eq!(desk.get(&page).await.status_code(), 404);
}
