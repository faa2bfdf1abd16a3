//! Skills: the organization's list, what each technician has and what each
//! order needs; a claim or an assignment without a required skill is
//! refused, naming it; technicians' profiles.

use serde_json::{json, Value};

use crate::support::{assert_error, id_of, Session, TestApp};

struct Floor {
    app: TestApp,
    owner: Session,
    manager: Session,
    technician: Session,
    site: String,
}

impl Floor {
    async fn open() -> Self {
        let app = TestApp::spawn().await;
        let owner = app.owner("Kamau Motors").await;
        let site = app.site(&owner, "NBO").await;
        let manager = app.staff(&owner, "manager", &[&site]).await;
        let technician = app.staff(&owner, "technician", &[&site]).await;
        for name in ["Hybrid", "AC", "electrical"] {
            let response = app
                .post("/api/skills", &manager, &json!({ "name": name }))
                .await;
            assert_eq!(response.status_code(), 201, "{}", response.text());
        }
        Self {
            app,
            owner,
            manager,
            technician,
            site,
        }
    }

    /// An approved order needing `skills`.
    async fn order_needing(&self, skills: Value) -> String {
        let customer = self.app.customer(&self.owner, &self.site).await;
        let vehicle = self.app.vehicle(&self.owner, &customer).await;
        let response = self
            .app
            .post(
                "/api/repair-orders",
                &self.owner,
                &json!({"site_id": self.site, "vehicle_id": vehicle,
                        "description": "Hybrid battery warning", "required_skills": skills}),
            )
            .await;
        assert_eq!(response.status_code(), 201, "{}", response.text());
        let order = id_of(&response.json());
        for to in ["pending_approval", "approved"] {
            let response = self.app.transition(&self.owner, &order, to).await;
            assert_eq!(response.status_code(), 200, "{}", response.text());
        }
        order
    }

    async fn claim(&self, order: &str) -> axum_test::TestResponse {
        self.app
            .post(
                &format!("/api/repair-orders/{order}/claim"),
                &self.technician,
                &json!({}),
            )
            .await
    }

    async fn give_skills(&self, skills: Value) -> TestResponseJson {
        let response = self
            .app
            .patch(
                &format!("/api/technicians/{}", self.technician.id),
                &self.manager,
                &json!({ "skills": skills }),
            )
            .await;
        (response.status_code().as_u16(), response.json())
    }
}

type TestResponseJson = (u16, Value);

#[tokio::test]
async fn the_skill_list_is_the_organizations_and_names_are_unique_in_any_case() {
    let floor = Floor::open().await;
    let listed: Value = floor.app.get("/api/skills", &floor.technician).await.json();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|skill| skill["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["AC", "electrical", "Hybrid"]);

    let duplicate = floor
        .app
        .post("/api/skills", &floor.owner, &json!({"name": "  hybrid "}))
        .await;
    let body = assert_error(&duplicate, 409, "conflict");
    assert!(body["error"]["fields"]["name"].is_array(), "{body}");
    assert_error(
        &floor
            .app
            .post(
                "/api/skills",
                &floor.technician,
                &json!({"name": "welding"}),
            )
            .await,
        403,
        "forbidden",
    );
    for bad in [
        json!({"name": " "}),
        json!({"name": "x".repeat(61)}),
        json!({}),
    ] {
        let response = floor.app.post("/api/skills", &floor.owner, &bad).await;
        assert_eq!(response.status_code(), 422, "{bad}: {}", response.text());
    }
    // Another organization has its own list.
    let stranger = floor.app.owner("Another Garage").await;
    let theirs: Value = floor.app.get("/api/skills", &stranger).await.json();
    assert_eq!(theirs, json!([]));
    // Customers have no business with it.
    let customer = floor.app.customer_account(&floor.owner).await;
    assert_error(
        &floor.app.get("/api/skills", &customer).await,
        403,
        "forbidden",
    );
}

#[tokio::test]
async fn a_technician_without_a_required_skill_sees_why_and_cannot_claim_or_be_assigned() {
    let floor = Floor::open().await;
    let order = floor.order_needing(json!(["hybrid", "electrical"])).await;
    let plain = floor.order_needing(json!([])).await;

    let queue: Value = floor
        .app
        .get("/api/repair-orders/queue", &floor.technician)
        .await
        .json();
    let row = |id: &str| {
        queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        row(&order)["required_skills"],
        json!(["electrical", "Hybrid"])
    );
    assert_eq!(
        row(&order)["missing_skills"],
        json!(["electrical", "Hybrid"])
    );
    assert_eq!(row(&plain)["missing_skills"], json!([]));
    // Staff see what an order needs; "missing" is a technician's own view.
    let queue: Value = floor
        .app
        .get("/api/repair-orders/queue", &floor.manager)
        .await
        .json();
    assert!(queue["items"][0].get("missing_skills").is_none());

    let claim = floor.claim(&order).await;
    let body = assert_error(&claim, 422, "validation_failed");
    let said = body["error"]["fields"]["required_skills"][0]
        .as_str()
        .unwrap();
    assert!(
        said.contains("`electrical`") && said.contains("`Hybrid`"),
        "{said}"
    );
    let assign = floor
        .app
        .post(
            &format!("/api/repair-orders/{order}/assign"),
            &floor.manager,
            &json!({"technician_id": floor.technician.id}),
        )
        .await;
    let body = assert_error(&assign, 422, "validation_failed");
    assert!(body["error"]["fields"]["technician_id"][0]
        .as_str()
        .unwrap()
        .contains("`Hybrid`"));

    // With one of the two, still not; with both, the claim goes through.
    assert_eq!(floor.give_skills(json!(["HYBRID"])).await.0, 200);
    let claim = floor.claim(&order).await;
    let body = assert_error(&claim, 422, "validation_failed");
    assert!(!body["error"]["fields"]["required_skills"][0]
        .as_str()
        .unwrap()
        .contains("Hybrid"));
    let (status, profile) = floor
        .give_skills(json!(["hybrid", "electrical", "ac"]))
        .await;
    assert_eq!(status, 200, "{profile}");
    assert_eq!(profile["skills"], json!(["AC", "electrical", "Hybrid"]));
    let claim = floor.claim(&order).await;
    assert_eq!(claim.status_code(), 200, "{}", claim.text());
}

#[tokio::test]
async fn what_an_order_needs_changes_while_it_is_open() {
    let floor = Floor::open().await;
    let order = floor.order_needing(json!([])).await;
    let path = format!("/api/repair-orders/{order}");
    let response = floor
        .app
        .patch(&path, &floor.manager, &json!({"required_skills": ["ac"]}))
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    assert_eq!(response.json::<Value>()["required_skills"], json!(["AC"]));
    let claim = floor
        .app
        .post(&format!("{path}/claim"), &floor.technician, &json!({}))
        .await;
    assert_error(&claim, 422, "validation_failed");

    for (body, status) in [
        (json!({"required_skills": ["welding"]}), 422),
        (json!({"required_skills": "ac"}), 400),
        (json!({"status": "completed"}), 422),
    ] {
        let response = floor.app.patch(&path, &floor.manager, &body).await;
        assert_eq!(
            response.status_code(),
            status,
            "{body}: {}",
            response.text()
        );
    }
    assert_error(
        &floor
            .app
            .patch(&path, &floor.technician, &json!({"required_skills": []}))
            .await,
        403,
        "forbidden",
    );
    let response = floor
        .app
        .patch(&path, &floor.manager, &json!({"required_skills": []}))
        .await;
    assert_eq!(response.json::<Value>()["required_skills"], json!([]));
    let response = floor
        .app
        .post(
            "/api/repair-orders",
            &floor.owner,
            &json!({"site_id": floor.site, "vehicle_id": uuid::Uuid::new_v4(),
                    "description": "x", "required_skills": ["welding"]}),
        )
        .await;
    assert!(
        [404, 422].contains(&response.status_code().as_u16()),
        "{}",
        response.text()
    );
    let response = floor
        .app
        .post(&format!("{path}/claim"), &floor.technician, &json!({}))
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    floor
        .app
        .transition(&floor.technician, &order, "completed")
        .await;
    assert_error(
        &floor
            .app
            .patch(&path, &floor.manager, &json!({"required_skills": ["ac"]}))
            .await,
        409,
        "conflict",
    );
}

#[tokio::test]
async fn managers_keep_technicians_profiles_and_technicians_read_their_own() {
    let floor = Floor::open().await;
    let path = format!("/api/technicians/{}", floor.technician.id);
    let response = floor
        .app
        .patch(
            &path,
            &floor.manager,
            &json!({"phone": "+254711222333", "hire_date": "2021-03-01",
                    "certification_level": "senior", "home_site_id": floor.site,
                    "skills": ["electrical"]}),
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let own: Value = floor.app.get(&path, &floor.technician).await.json();
    assert_eq!(own["phone"], "+254711222333");
    assert_eq!(own["hire_date"], "2021-03-01");
    assert_eq!(own["certification_level"], "senior");
    assert_eq!(own["home_site"]["id"], floor.site.as_str());
    assert_eq!(own["skills"], json!(["electrical"]));
    assert_eq!(own["active"], true);

    // Technicians read, they do not edit; others' profiles are not theirs.
    assert_error(
        &floor
            .app
            .patch(&path, &floor.technician, &json!({"skills": ["ac"]}))
            .await,
        403,
        "forbidden",
    );
    let colleague = floor
        .app
        .staff(&floor.owner, "technician", &[&floor.site])
        .await;
    assert_error(&floor.app.get(&path, &colleague).await, 404, "not_found");
    let elsewhere = floor.app.site(&floor.owner, "MSA").await;
    let other_manager = floor
        .app
        .staff(&floor.owner, "manager", &[&elsewhere])
        .await;
    assert_error(
        &floor.app.get(&path, &other_manager).await,
        404,
        "not_found",
    );
    assert_error(
        &floor
            .app
            .patch(&path, &other_manager, &json!({"phone": null}))
            .await,
        404,
        "not_found",
    );
    // A manager is not a technician.
    assert_error(
        &floor
            .app
            .get(
                &format!("/api/technicians/{}", floor.manager.id),
                &floor.owner,
            )
            .await,
        404,
        "not_found",
    );

    for (body, field) in [
        (json!({"phone": "0711"}), "phone"),
        (json!({"hire_date": "2999-01-01"}), "hire_date"),
        (json!({"skills": ["welding"]}), "skills"),
        (json!({"home_site_id": elsewhere}), "home_site_id"),
        (json!({"role": "owner"}), "role"),
    ] {
        let response = floor.app.patch(&path, &floor.manager, &body).await;
        let error = assert_error(&response, 422, "validation_failed");
        assert!(
            error["error"]["fields"].get(field).is_some(),
            "{field}: {error}"
        );
    }
    let response = floor
        .app
        .patch(
            &path,
            &floor.manager,
            &json!({"certification_level": "guru"}),
        )
        .await;
    assert_eq!(response.status_code(), 422, "{}", response.text());
    let unchanged: Value = floor.app.get(&path, &floor.technician).await.json();
    assert_eq!(unchanged, own, "bad input changed nothing");

    let response = floor
        .app
        .patch(
            &path,
            &floor.owner,
            &json!({"phone": null, "certification_level": null}),
        )
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    let cleared: Value = response.json();
    assert_eq!(cleared["phone"], Value::Null);
    assert_eq!(cleared["certification_level"], Value::Null);
    assert_eq!(cleared["skills"], json!(["electrical"]));
}
