//! What billing works on, as values: the facts of one billable request and the period a
//! document covers. The store fills items for a period; `crate::billing` turns them into
//! invoices and pay statements.

pub mod item;
pub mod period;
