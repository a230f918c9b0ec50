//! The coordinators' list of people (`/admin/people`): everyone, narrowed by what is typed
//! (`people.search_key`, see `domain::person_search`), a role and the state of their
//! account, by name, one page at a time, with how many match in all.

use super::people::{PERSON_COLUMNS, PersonRow, search_parts};
use super::{StoreError, Tx, on_conn};
use crate::domain::person::Person;
use crate::domain::person_search::{self, Search};
use crate::domain::role::Role;
use std::str::FromStr;

/// Where a person stands with their web account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    /// Activated: they have set a password.
    Active,
    /// An activation link was sent, not used yet.
    LinkSent,
    /// Never invited.
    NoAccount,
    /// The person is inactive, whatever their account.
    Inactive,
}

impl AccountState {
    pub const ALL: [AccountState; 4] = [
        AccountState::Active,
        AccountState::LinkSent,
        AccountState::NoAccount,
        AccountState::Inactive,
    ];

    /// Its value in a page's address (`?status=`).
    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Active => "active",
            AccountState::LinkSent => "link-sent",
            AccountState::NoAccount => "none",
            AccountState::Inactive => "inactive",
        }
    }

    /// The condition on `p` (people) and `a` (accounts, left joined).
    fn condition(self) -> &'static str {
        match self {
            AccountState::Active => "p.active AND a.activated_at IS NOT NULL",
            AccountState::LinkSent => "p.active AND a.person_id IS NOT NULL AND a.activated_at IS NULL",
            AccountState::NoAccount => "p.active AND a.person_id IS NULL",
            AccountState::Inactive => "NOT p.active",
        }
    }
}

impl FromStr for AccountState {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        AccountState::ALL.into_iter().find(|a| a.as_str() == s).ok_or(())
    }
}

/// Which people, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    pub search: Option<Search>,
    pub role: Option<Role>,
    pub account: Option<AccountState>,
}

/// One person of the list.
#[derive(Debug, Clone)]
pub struct PeopleLine {
    pub person: Person,
    pub account: AccountState,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    #[sqlx(flatten)]
    person: PersonRow,
    requester: i64,
    interpreter: i64,
    coordinator: i64,
    account: i64,
}

const FROM: &str = "FROM people p LEFT JOIN accounts a ON a.person_id = p.id";

/// The `WHERE` clause of `filter` and its text parameters, numbered from `$1`.
fn conditions(filter: &PeopleFilter) -> (String, Vec<String>) {
    let mut params: Vec<String> = Vec::new();
    let mut clauses: Vec<String> = Vec::new();
    if let Some(search) = &filter.search {
        // The words hold letters and digits alone (`Search::parse`): no wildcard to escape.
        let mut words = Vec::new();
        for word in &search.words {
            params.push(format!("%{word}%"));
            words.push(format!("p.search_key LIKE ${}", params.len()));
        }
        let mut any = vec![format!("({})", words.join(" AND "))];
        if let Some(digits) = &search.digits {
            params.push(format!("%{digits}%"));
            any.push(format!("p.search_key LIKE ${}", params.len()));
        }
        clauses.push(format!("({})", any.join(" OR ")));
    }
    if let Some(role) = filter.role {
        params.push(role.as_str().to_string());
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role = ${})",
            params.len()
        ));
    }
    if let Some(account) = filter.account {
        clauses.push(format!("({})", account.condition()));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (sql, params)
}

fn holds(role: &str) -> String {
    format!(
        "CAST(CASE WHEN EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role = '{role}') \
         THEN 1 ELSE 0 END AS BIGINT) AS {role}"
    )
}

impl Tx {
    /// How many people `filter` lets through.
    pub async fn people_count(&mut self, filter: &PeopleFilter) -> Result<u64, StoreError> {
        let (clause, params) = conditions(filter);
        let sql = format!("SELECT COUNT(*) {FROM}{clause}");
        let n: i64 = on_conn!(self, |c| {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
            for p in &params {
                q = q.bind(p.clone());
            }
            q.fetch_one(c).await?
        });
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The people of `filter` by name, `limit` of them from the `offset`-th.
    pub async fn people_page(
        &mut self,
        filter: &PeopleFilter,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<PeopleLine>, StoreError> {
        let (clause, params) = conditions(filter);
        let columns = PERSON_COLUMNS
            .split(", ")
            .map(|c| format!("p.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let roles = Role::ALL.map(|r| holds(r.as_str())).join(", ");
        let (limit_at, offset_at) = (params.len() + 1, params.len() + 2);
        let sql = format!(
            "SELECT {columns}, {roles}, CAST(CASE WHEN NOT p.active THEN 3 WHEN a.person_id IS NULL THEN 2 \
             WHEN a.activated_at IS NULL THEN 1 ELSE 0 END AS BIGINT) AS account \
             {FROM}{clause} ORDER BY p.last_name, p.first_name, p.id LIMIT ${limit_at} OFFSET ${offset_at}"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let rows: Vec<LineRow> = on_conn!(self, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for p in &params {
                q = q.bind(p.clone());
            }
            q.bind(limit).bind(offset).fetch_all(c).await?
        });
        rows.into_iter()
            .map(|row| {
                let roles = [
                    (row.requester, Role::Requester),
                    (row.interpreter, Role::Interpreter),
                    (row.coordinator, Role::Coordinator),
                ];
                let mut roles: Vec<Role> = roles.into_iter().filter(|(n, _)| *n != 0).map(|(_, r)| r).collect();
                roles.sort();
                let account = match row.account {
                    0 => AccountState::Active,
                    1 => AccountState::LinkSent,
                    2 => AccountState::NoAccount,
                    _ => AccountState::Inactive,
                };
                Ok(PeopleLine {
                    person: row.person.into_person(roles)?,
                    account,
                })
            })
            .collect()
    }

    /// Writes the search key of each person without one (those written before the
    /// column was added); returns how many.
    pub async fn fill_search_keys(&mut self) -> Result<usize, StoreError> {
        let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE search_key IS NULL ORDER BY id");
        let rows: Vec<PersonRow> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(c)
            .await?);
        const SET: &str = "UPDATE people SET search_key = $2 WHERE id = $1";
        let n = rows.len();
        for row in rows {
            let person = row.into_person(Vec::new())?;
            let key = person_search::key(&search_parts(&person));
            on_conn!(self, |c| sqlx::query(SET)
                .bind(person.id.0)
                .bind(&key)
                .execute(c)
                .await?
                .rows_affected());
        }
        Ok(n)
    }
}
