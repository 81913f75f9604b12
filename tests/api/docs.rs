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

/// Generators read `security` literally: a public operation asks for nothing
/// (`[]`), an operation an integration client may call names the one scope it
/// needs, and every scope named is one the token endpoint gives.
#[test]
fn security_says_who_may_call_each_operation_as_generators_read_it() {
    let spec: serde_json::Value = serde_json::from_str(&ccc::router::spec_json()).unwrap();
    let schemes = &spec["components"]["securitySchemes"];
    let flow = &schemes["oauth2"]["flows"]["clientCredentials"];
    assert_eq!(flow["tokenUrl"], "/api/v1/auth/token");
    let scopes: Vec<&str> = flow["scopes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        scopes,
        [
            "attendance:read",
            "centres:read",
            "referrals:read",
            "referrals:write",
            "sessions:read"
        ]
    );
    let mut public = Vec::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let security = operation["security"].as_array().expect("security declared");
            assert!(
                !security.iter().any(|r| r == &serde_json::json!({})) || security.len() > 1,
                "{method} {path}: a lone {{}} requirement"
            );
            if security.is_empty() {
                public.push(format!("{} {path}", method.to_uppercase()));
            }
            for requirement in security {
                if let Some(named) = requirement.get("oauth2") {
                    let named = named.as_array().unwrap();
                    assert_eq!(named.len(), 1, "{method} {path}");
                    assert!(
                        scopes.contains(&named[0].as_str().unwrap()),
                        "{method} {path}"
                    );
                }
            }
        }
    }
    // The public operations: health, the sign-in flows, the directory's lists.
    for op in [
        "GET /health",
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/token",
        "GET /api/v1/postcodes/{postcode}",
    ] {
        assert!(public.contains(&op.to_owned()), "{op} in {public:?}");
    }
}

/// Every operation declares the answers any request can meet, once each in
/// `components/responses`: 429 and 503 with `Retry-After`, 500.
#[test]
fn every_operation_declares_limits_faults_and_outages() {
    let spec: serde_json::Value = serde_json::from_str(&ccc::router::spec_json()).unwrap();
    let shared = &spec["components"]["responses"];
    for name in ["TooManyRequests", "Unavailable"] {
        assert!(shared[name]["headers"]["Retry-After"].is_object(), "{name}");
    }
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            for (status, name) in [
                ("429", "TooManyRequests"),
                ("500", "InternalError"),
                ("503", "Unavailable"),
            ] {
                assert_eq!(
                    operation["responses"][status]["$ref"],
                    format!("#/components/responses/{name}"),
                    "{method} {path} {status}"
                );
            }
        }
    }
}

/// No generator has to invent a name: a page lists items of its named item
/// schema, and a choice of objects says which member by its `kind`.
#[test]
fn pages_and_choices_refer_to_named_schemas() {
    let spec: serde_json::Value = serde_json::from_str(&ccc::router::spec_json()).unwrap();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let mut pages = 0;
    for (name, schema) in schemas {
        if let Some(item) = name.strip_prefix("Page_") {
            pages += 1;
            assert_eq!(
                schema["properties"]["items"]["items"]["$ref"],
                format!("#/components/schemas/{item}"),
                "{name}"
            );
            assert!(schemas.contains_key(item), "{item}");
        }
        if let Some(members) = schema["oneOf"].as_array() {
            let objects = members.iter().filter(|m| m["type"] != "null").count();
            if objects > 1 {
                assert_eq!(schema["discriminator"]["propertyName"], "kind", "{name}");
                for member in members {
                    let target = member["$ref"].as_str().expect("a named member");
                    let target = target.rsplit('/').next().unwrap();
                    assert!(schemas.contains_key(target), "{target}");
                }
            }
        }
    }
    assert!(pages >= 8, "{pages}");
}

/// Every JSON request body shows a partner an example, and it fits its schema
/// as far as the document says (the referral's is also sent for real in
/// `referrals::intake`).
#[test]
fn every_json_request_body_has_an_example() {
    let spec: serde_json::Value = serde_json::from_str(&ccc::router::spec_json()).unwrap();
    let schemas = &spec["components"]["schemas"];
    let mut missing = Vec::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let Some(content) = operation["requestBody"]["content"].as_object() else {
                continue;
            };
            for (media, body) in content {
                if media == "application/octet-stream" {
                    continue;
                }
                let name = body["schema"]["$ref"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap();
                if schemas[name]["example"].is_null() {
                    missing.push(format!("{method} {path}: {name}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

/// Every property says what it is: a partner reads the generated client, not
/// the README. A new field comes with its sentence.
#[test]
fn every_property_has_a_description() {
    let spec: serde_json::Value = serde_json::from_str(&ccc::router::spec_json()).unwrap();
    let bare: Vec<String> = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(name, schema)| {
            schema["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, p)| {
                    p["description"]
                        .as_str()
                        .unwrap_or_default()
                        .trim()
                        .is_empty()
                })
                .map(move |(field, _)| format!("{name}.{field}"))
        })
        .collect();
    assert!(
        bare.is_empty(),
        "properties without a description: {bare:#?}"
    );
}

/// The types the spec names by their Rust name: those deriving `ToSchema`
/// and those made by `text_enum!`. Two of one name in different modules
/// would be one schema in the document, the later replacing the earlier
/// silently.
#[test]
fn no_two_schema_types_share_a_name() {
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut paths,
    );
    let mut seen: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for path in &paths {
        let code = std::fs::read_to_string(path).unwrap();
        let mut named = false;
        for line in code.lines() {
            let line = line.trim();
            if (line.starts_with("#[derive(") && line.contains("ToSchema"))
                || line.starts_with("crate::text_enum!")
            {
                named = true;
            }
            if named {
                let item = line
                    .strip_prefix("pub struct ")
                    .or_else(|| line.strip_prefix("pub enum "))
                    .or_else(|| line.strip_prefix("struct "))
                    .or_else(|| line.strip_prefix("enum "));
                if let Some(item) = item {
                    let name: String = item
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    seen.entry(name)
                        .or_default()
                        .push(path.display().to_string());
                    named = false;
                }
            }
        }
    }
    let twice: Vec<_> = seen.iter().filter(|(_, at)| at.len() > 1).collect();
    assert!(
        seen.len() > 100,
        "too few schema types found: {}",
        seen.len()
    );
    assert!(twice.is_empty(), "schema names used twice: {twice:?}");
}
