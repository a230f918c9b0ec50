//! What an export of requests selects and holds, as values: the filter parsed from what a
//! person types, and the administrative row of one request. The store fills rows for a
//! filter; `crate::reports` writes them as files.

pub mod filter;
pub mod row;
