//! The OpenAPI document: its fixed parts live here; every path and schema comes
//! from the handlers registered in [`crate::startup::routes`].

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Child contact centres API",
        description = "The API of child contact centres, their accrediting networks and \
the people around them: solicitors, Cafcass and Children's Court Officers, social workers, \
parents and the case-management systems they use.\n\n\
Families reach a centre by **referral**; the centre assesses risk, arranges **pre-visits**, \
then runs supported or supervised **contact sessions** and records **attendance**. The API \
keeps the rules that protect children: parties who must not meet never meet, one party's \
contact details never reach the other without consent, only approved people attend.\n\n\
**Errors** are RFC 9457 `application/problem+json` bodies with a stable `type`, a \
`request_id` (also in the `X-Request-Id` header, which you may set yourself) and, for \
validation problems, one entry per invalid field in `errors`.\n\n\
**Lists** are paginated by cursor: pass `limit` (1-100) and the `next_cursor` of the \
previous page as `cursor`.",
        contact(name = "Child contact centres API support", email = "support@childcontact.org.uk"),
        license(name = "MIT", identifier = "MIT"),
    ),
    servers((url = "/", description = "The instance serving this document")),
    tags(
        (name = "health", description = "Liveness and readiness of an instance"),
        (name = "identity", description = "People, integration clients, tokens and permissions"),
        (name = "audit", description = "The append-only record of who did and saw what"),
        (name = "centres", description = "Child contact centres, their venues, services and opening times"),
        (name = "postcodes", description = "Where a Great Britain postcode is. Contains OS data \u{a9} Crown copyright and database right 2025. Contains Royal Mail data \u{a9} Royal Mail copyright and database right 2025 (OS Code-Point Open, Open Government Licence v3.0)."),
        (name = "referrals", description = "How a family reaches a centre, and the centre's decision"),
        (name = "families", description = "The children and adults of an accepted referral"),
        (name = "sessions", description = "Pre-visits and contact sessions"),
        (name = "attendance", description = "Who came to a session, and when"),
        (name = "integrations", description = "Webhooks and other ways for systems to keep in step"),
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// Declares the `bearer` scheme: a JWT access token from `/api/v1/auth/login` or
/// `/api/v1/auth/token`.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token (JWT) sent as `Authorization: Bearer <token>`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The whole document, as the running service serves it.
pub fn spec() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, mut spec) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::startup::routes)
        .split_for_parts();
    add_common_problems(&mut spec);
    spec
}

/// Answers that whole classes of operations give, declared once here rather
/// than on each handler: every operation that takes a body can answer 400
/// (unreadable), 413 (too large) and 415 (wrong media type); every operation
/// that accepts a bearer token answers 401 to a missing or bad one.
fn add_common_problems(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                crate::error::PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
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
            let mut common = Vec::new();
            if operation.request_body.is_some() {
                common.extend([
                    ("400", "The body cannot be read"),
                    ("413", "The body is too large"),
                    ("415", "The body is not of the documented media type"),
                ]);
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
    }
}

/// The document as committed in `openapi/openapi.json`: pretty JSON, newline-terminated.
pub fn spec_json() -> String {
    let mut text = spec().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
