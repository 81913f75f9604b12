//! The keyset condition of every list: the rows beyond a cursor, written as a
//! row comparison `(key, id) > ($1, $2)` (`<` for newest-first lists).
//!
//! PostgreSQL seeks a `(key, id)` index straight to a row comparison, so a
//! deep page costs what the first does. The equivalent `key > $1 OR (key = $1
//! AND id > $2)` cannot seek: it reads every row before the cursor, and a page
//! 200,000 rows deep took hundreds of times longer.

use diesel::expression::{is_aggregate, AppearsOnTable, Expression, SelectableExpression};
use diesel::expression::{AsExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::Bool;
use diesel::QueryResult;

/// Which way a list runs along its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Oldest, or first alphabetically, first.
    Ascending,
    /// Newest first.
    Descending,
}

/// `(key, id) > (key_value, id_value)`, or `<` when descending: the rows after
/// a cursor in the list's order. Build it with [`beyond`].
#[derive(Debug, Clone)]
pub struct Beyond<K, I, KV, IV> {
    key: K,
    id: I,
    key_value: KV,
    id_value: IV,
    direction: Direction,
}

/// The rows after the cursor `(key_value, id_value)` of a list ordered by
/// `(key, id)` in `direction`.
pub fn beyond<K, I, KT, IT>(
    key: K,
    id: I,
    direction: Direction,
    key_value: KT,
    id_value: IT,
) -> Beyond<K, I, KT::Expression, IT::Expression>
where
    K: Expression,
    I: Expression,
    KT: AsExpression<K::SqlType>,
    IT: AsExpression<I::SqlType>,
    K::SqlType: diesel::sql_types::SqlType,
    I::SqlType: diesel::sql_types::SqlType,
{
    Beyond {
        key,
        id,
        key_value: key_value.as_expression(),
        id_value: id_value.as_expression(),
        direction,
    }
}

impl<K, I, KV, IV> Expression for Beyond<K, I, KV, IV> {
    type SqlType = Bool;
}

impl<K, I, KV, IV> QueryFragment<Pg> for Beyond<K, I, KV, IV>
where
    K: QueryFragment<Pg>,
    I: QueryFragment<Pg>,
    KV: QueryFragment<Pg>,
    IV: QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("((");
        self.key.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        self.id.walk_ast(out.reborrow())?;
        out.push_sql(match self.direction {
            Direction::Ascending => ") > (",
            Direction::Descending => ") < (",
        });
        self.key_value.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        self.id_value.walk_ast(out.reborrow())?;
        out.push_sql("))");
        Ok(())
    }
}

impl<K, I, KV, IV> QueryId for Beyond<K, I, KV, IV> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<QS, K, I, KV, IV> AppearsOnTable<QS> for Beyond<K, I, KV, IV>
where
    K: AppearsOnTable<QS>,
    I: AppearsOnTable<QS>,
    KV: AppearsOnTable<QS>,
    IV: AppearsOnTable<QS>,
{
}

impl<QS, K, I, KV, IV> SelectableExpression<QS> for Beyond<K, I, KV, IV>
where
    K: SelectableExpression<QS>,
    I: SelectableExpression<QS>,
    KV: SelectableExpression<QS>,
    IV: SelectableExpression<QS>,
{
}

impl<K, I, KV, IV> ValidGrouping<()> for Beyond<K, I, KV, IV> {
    type IsAggregate = is_aggregate::Never;
}
