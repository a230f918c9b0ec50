//! The request life cycle as a typed state machine.
//!
//! A transition is a lookup in [`RULES`]: an event, the statuses it may start from, the
//! status it leads to, and who may make it. Anything else is a [`TransitionError`];
//! nothing here panics or silently does nothing. The table in
//! `docs/state-machine.md` is [`markdown_table`]'s output, and a test keeps the two equal.

use crate::domain::locale::Locale;
use crate::domain::role::ActorKind;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Brouillon: not sent yet.
    Draft,
    /// Nouveau (en attente): sent, waiting for a coordinator.
    New,
    /// Offert: offered or assigned to one or more interpreters, waiting for an answer.
    Offered,
    /// Réservé: an interpreter accepted.
    Booked,
    /// Modifié: the requester changed a booked request; the interpreter must accept again.
    Modified,
    /// Annulé.
    Cancelled,
    /// Service fourni: the interpreter recorded the service.
    ServiceRendered,
    /// Validé: the requester validated the record, or 48 h passed.
    Validated,
    /// Fermé: a coordinator checked the record.
    Closed,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 9] = [
        RequestStatus::Draft,
        RequestStatus::New,
        RequestStatus::Offered,
        RequestStatus::Booked,
        RequestStatus::Modified,
        RequestStatus::Cancelled,
        RequestStatus::ServiceRendered,
        RequestStatus::Validated,
        RequestStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Draft => "draft",
            RequestStatus::New => "new",
            RequestStatus::Offered => "offered",
            RequestStatus::Booked => "booked",
            RequestStatus::Modified => "modified",
            RequestStatus::Cancelled => "cancelled",
            RequestStatus::ServiceRendered => "service_rendered",
            RequestStatus::Validated => "validated",
            RequestStatus::Closed => "closed",
        }
    }

    /// What the request is now, agreed with « la demande »: « La demande est maintenant
    /// réservée » / "The request is now booked".
    pub fn as_state_of_request(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            RequestStatus::Draft => ("enregistrée comme brouillon", "saved as a draft"),
            RequestStatus::New => ("envoyée à la coordination", "sent to the coordinators"),
            RequestStatus::Offered => ("offerte aux interprètes", "offered to interpreters"),
            RequestStatus::Booked => ("réservée", "booked"),
            RequestStatus::Modified => ("modifiée, en attente d'acceptation", "changed, awaiting acceptance"),
            RequestStatus::Cancelled => ("annulée", "cancelled"),
            RequestStatus::ServiceRendered => ("réalisée, en attente de validation", "done, awaiting validation"),
            RequestStatus::Validated => ("validée", "validated"),
            RequestStatus::Closed => ("fermée", "closed"),
        };
        locale.pick(fr, en)
    }

    /// The word people read, in the seeds' vocabulary.
    pub fn label(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            RequestStatus::Draft => ("Brouillon", "Draft"),
            RequestStatus::New => ("Nouveau", "New"),
            RequestStatus::Offered => ("En attente d'acceptation", "Awaiting acceptance"),
            RequestStatus::Booked => ("Réservé", "Booked"),
            RequestStatus::Modified => ("Modifié", "Modified"),
            RequestStatus::Cancelled => ("Annulé", "Cancelled"),
            RequestStatus::ServiceRendered => ("Service fourni", "Service rendered"),
            RequestStatus::Validated => ("Validé", "Validated"),
            RequestStatus::Closed => ("Fermé", "Closed"),
        };
        locale.pick(fr, en)
    }

    /// No event leads out of these.
    pub fn is_terminal(self) -> bool {
        matches!(self, RequestStatus::Cancelled | RequestStatus::Closed)
    }

    /// Applies `event` made by `actor`, giving the next status or why not.
    pub fn apply(self, event: Event, actor: ActorKind) -> Result<RequestStatus, TransitionError> {
        let rule = RULES
            .iter()
            .find(|r| r.event == event)
            .ok_or(TransitionError::NotAllowed { from: self, event })?;
        let to = rule
            .edges
            .iter()
            .find(|(from, _)| *from == self)
            .map(|(_, to)| *to)
            .ok_or(TransitionError::NotAllowed { from: self, event })?;
        if !rule.actors.contains(&actor) {
            return Err(TransitionError::NotPermitted { event, actor });
        }
        Ok(to)
    }
}

impl fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RequestStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RequestStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown request status {s:?}"))
    }
}

/// Something that happens to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The requester sends a draft ("Sauvegarder" in the seeds).
    Submit,
    /// A coordinator offers or assigns the request to an interpreter (or more).
    Offer,
    /// Every open offer lapsed or was withdrawn: back to the coordinators.
    OffersLapsed,
    /// The offered (or, after a modification, the assigned) interpreter accepts.
    Accept,
    /// The last offered interpreter refuses, or the assigned one refuses a modification.
    Decline,
    /// The request's details change; a booked request becomes modified.
    Modify,
    /// The assigned interpreter withdraws (désistement): back to the coordinators.
    Withdraw,
    Cancel,
    /// The interpreter records the service (réalisation), completed or not.
    RecordService,
    /// The requester validates the record, or nobody contested it in time.
    Validate,
    /// The requester disputes the record: it waits for a coordinator, never validated by time.
    Contest,
    /// A coordinator checked the record.
    Close,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Submit => "submit",
            Event::Offer => "offer",
            Event::OffersLapsed => "offers_lapsed",
            Event::Accept => "accept",
            Event::Decline => "decline",
            Event::Modify => "modify",
            Event::Withdraw => "withdraw",
            Event::Cancel => "cancel",
            Event::RecordService => "record_service",
            Event::Validate => "validate",
            Event::Contest => "contest",
            Event::Close => "close",
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a transition was refused. The request is left exactly as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a request that is {from} cannot {event}")]
    NotAllowed { from: RequestStatus, event: Event },
    #[error("a {actor} may not {event} a request")]
    NotPermitted { event: Event, actor: ActorKind },
}

/// One event: the edges it may take and who may make it.
#[derive(Debug)]
pub struct Rule {
    pub event: Event,
    pub edges: &'static [(RequestStatus, RequestStatus)],
    pub actors: &'static [ActorKind],
}

use ActorKind as A;
use RequestStatus as S;

/// The whole machine.
pub const RULES: &[Rule] = &[
    Rule {
        event: Event::Submit,
        edges: &[(S::Draft, S::New)],
        actors: &[A::Requester, A::Coordinator],
    },
    Rule {
        event: Event::Offer,
        edges: &[(S::New, S::Offered), (S::Offered, S::Offered)],
        actors: &[A::Coordinator, A::System],
    },
    Rule {
        event: Event::OffersLapsed,
        edges: &[(S::Offered, S::New)],
        actors: &[A::Coordinator, A::System],
    },
    Rule {
        event: Event::Accept,
        edges: &[(S::Offered, S::Booked), (S::Modified, S::Booked)],
        actors: &[A::Interpreter],
    },
    Rule {
        event: Event::Decline,
        edges: &[(S::Offered, S::New), (S::Modified, S::New)],
        actors: &[A::Interpreter],
    },
    Rule {
        event: Event::Modify,
        edges: &[
            (S::Draft, S::Draft),
            (S::New, S::New),
            (S::Offered, S::Offered),
            (S::Booked, S::Modified),
            (S::Modified, S::Modified),
        ],
        actors: &[A::Requester, A::Coordinator],
    },
    Rule {
        event: Event::Withdraw,
        edges: &[(S::Booked, S::New), (S::Modified, S::New)],
        actors: &[A::Interpreter, A::Coordinator],
    },
    Rule {
        event: Event::Cancel,
        edges: &[
            (S::Draft, S::Cancelled),
            (S::New, S::Cancelled),
            (S::Offered, S::Cancelled),
            (S::Booked, S::Cancelled),
            (S::Modified, S::Cancelled),
        ],
        actors: &[A::Requester, A::Coordinator],
    },
    Rule {
        event: Event::RecordService,
        // Corrected until validated; a cancelled request keeps its status and gets a record
        // of the calls made or of the late cancellation.
        edges: &[
            (S::Booked, S::ServiceRendered),
            (S::ServiceRendered, S::ServiceRendered),
            (S::Cancelled, S::Cancelled),
        ],
        actors: &[A::Interpreter, A::Coordinator],
    },
    Rule {
        event: Event::Validate,
        edges: &[(S::ServiceRendered, S::Validated)],
        actors: &[A::Requester, A::Coordinator, A::System],
    },
    Rule {
        event: Event::Contest,
        edges: &[(S::ServiceRendered, S::ServiceRendered)],
        actors: &[A::Requester, A::Coordinator],
    },
    Rule {
        event: Event::Close,
        // A contested record is closed by the coordinator who checked it.
        edges: &[(S::Validated, S::Closed), (S::ServiceRendered, S::Closed)],
        actors: &[A::Coordinator],
    },
];

/// Every event, in the order of [`RULES`].
pub fn all_events() -> impl Iterator<Item = Event> {
    RULES.iter().map(|r| r.event)
}

/// The machine as a Markdown table, for `docs/state-machine.md`.
pub fn markdown_table() -> String {
    let mut out = String::from("| event | from | to | who may |\n|---|---|---|---|\n");
    for rule in RULES {
        let actors: Vec<&str> = rule.actors.iter().map(|a| a.as_str()).collect();
        for (from, to) in rule.edges {
            out.push_str(&format!(
                "| {} | {} ({}) | {} ({}) | {} |\n",
                rule.event,
                from,
                from.label(Locale::Fr),
                to,
                to.label(Locale::Fr),
                actors.join(", ")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_life_cycle_goes_through() {
        let mut s = S::Draft;
        for (event, actor, expected) in [
            (Event::Submit, A::Requester, S::New),
            (Event::Offer, A::Coordinator, S::Offered),
            (Event::Accept, A::Interpreter, S::Booked),
            (Event::Modify, A::Requester, S::Modified),
            (Event::Accept, A::Interpreter, S::Booked),
            (Event::RecordService, A::Interpreter, S::ServiceRendered),
            (Event::Validate, A::System, S::Validated),
            (Event::Close, A::Coordinator, S::Closed),
        ] {
            s = s.apply(event, actor).unwrap();
            assert_eq!(s, expected);
        }
        assert!(s.is_terminal());
    }

    #[test]
    fn refusals_are_typed() {
        assert_eq!(
            S::Closed.apply(Event::Cancel, A::Coordinator),
            Err(TransitionError::NotAllowed {
                from: S::Closed,
                event: Event::Cancel
            })
        );
        assert_eq!(
            S::Offered.apply(Event::Accept, A::Requester),
            Err(TransitionError::NotPermitted {
                event: Event::Accept,
                actor: A::Requester
            })
        );
        assert_eq!(
            S::Validated.apply(Event::Close, A::Requester),
            Err(TransitionError::NotPermitted {
                event: Event::Close,
                actor: A::Requester
            })
        );
    }

    #[test]
    fn every_event_has_one_rule_and_edges_are_unique() {
        for event in all_events() {
            let rules: Vec<_> = RULES.iter().filter(|r| r.event == event).collect();
            assert_eq!(rules.len(), 1, "{event} has {} rules", rules.len());
            let mut froms: Vec<_> = rules[0].edges.iter().map(|(f, _)| *f).collect();
            froms.sort();
            froms.dedup();
            assert_eq!(
                froms.len(),
                rules[0].edges.len(),
                "{event} has two edges from one status"
            );
        }
    }

    #[test]
    fn terminal_statuses_have_no_way_out() {
        for rule in RULES {
            for (from, to) in rule.edges {
                // A terminal request may still be annotated (a record of calls made), never moved.
                assert!(
                    !from.is_terminal() || from == to,
                    "{} leaves terminal {}",
                    rule.event,
                    from
                );
            }
        }
    }

    #[test]
    fn statuses_round_trip_through_text() {
        for s in RequestStatus::ALL {
            assert_eq!(s.as_str().parse::<RequestStatus>().unwrap(), s);
        }
    }
}
