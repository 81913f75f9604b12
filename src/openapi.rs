//! The base of the OpenAPI document: info, servers, tags and security schemes.
//! Every path and schema comes from the handlers, through [`crate::router`].

use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme,
};
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
    servers((url = "/", description = "The instance serving this document: `make run` serves it at http://localhost:8080; a generated client takes its base URL")),
    tags(
        (name = "health", description = "Liveness and readiness of an instance"),
        (name = "identity", description = "People, integration clients, tokens and permissions"),
        (name = "audit", description = "The append-only record of who did and saw what"),
        (name = "centres", description = "Child contact centres, their venues, services and opening times"),
        (name = "postcodes", description = "Where a Great Britain postcode is. Contains OS data \u{a9} Crown copyright and database right 2025. Contains Royal Mail data \u{a9} Royal Mail copyright and database right 2025 (OS Code-Point Open, Open Government Licence v3.0)."),
        (name = "referrals", description = "How a family reaches a centre, and the centre's decision"),
        (name = "families", description = "The children and adults of an accepted referral"),
        (name = "sessions", description = "Pre-visits, and the contact sessions a family is booked into"),
    ),
    components(schemas(
        crate::error::Problem,
        crate::error::FieldError,
        crate::centres::dto::AlternativeCentre,
        crate::referrals::decisions::machine::Move,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// Declares the `bearer` scheme: a JWT access token from `/api/v1/auth/login` or
/// `/api/v1/auth/token`; and the `oauth2` scheme, the client-credentials flow of
/// integration clients, whose scopes each operation a client may call names.
struct BearerAuth;

/// What each scope of an integration client allows.
fn scope_description(scope: crate::identity::roles::Scope) -> &'static str {
    use crate::identity::roles::Scope;
    match scope {
        Scope::CentresRead => "Read the centres directory, including a centre's own details",
        Scope::ReferralsRead => {
            "Read the referrals of the client's organisation or centre, their families and documents"
        }
        Scope::ReferralsWrite => {
            "Make, change and send referrals for the client's organisation, and attach documents"
        }
        Scope::SessionsRead => "Read contact sessions (with the sessions routes)",
        Scope::AttendanceRead => "Read attendance (with the attendance routes)",
    }
}

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
        let scopes = Scopes::from_iter(
            crate::identity::roles::Scope::ALL
                .iter()
                .map(|s| (s.as_str(), scope_description(*s))),
        );
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::new(
                    "/api/v1/auth/token",
                    scopes,
                ))],
                "An integration client's token: `POST /api/v1/auth/token` with \
                 `grant_type=client_credentials`, its id and secret, and the scopes it \
                 asks for (at most those it was given). Sent as a bearer token.",
            )),
        );
    }
}

/// Documents the members that modules' own problems add to `Problem` (the
/// struct carries them as a map): `alternatives` of
/// `/problems/service-not-offered`. Applied to the whole document, after the
/// handlers' schemas are collected.
pub fn document_problem_members(openapi: &mut utoipa::openapi::OpenApi) {
    {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
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
            let existing = utoipa::openapi::schema::ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                    utoipa::openapi::schema::KnownFormat::Uuid,
                )))
                .description(Some(
                    "For `/problems/duplicate-referral`: the child's open referral at\n\
                     the centre.",
                ))
                .build();
            problem
                .properties
                .insert("existing_referral_id".to_owned(), existing.into());
            let current = utoipa::openapi::schema::OneOfBuilder::new()
                .item(ObjectBuilder::new().schema_type(Type::Null))
                .item(Ref::from_schema_name("ReferralStatus"))
                .description(Some(
                    "For `/problems/illegal-move`: the referral's status, from which the move was refused.",
                ))
                .build();
            problem
                .properties
                .insert("current_status".to_owned(), Schema::OneOf(current).into());
            let moves = ArrayBuilder::new()
                .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
                .items(Ref::from_schema_name("Move"))
                .description(Some(
                    "For `/problems/illegal-move`: the moves the caller may make from `current_status`.",
                ))
                .build();
            problem
                .properties
                .insert("allowed_moves".to_owned(), moves.into());
            if let Some(RefOr::T(Schema::Object(kind))) = problem.properties.get_mut("type") {
                kind.description = Some(crate::problem_types::markdown());
            }
        }
    }
}

/// Gives every schema a generator would otherwise name itself (`Type0`,
/// or a copy of an item type per page) a name of its own:
/// - a page of `X` (`Page_X`) lists items of the named schema `X`;
/// - an internally tagged enum of objects (a `oneOf` whose members each fix
///   a `kind`, such as `Fees`) gets one named schema per member (`FeesFree`)
///   and a `discriminator` on `kind`.
///
/// Worked on the JSON form of the document, then read back.
pub fn name_inline_schemas(openapi: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use serde_json::{json, Value};
    let Ok(mut doc) = serde_json::to_value(&openapi) else {
        return openapi;
    };
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return openapi;
    };
    let mut named: Vec<(String, Value)> = Vec::new();
    for (name, schema) in schemas.iter_mut() {
        if let Some(item) = name.strip_prefix("Page_") {
            if let Some(items) = schema.pointer_mut("/properties/items/items") {
                let inline = std::mem::replace(
                    items,
                    json!({"$ref": format!("#/components/schemas/{item}")}),
                );
                named.push((item.to_owned(), inline));
            }
        }
        let tagged = schema
            .get("oneOf")
            .and_then(Value::as_array)
            .is_some_and(|members| {
                members.len() > 1
                    && members
                        .iter()
                        .all(|m| m.pointer("/properties/kind/enum/0").is_some())
            });
        if tagged {
            let mut mapping = serde_json::Map::new();
            let mut refs = Vec::new();
            for member in schema["oneOf"].as_array().cloned().unwrap_or_default() {
                let kind = member
                    .pointer("/properties/kind/enum/0")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let variant = format!("{name}{}", upper_camel(&kind));
                let reference = format!("#/components/schemas/{variant}");
                mapping.insert(kind.clone(), json!(reference));
                refs.push(json!({"$ref": reference}));
                let mut member = member;
                if let Some(tag) = member.pointer_mut("/properties/kind") {
                    tag["description"] = json!(format!("`{kind}`: names this kind."));
                }
                named.push((variant, member));
            }
            schema["oneOf"] = Value::Array(refs);
            schema["discriminator"] = json!({"propertyName": "kind", "mapping": mapping});
        }
    }
    for (name, schema) in named {
        schemas.entry(name).or_insert(schema);
    }
    serde_json::from_value(doc).unwrap_or(openapi)
}

/// `supervised_contact` as `SupervisedContact`.
fn upper_camel(word: &str) -> String {
    word.split(['_', '-'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Declares the headers every operation shares, on the JSON form of the
/// document: `X-Request-Id` in (optional) and out (on every answer), and
/// `If-None-Match` on each read that answers 304 to a tag it still holds.
pub fn declare_headers(openapi: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use serde_json::{json, Value};
    let Ok(mut doc) = serde_json::to_value(&openapi) else {
        return openapi;
    };
    let request_id_in = json!({
        "name": "X-Request-Id",
        "in": "header",
        "required": false,
        "description": "Your id for this request (1 to 128 of `A-Z a-z 0-9 - _ . :`), echoed \
                        back and logged; another value is replaced by a new id.",
        "schema": {"type": "string"}
    });
    let request_id_out = json!({
        "description": "The request's id (yours if well-formed, else a new one); quote it to support.",
        "schema": {"type": "string"}
    });
    let if_none_match = json!({
        "name": "If-None-Match",
        "in": "header",
        "required": false,
        "description": "The `ETag` of an answer you hold: 304 with no body while it is current.",
        "schema": {"type": "string"}
    });
    let add_request_id = |response: &mut Value| {
        if let Some(response) = response.as_object_mut() {
            if response.contains_key("$ref") {
                return;
            }
            let headers = response.entry("headers").or_insert_with(|| json!({}));
            headers["X-Request-Id"] = request_id_out.clone();
        }
    };
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in item.iter_mut() {
                // Revalidation is for reads; a write's ETag is for If-Match.
                let cached = method == "get"
                    && operation.pointer("/responses/200/headers/ETag").is_some()
                    && operation.pointer("/responses/304").is_some();
                let parameters = operation
                    .as_object_mut()
                    .map(|o| o.entry("parameters").or_insert_with(|| json!([])));
                if let Some(Value::Array(parameters)) = parameters {
                    if cached {
                        parameters.push(if_none_match.clone());
                    }
                    parameters.push(request_id_in.clone());
                }
                if let Some(responses) = operation
                    .get_mut("responses")
                    .and_then(Value::as_object_mut)
                {
                    responses.values_mut().for_each(add_request_id);
                }
            }
        }
    }
    if let Some(responses) = doc
        .pointer_mut("/components/responses")
        .and_then(Value::as_object_mut)
    {
        responses.values_mut().for_each(add_request_id);
    }
    serde_json::from_value(doc).unwrap_or(openapi)
}

/// The last passes over the document, on its JSON form, for what utoipa's
/// types cannot hold: a property's description beside a `$ref` (utoipa puts
/// it inside the `oneOf` of an optional reference, where generators drop it)
/// and rules across fields that JSON Schema states with `if`/`then`.
pub fn finish(doc: &mut serde_json::Value) {
    use serde_json::Value;
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for schema in schemas.values_mut() {
        if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            properties
                .values_mut()
                .for_each(hoist_reference_description);
        }
    }
    for (name, mut rule) in conditional_requirements() {
        if let Some(schema) = schemas.get_mut(name).and_then(Value::as_object_mut) {
            // Each branch names every property of the object (as `true`, no
            // constraint), so that checkers that close a subschema (redocly's
            // example check does) read it as the schema means.
            let names: Vec<String> = schema
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            for branch in ["then", "else"] {
                if let Some(properties) = rule
                    .get_mut(branch)
                    .and_then(Value::as_object_mut)
                    .map(|b| {
                        b.entry("properties")
                            .or_insert_with(|| Value::Object(Default::default()))
                    })
                    .and_then(Value::as_object_mut)
                {
                    for name in &names {
                        properties.entry(name.clone()).or_insert(Value::Bool(true));
                    }
                }
            }
            schema.extend(rule);
        }
    }
}

/// `{"oneOf": [{"type": "null"}, {"$ref": .., "description": d}]}` becomes
/// `{"description": d, "oneOf": [{"type": "null"}, {"$ref": ..}]}`.
fn hoist_reference_description(property: &mut serde_json::Value) {
    let Some(members) = property.get_mut("oneOf").and_then(|m| m.as_array_mut()) else {
        return;
    };
    let description = members.iter_mut().find_map(|member| {
        member
            .as_object_mut()
            .filter(|m| m.contains_key("$ref"))
            .and_then(|m| m.remove("description"))
    });
    if let (Some(description), Some(property)) = (description, property.as_object_mut()) {
        property.entry("description").or_insert(description);
    }
}

/// Rules across fields that the handlers enforce and JSON Schema can state,
/// so that a client's validator and a fuzzer know them too. Each names the
/// code that enforces it.
fn conditional_requirements() -> Vec<(&'static str, serde_json::Map<String, serde_json::Value>)> {
    use serde_json::json;
    let rule = |value: serde_json::Value| value.as_object().cloned().unwrap_or_default();
    vec![
        // centres::handlers::change_centre_status: suspending or closing says why.
        (
            "ChangeCentreStatusRequest",
            rule(json!({
                "if": {"required": ["status"], "properties": {"status": {"enum": ["suspended", "closed"]}}},
                "then": {"required": ["reason"], "properties": {"reason": {"type": "string", "pattern": "\\S"}}}
            })),
        ),
        // centres::rules::accreditation: an accreditation names its body and expiry.
        (
            "Accreditation",
            rule(json!({
                "if": {"required": ["status"], "properties": {"status": {"enum": ["accredited", "provisional", "suspended", "expired"]}}},
                "then": {
                    "required": ["body", "expires_on"],
                    "properties": {"body": {"type": "string", "pattern": "\\S"}, "expires_on": {"type": "string"}}
                }
            })),
        ),
        // referrals::questions::dto::AskRequest::parse: a question to a party
        // names the adult; one to the referrer's side names none.
        (
            "AskRequest",
            rule(json!({
                "if": {"required": ["to"], "properties": {"to": {"const": "party"}}},
                "then": {"required": ["adult_id"], "properties": {"adult_id": {"type": "string"}}},
                "else": {"properties": {"adult_id": {"type": "null"}}}
            })),
        ),
        // identity::users::create_user: coordinators and staff, and only they,
        // belong to centres.
        (
            "CreateUserRequest",
            rule(json!({
                "if": {"required": ["role"], "properties": {"role": {"enum": ["coordinator", "staff"]}}},
                "then": {"required": ["centre_ids"], "properties": {"centre_ids": {"minItems": 1}}},
                "else": {"properties": {"centre_ids": {"maxItems": 0}}}
            })),
        ),
    ]
}
