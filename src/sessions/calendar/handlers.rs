//! `POST|GET /families/{id}/calendar-feeds`,
//! `DELETE /families/{id}/calendar-feeds/{feed_id}`, `GET /calendar/{token}.ics`.

use actix_web::{delete, get, post, web, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ics;
use super::repo::{self, Feed};
use crate::audit::{self, Event};
use crate::centres::repo as centres_repo;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::identity::roles::UserStatus;
use crate::identity::secrets::{random_token, token_hash};
use crate::identity::{Caller, Principal};
use crate::referrals::access::Viewer;
use crate::referrals::model::ReferralStatus;
use crate::referrals::views::timestamp;
use crate::sessions::contact::handlers::family_head;
use crate::sessions::contact::{repo as contact_repo, views};
use crate::vocabulary::{AdultId, FamilyId};

/// Whose feed to make.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({}))]
pub struct FeedRequest {
    /// The party (the caller's own adult record); may be left out where
    /// the caller is one party of the family.
    pub adult_id: Option<Uuid>,
}

/// A calendar feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedResponse {
    /// The feed's id (to revoke it).
    pub id: Uuid,
    /// The party whose sessions it shows.
    pub adult_id: Uuid,
    /// When it was made.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When it was revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
    /// The secret address of the `.ics` (shown once, when made): anyone who
    /// holds it reads the party's sessions, so revoke it if it is shared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

fn view(f: &Feed, url: Option<String>) -> FeedResponse {
    FeedResponse {
        id: f.id,
        adult_id: f.adult_id.into(),
        created_at: timestamp(f.created_at),
        revoked_at: f.revoked_at.map(timestamp),
        url,
    }
}

/// The caller's own adult records in the family: a party only.
async fn own_adults(
    conn: &mut AsyncPgConnection,
    caller: &Principal,
    id: FamilyId,
) -> Result<Vec<AdultId>, ApiError> {
    let b = family_head(conn, id).await?;
    match (caller, views::viewer(caller, &b)?) {
        (Principal::User(_), Viewer::Parent { adult_ids }) if !adult_ids.is_empty() => {
            Ok(adult_ids)
        }
        _ => Err(ApiError::Forbidden),
    }
}

const ID: &str = "The family's id";

/// A party makes a calendar feed of their own sessions: its secret URL is
/// in the answer, once.
#[utoipa::path(
    tag = "sessions",
    params(("id" = Uuid, Path, description = ID)),
    request_body = FeedRequest,
    responses(
        (status = 201, description = "Made: the secret URL, shown this once", body = FeedResponse,
            headers(("Location" = String, description = "The party's feeds"))),
        (status = 403, description = "Not a party of the family", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not the caller's own adult record, or one must be named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/families/{id}/calendar-feeds")]
pub async fn make_feed(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<FamilyId>,
    body: web::Json<FeedRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let asked = body.adult_id.map(AdultId::from);
    let mut conn = pool.get().await?;
    let made = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let mine = own_adults(conn, &caller, id).await?;
            let adult = match (asked, mine.as_slice()) {
                (Some(a), _) if mine.contains(&a) => a,
                (None, [only]) => *only,
                (None, _) => {
                    return Err(ApiError::field(
                        "adult_id",
                        "required",
                        "name your adult record",
                    ))
                }
                (Some(_), _) => {
                    return Err(ApiError::field(
                        "adult_id",
                        "not_yours",
                        "must be your own adult record",
                    ))
                }
            };
            let Principal::User(user) = &*caller else {
                return Err(ApiError::Forbidden);
            };
            let token = random_token()?;
            let feed = Feed {
                id: Uuid::now_v7(),
                family_id: id,
                adult_id: adult,
                token_hash: token_hash(&token),
                created_by: user.id,
                created_at: OffsetDateTime::now_utc(),
                revoked_at: None,
            };
            repo::insert(conn, &feed).await?;
            audit::record(
                conn,
                Event::new(&caller, "make_calendar_feed", "family").resource(id),
            )
            .await?;
            Ok(view(&feed, Some(format!("/api/v1/calendar/{token}.ics"))))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/families/{id}/calendar-feeds")))
        .json(made))
}

/// A party's own calendar feeds of the family (never their URLs).
#[utoipa::path(
    tag = "sessions",
    params(("id" = Uuid, Path, description = ID)),
    responses(
        (status = 200, description = "The caller's feeds, newest first", body = Vec<FeedResponse>),
        (status = 403, description = "Not a party of the family", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such family the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/families/{id}/calendar-feeds")]
pub async fn list_feeds(
    pool: web::Data<Pool>,
    caller: Caller,
    id: web::Path<FamilyId>,
) -> Result<web::Json<Vec<FeedResponse>>, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.get().await?;
    let mine = own_adults(&mut conn, &caller, id).await?;
    let feeds = repo::of_adults(&mut conn, id, &mine).await?;
    Ok(web::Json(feeds.iter().map(|f| view(f, None)).collect()))
}

/// A party revokes one of their feeds: its URL answers nothing from then on.
#[utoipa::path(
    tag = "sessions",
    params(
        ("id" = Uuid, Path, description = ID),
        ("feed_id" = Uuid, Path, description = "The feed's id"),
    ),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "Not a party of the family", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such live feed of the caller's", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/families/{id}/calendar-feeds/{feed_id}")]
pub async fn revoke_feed(
    pool: web::Data<Pool>,
    caller: Caller,
    path: web::Path<(FamilyId, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, feed_id) = path.into_inner();
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let mine = own_adults(conn, &caller, id).await?;
        if !repo::revoke(conn, id, &mine, feed_id).await? {
            return Err(ApiError::NotFound);
        }
        audit::record(
            conn,
            Event::new(&caller, "revoke_calendar_feed", "family").resource(id),
        )
        .await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How far back a feed reaches.
const FEED_DAYS_BACK: i64 = 90;

/// A party's sessions as iCalendar, at the feed's secret URL: no token in a
/// header (calendar apps send none); the URL is the secret. It shows what
/// the party's own list shows, their own windows only. An unknown or
/// revoked feed is a 404, as is one whose maker's account is no longer
/// active or no longer the party's, or whose referral has ended.
#[utoipa::path(
    tag = "sessions",
    params(("token" = String, Path, description = "The feed's secret")),
    responses(
        (status = 200, description = "The party's sessions (text/calendar)", content(
            (crate::referrals::attachments::Document = "application/octet-stream"),
            (crate::referrals::attachments::Document = "text/calendar"),
        )),
        (status = 404, description = "No such live feed", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/calendar/{token}.ics")]
pub async fn read_feed(
    pool: web::Data<Pool>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let hash = token_hash(&token);
    let mut conn = pool.get().await?;
    let now = OffsetDateTime::now_utc();
    let found = repo::by_token(&mut conn, &hash)
        .await?
        .ok_or(ApiError::NotFound)?;
    let b = family_head(&conn, found.family_id).await?;
    // A feed lives as long as its maker's access: their account active,
    // still the party's, the referral not ended.
    let maker = crate::identity::repo::find_user(&mut conn, found.created_by).await?;
    let still_theirs = b
        .adults
        .iter()
        .any(|a| a.id == found.adult_id && a.user_id == Some(found.created_by));
    let ended = matches!(
        b.referral.status,
        ReferralStatus::Closed | ReferralStatus::Declined
    );
    if !still_theirs || ended || maker.is_none_or(|u| u.status != UserStatus::Active) {
        return Err(ApiError::NotFound);
    }
    // As the party's own list shows it, for this one adult.
    let viewer = Viewer::Parent {
        adult_ids: vec![found.adult_id],
    };
    let shown = views::shown(&conn, found.family_id, &viewer).await?;
    let (sessions, windows) =
        contact_repo::attended_by(&conn, found.family_id, &[found.adult_id]).await?;
    let venues = centres_repo::venues_of(&mut conn, b.referral.centre_id).await?;
    let shown: Vec<_> = sessions
        .into_iter()
        .filter(|s| s.ends_at > now - Duration::days(FEED_DAYS_BACK))
        .map(|s| views::session(s, &windows, &shown))
        .collect();
    let body = ics::calendar(
        &shown,
        |venue| {
            venues
                .iter()
                .find(|v| Uuid::from(v.id) == venue)
                .map(|v| v.name.clone())
                .unwrap_or_default()
        },
        now,
    );
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("Cache-Control", "private, no-store"))
        .body(body))
}
