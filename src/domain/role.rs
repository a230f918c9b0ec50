//! Who acts: the three kinds of users of the seeds, and Relais itself.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A role a person holds. A person may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Demandeur: a professional of an établissement who needs an interpreter.
    Requester,
    /// Interprète.
    Interpreter,
    /// Coordonnateur: a member of the bank's team who assigns interpreters.
    Coordinator,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Requester, Role::Interpreter, Role::Coordinator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Requester => "requester",
            Role::Interpreter => "interpreter",
            Role::Coordinator => "coordinator",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Role::Requester => "demandeur",
            Role::Interpreter => "interprète",
            Role::Coordinator => "coordonnateur",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "requester" => Ok(Role::Requester),
            "interpreter" => Ok(Role::Interpreter),
            "coordinator" => Ok(Role::Coordinator),
            other => Err(format!("unknown role {other:?}")),
        }
    }
}

/// The capacity in which a transition is made: a person's role, or Relais itself
/// (expiries, automatic validation after 48 h, retention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Requester,
    Interpreter,
    Coordinator,
    System,
}

impl ActorKind {
    pub const ALL: [ActorKind; 4] = [
        ActorKind::Requester,
        ActorKind::Interpreter,
        ActorKind::Coordinator,
        ActorKind::System,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Requester => "requester",
            ActorKind::Interpreter => "interpreter",
            ActorKind::Coordinator => "coordinator",
            ActorKind::System => "system",
        }
    }
}

impl From<Role> for ActorKind {
    fn from(r: Role) -> Self {
        match r {
            Role::Requester => ActorKind::Requester,
            Role::Interpreter => ActorKind::Interpreter,
            Role::Coordinator => ActorKind::Coordinator,
        }
    }
}

impl fmt::Display for ActorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The channel an action came through; recorded in every history entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
    Link,
    Web,
    /// Relais itself: timers, sweeps.
    System,
    /// The command line (`relais demo`, imports).
    Cli,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Link => "link",
            Channel::Web => "web",
            Channel::System => "system",
            Channel::Cli => "cli",
        }
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "email" => Ok(Channel::Email),
            "sms" => Ok(Channel::Sms),
            "link" => Ok(Channel::Link),
            "web" => Ok(Channel::Web),
            "system" => Ok(Channel::System),
            "cli" => Ok(Channel::Cli),
            other => Err(format!("unknown channel {other:?}")),
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
