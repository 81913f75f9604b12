use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::CentreStatus;
use crate::error::ApiError;
use crate::schema::centres;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = centres)]
pub struct Centre {
    pub id: Uuid,
    pub name: String,
    pub status: String,
}

pub async fn insert(conn: &mut AsyncPgConnection, name: &str) -> Result<Centre, ApiError> {
    Ok(diesel::insert_into(centres::table)
        .values((
            centres::id.eq(Uuid::now_v7()),
            centres::name.eq(name),
            centres::status.eq(CentreStatus::Active.as_str()),
        ))
        .returning(Centre::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Centre>, ApiError> {
    Ok(centres::table
        .find(id)
        .select(Centre::as_select())
        .first(conn)
        .await
        .optional()?)
}
