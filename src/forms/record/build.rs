//! Building the service record from the fields written, by mail or on the web alike, and
//! checking it: the record, or every problem at once, each naming its field and keeping
//! what was written so it can be given back.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

use super::values::{RecordValue, read_value};
use crate::domain::locale::Locale;
use crate::domain::request::{
    RecordContext, RecordField, RecordProblem, RecordProblemKind, RecordedCancellation, RequestType, ServiceRecord,
};
use crate::forms::values::says_nothing;

/// A problem with what was written, or with the record as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordIssue {
    pub problem: RecordProblem,
    /// What was written for the field, to give it back.
    pub written: Option<String>,
}

impl RecordIssue {
    pub fn describe(&self, locale: Locale) -> String {
        self.problem.describe(locale)
    }
}

/// Builds the record from the fields written (mail form or web form alike) and checks it:
/// the record, or every problem, field by field, in the form's order.
pub fn build_record(
    written: &BTreeMap<RecordField, String>,
    ctx: &RecordContext,
) -> Result<ServiceRecord, Vec<RecordIssue>> {
    use RecordField as F;
    let (values, mut issues) = read_written(written, ctx.now.date());
    let flag = |f| match values.get(&f) {
        Some(RecordValue::Flag(b)) => Some(*b),
        _ => None,
    };
    let time = |f| match values.get(&f) {
        Some(RecordValue::Time(t)) => Some(*t),
        _ => None,
    };
    let minutes = |f| match values.get(&f) {
        Some(RecordValue::Minutes(m)) => Some(*m),
        _ => None,
    };
    let count = |f| match values.get(&f) {
        Some(RecordValue::Count(n)) => Some(*n),
        _ => None,
    };
    let amount = |f| match values.get(&f) {
        Some(RecordValue::Amount(a)) => Some(*a),
        _ => None,
    };
    let text = |f| match values.get(&f) {
        Some(RecordValue::Text(t)) if !t.is_empty() => Some(t.clone()),
        _ => None,
    };
    let completed = flag(F::Completed);
    if completed.is_none() && !written.contains_key(&F::Completed) {
        issues.push(RecordIssue {
            problem: RecordProblem::new(F::Completed, RecordProblemKind::Required),
            written: None,
        });
    }
    let completed = completed.unwrap_or(true);
    let present = flag(F::InterpreterPresent);
    if present.is_none() && !completed && !written.contains_key(&F::InterpreterPresent) {
        issues.push(RecordIssue {
            problem: RecordProblem::new(F::InterpreterPresent, RecordProblemKind::Required),
            written: None,
        });
    }
    let cancellation = if completed { None } else { cancellation_of(&values) };
    let record = ServiceRecord {
        completed,
        interpreter_present: present.unwrap_or(completed),
        arrival_time: time(F::ArrivalTime),
        actual_start: time(F::ActualStart),
        actual_end: time(F::ActualEnd),
        actual_minutes: minutes(F::ActualDuration),
        overtime_reason: text(F::OvertimeReason),
        cancellation,
        waiting_minutes: minutes(F::WaitingTime).unwrap_or(0),
        distance_km: amount(F::Distance).unwrap_or(Decimal::ZERO),
        travel_minutes: minutes(F::TravelTime).unwrap_or(0),
        phone_calls: count(F::PhoneCalls).unwrap_or(0),
        words: count(F::Words).unwrap_or(0),
        other_fees: amount(F::OtherFees).unwrap_or(Decimal::ZERO),
        services_given: count(F::ServicesGiven),
        comments: text(F::Comments),
    };
    add_rule_problems(&record, ctx, written, &mut issues);
    if issues.is_empty() {
        Ok(record)
    } else {
        issues.sort_by_key(|i| i.problem.field);
        Err(issues)
    }
}

/// Reads every field written that says something: the values read, and a problem for each
/// value that could not be read, with what was written.
fn read_written(
    written: &BTreeMap<RecordField, String>,
    today: NaiveDate,
) -> (BTreeMap<RecordField, RecordValue>, Vec<RecordIssue>) {
    let mut issues = Vec::new();
    let mut values: BTreeMap<RecordField, RecordValue> = BTreeMap::new();
    for (&field, raw) in written {
        if says_nothing(raw) {
            continue;
        }
        match read_value(field, raw, today) {
            Ok(value) => {
                values.insert(field, value);
            }
            Err(problem) => issues.push(RecordIssue {
                problem: RecordProblem::new(field, problem),
                written: Some(raw.clone()),
            }),
        }
    }
    (values, issues)
}

/// The cancellation of a service not completed, when its four fields were read.
fn cancellation_of(values: &BTreeMap<RecordField, RecordValue>) -> Option<RecordedCancellation> {
    use RecordField as F;
    match (
        values.get(&F::GeneralReason),
        values.get(&F::DetailedReason),
        values.get(&F::CancelledOn),
        values.get(&F::CancelledAt),
    ) {
        (
            Some(RecordValue::General(general)),
            Some(RecordValue::Reason(reason)),
            Some(RecordValue::Date(date)),
            Some(RecordValue::Time(t)),
        ) => Some(RecordedCancellation {
            general: *general,
            reason: *reason,
            date: *date,
            time: *t,
        }),
        _ => None,
    }
}

/// Adds the problems of the rules between fields; a field already unreadable is not also
/// reported missing.
fn add_rule_problems(
    record: &ServiceRecord,
    ctx: &RecordContext,
    written: &BTreeMap<RecordField, String>,
    issues: &mut Vec<RecordIssue>,
) {
    for problem in record.problems(ctx) {
        let already = issues.iter().any(|i| i.problem.field == problem.field);
        let unreadable_part = problem.problem == RecordProblemKind::Required && written.contains_key(&problem.field);
        if !already && !unreadable_part {
            issues.push(RecordIssue {
                written: written.get(&problem.field).cloned(),
                problem,
            });
        }
    }
}

/// The local date-time of an appointment, for [`RecordContext`].
pub fn context(
    request_type: RequestType,
    date: NaiveDate,
    start: NaiveTime,
    scheduled_minutes: u32,
    now: NaiveDateTime,
) -> RecordContext {
    RecordContext {
        request_type,
        appointment: date.and_time(start),
        scheduled_minutes,
        now,
    }
}
