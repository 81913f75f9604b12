use crate::helpers::spawn_app;

#[test]
fn the_committed_spec_is_up_to_date() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json is committed");
    assert!(
        committed == ccc::router::spec_json(),
        "openapi/openapi.json is stale: run `make openapi` and commit it"
    );
}

#[tokio::test]
async fn the_spec_is_served_and_is_the_committed_one() {
    let app = spawn_app().await;
    let response = app.get("/api-docs/openapi.json").await;
    assert_eq!(response.status(), 200);
    let served: serde_json::Value = response.json().await.unwrap();
    let committed: serde_json::Value = serde_json::from_str(&ccc::router::spec_json()).unwrap();
    assert_eq!(served, committed);
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(served["components"]["securitySchemes"]["bearer"].is_object());
    assert!(served["components"]["schemas"]["Problem"].is_object());
    // Every operation has one tag, declared with a description; every declared
    // tag has operations (a generator makes an empty client of an empty tag).
    let declared: std::collections::BTreeSet<&str> = served["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert!(
                !t["description"].as_str().unwrap_or_default().is_empty(),
                "{t}"
            );
            t["name"].as_str().unwrap()
        })
        .collect();
    let mut used = std::collections::BTreeSet::new();
    for (path, operations) in served["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let tags = operation["tags"].as_array().unwrap();
            assert_eq!(tags.len(), 1, "{method} {path}");
            used.insert(tags[0].as_str().unwrap());
        }
    }
    assert_eq!(declared, used);
}

#[tokio::test]
async fn the_docs_ui_is_served_from_the_binary() {
    let app = spawn_app().await;
    let redirect = app.get("/docs").await;
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/docs/");
    let page = app.get("/docs/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    // Its assets come from this server, not a CDN.
    assert!(!html.contains("https://"), "{html}");
    let init = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(init.status(), 200);
    assert!(init
        .text()
        .await
        .unwrap()
        .contains("/api-docs/openapi.json"));
}
