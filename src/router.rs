//! One router builds both the app and its OpenAPI document, so the two cannot
//! drift apart: every module registers its routes in its `configure`, and the
//! document is what utoipa collects from them, on top of [`crate::openapi`].

use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::routes::{self, Routes};
use crate::{
    attendance, auth, centres, families, health, identity, postcodes, referrals, reports, sessions,
};

/// Every documented route. The router and the OpenAPI document are both built
/// from this one function, so they cannot drift apart. The API's routes are
/// grouped by their first segment and number of segments ([`routes::grouped`]).
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::health).service(health::ready);
    routes::grouped(cfg, "/api/v1", every_module);
}

/// Each module registers its routes, in this order.
fn every_module(routes: &mut Routes) {
    auth::configure(routes);
    identity::configure(routes);
    centres::configure(routes);
    postcodes::configure(routes);
    referrals::configure(routes);
    families::configure(routes);
    reports::configure(routes);
    sessions::configure(routes);
    attendance::configure(routes);
}

/// The whole document, as the running service serves it.
pub fn spec() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, mut spec) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(crate::openapi::ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    add_common_problems(&mut spec);
    crate::openapi::document_problem_members(&mut spec);
    crate::openapi::declare_headers(crate::openapi::name_inline_schemas(spec))
}

/// Answers that whole classes of operations give, declared once here rather
/// than on each handler: every operation that takes a body can answer 400
/// (unreadable), 413 (too large) and 415 (wrong media type); every operation
/// that accepts a bearer token answers 401 to a missing or bad one.
fn add_common_problems(spec: &mut utoipa::openapi::OpenApi) {
    let shared = shared_responses(spec);
    for item in spec.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            mark_public(operation);
            declare_common(operation, &shared);
        }
    }
}

/// A problem+json answer with `description`.
fn problem(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            crate::error::PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// A public operation needs no credentials at all: `security: []`. (`[{}]`
/// would read as "one requirement", which some generators take as "logged
/// in".) One where a token is optional is public too, and says in its
/// description what a token adds.
fn mark_public(operation: &mut utoipa::openapi::path::Operation) {
    let requirements = serde_json::to_value(&operation.security).unwrap_or_default();
    let requirements = requirements.as_array().cloned().unwrap_or_default();
    if !requirements.contains(&serde_json::json!({})) {
        return;
    }
    operation.security = Some(Vec::new());
    if requirements.len() > 1 {
        let scopes: Vec<String> = requirements
            .iter()
            .filter_map(|r| r.get("oauth2")?.as_array().cloned())
            .flatten()
            .filter_map(|s| s.as_str().map(|s| format!("`{s}`")))
            .collect();
        let note = format!(
            "\n\n**Authentication is optional.** With a bearer token (a person's, \
             or an integration client's with {}) the answer is what that caller may \
             see; a token that is sent must be valid (401).",
            scopes.join(" or ")
        );
        let description = operation.description.get_or_insert_with(String::new);
        description.push_str(&note);
        operation.responses.responses.insert(
            "401".to_owned(),
            problem("A token was sent and is not valid").into(),
        );
    }
}

/// The answers an operation gives by its shape: the `shared` ones (a limit,
/// a fault, the database away: one declaration each, with its headers; an
/// operation's own 429 gives way to it); 400/413/415 for a body; 401 for a
/// bearer token.
fn declare_common(
    operation: &mut utoipa::openapi::path::Operation,
    shared: &[(&'static str, &'static str)],
) {
    for (status, name) in shared {
        operation.responses.responses.insert(
            (*status).to_owned(),
            utoipa::openapi::Ref::new(format!("#/components/responses/{name}")).into(),
        );
    }
    let mut common = Vec::new();
    match &operation.request_body {
        // Raw bytes (a document): any media type is read as bytes.
        Some(body) if body.content.keys().all(|t| t == "application/octet-stream") => {
            common.push(("413", "The body is too large"));
        }
        Some(_) => common.extend([
            ("400", "The body cannot be read"),
            ("413", "The body is too large"),
            ("415", "The body is not of the documented media type"),
        ]),
        None => {}
    }
    let accepts_bearer = serde_json::to_value(&operation.security)
        .map(|v| v.to_string().contains("\"bearer\""))
        .unwrap_or(false);
    if accepts_bearer {
        common.push(("401", "No access token, or one that is not valid"));
    }
    for (status, description) in common {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| problem(description).into());
    }
}

/// Declares the answers every operation can give in `components/responses`
/// (429, 500, 503, with `Retry-After` where a retry is worth it); returns
/// each status with its component's name.
fn shared_responses(spec: &mut utoipa::openapi::OpenApi) -> Vec<(&'static str, &'static str)> {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let shared = [
        (
            "429",
            "TooManyRequests",
            "A limit holds; wait the seconds in Retry-After",
            true,
        ),
        (
            "500",
            "InternalError",
            "An unexpected fault, logged under the problem's error_id",
            false,
        ),
        (
            "503",
            "Unavailable",
            "The database is away or busy; retry after Retry-After",
            true,
        ),
    ];
    let components = spec.components.get_or_insert_with(Default::default);
    for (_, name, description, retry) in shared {
        let mut response = ResponseBuilder::new().description(description).content(
            crate::error::PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        );
        if retry {
            response = response.header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(0)),
                    )
                    .description(Some("Seconds to wait before retrying"))
                    .build(),
            );
        }
        components
            .responses
            .insert(name.to_owned(), response.build().into());
    }
    shared.iter().map(|(s, n, _, _)| (*s, *n)).collect()
}

/// The document as served at `/api-docs/openapi.json`: [`spec`] with what
/// utoipa's types cannot hold (JSON Schema `if`/`then`, descriptions beside a
/// `$ref`), added by [`crate::openapi::finish`].
pub fn spec_value() -> serde_json::Value {
    let mut doc = serde_json::to_value(spec()).unwrap_or_default();
    crate::openapi::finish(&mut doc);
    doc
}

/// The document as committed in `openapi/openapi.json`: pretty JSON, newline-terminated.
pub fn spec_json() -> String {
    let mut text = serde_json::to_string_pretty(&spec_value()).unwrap_or_default();
    text.push('\n');
    text
}
