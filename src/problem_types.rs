//! The catalogue of problem types: every `type` an error answer can carry,
//! with its meaning. The spec lists them on `Problem.type`, and each type's
//! URI is a page for the person reading an error (`GET /problems/{kind}`).

use actix_web::{web, HttpResponse};

use crate::error::{ApiError, ProblemType, SHARED_PROBLEMS};

/// Every problem type: the shared ones, then each module's own.
pub fn catalogue() -> Vec<&'static ProblemType> {
    SHARED_PROBLEMS
        .iter()
        .chain(crate::referrals::problems::PROBLEMS)
        .chain(crate::postcodes::PROBLEMS)
        .chain(crate::http::preconditions::PROBLEMS)
        .chain(crate::sessions::contact::PROBLEMS)
        .collect()
}

/// The catalogue as Markdown, for the spec.
pub fn markdown() -> String {
    let mut text = String::from(
        "A URI reference naming the kind of problem; stable, safe to branch on. \
         Each is also a page for people (`GET /problems/{kind}`). The kinds:\n",
    );
    for p in catalogue() {
        let statuses: Vec<String> = p.statuses.iter().map(u16::to_string).collect();
        text.push_str(&format!(
            "\n- `{}` ({}): {}",
            p.uri,
            statuses.join(", "),
            p.meaning
        ));
    }
    text
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A problem type's page: its title, statuses and meaning.
pub async fn page(kind: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let uri = format!("/problems/{kind}");
    let problem = catalogue()
        .into_iter()
        .find(|p| p.uri == uri)
        .ok_or(ApiError::NotFound)?;
    let statuses: Vec<String> = problem.statuses.iter().map(u16::to_string).collect();
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title}</title></head><body>\n<h1>{title}</h1>\n\
         <p><code>{uri}</code>, HTTP {statuses}</p>\n<p>{meaning}</p>\n\
         <p><a href=\"/docs/\">The API documentation</a></p>\n</body></html>\n",
        title = escape(problem.title),
        uri = escape(problem.uri),
        statuses = statuses.join(", "),
        meaning = escape(problem.meaning),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(html))
}
