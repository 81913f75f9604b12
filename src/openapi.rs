//! The base of the OpenAPI document: info, servers, tags and security schemes.
//! Every path and schema comes from the handlers, through [`crate::router`].

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
    ),
    components(schemas(
        crate::error::Problem,
        crate::error::FieldError,
        crate::centres::dto::AlternativeCentre
    )),
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

/// Documents the members that modules' own problems add to `Problem` (the
/// struct carries them as a map): `alternatives` of
/// `/problems/service-not-offered`. Applied to the whole document, after the
/// handlers' schemas are collected.
pub fn document_problem_members(openapi: &mut utoipa::openapi::OpenApi) {
    {
        use utoipa::openapi::schema::{ArrayBuilder, Schema, SchemaType, Type};
        use utoipa::openapi::{Ref, RefOr};
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        if let Some(RefOr::T(Schema::Object(problem))) = components.schemas.get_mut("Problem") {
            let alternatives = ArrayBuilder::new()
                .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
                .items(Ref::from_schema_name("AlternativeCentre"))
                .description(Some(
                    "For a centre that does not offer the service asked for: the nearest\n\
                     centres that do.",
                ))
                .build();
            problem
                .properties
                .insert("alternatives".to_owned(), alternatives.into());
        }
    }
}
