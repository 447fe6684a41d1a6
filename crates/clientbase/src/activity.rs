//! Activities: calls, emails, messages, meetings, tasks and notes about a client,
//! and the engagement events a host tracks (site visits, submitted forms,
//! attended events). A mailing opened or clicked is an outbound `email` whose
//! `outcome` says so; a reply is an inbound `email` or `message`.
//!
//! ```
//! use clientbase::{Activity, ActivityKind, ClientId};
//! use chrono::{TimeZone, Utc};
//! let call = Activity::new(ClientId(1), ActivityKind::Call, Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap());
//! assert!(!call.is_open_task());
//! ```

use crate::error::{invalid, Result};
use crate::ids::{ActivityId, ClientId, DealId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What kind of activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// A phone call.
    Call,
    /// An email.
    Email,
    /// A messenger or SMS message.
    Message,
    /// A meeting.
    Meeting,
    /// A task for a manager, with a due date.
    Task,
    /// A note.
    Note,
    /// A visit to the company's website, shop or office page the host tracks.
    Visit,
    /// A form the client submitted (a request on the website, a landing page).
    Form,
    /// An event the client attended (a webinar, an exhibition, a presentation).
    Event,
}

impl ActivityKind {
    /// Every kind, in declaration order.
    pub const ALL: [ActivityKind; 9] = [
        ActivityKind::Call,
        ActivityKind::Email,
        ActivityKind::Message,
        ActivityKind::Meeting,
        ActivityKind::Task,
        ActivityKind::Note,
        ActivityKind::Visit,
        ActivityKind::Form,
        ActivityKind::Event,
    ];

    /// The kind's name (its serde name): `call`, `email`, ..., `event`.
    pub fn name(self) -> &'static str {
        match self {
            ActivityKind::Call => "call",
            ActivityKind::Email => "email",
            ActivityKind::Message => "message",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Task => "task",
            ActivityKind::Note => "note",
            ActivityKind::Visit => "visit",
            ActivityKind::Form => "form",
            ActivityKind::Event => "event",
        }
    }
}

/// Who initiated a call or message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The client reached us.
    Inbound,
    /// We reached the client.
    Outbound,
}

/// Something that happened with a client, or is to be done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// Assigned by the base on insert.
    #[serde(default)]
    pub id: ActivityId,
    /// The client (`client_id` is read too, the name of the CSV column).
    #[serde(alias = "client_id")]
    pub client: ClientId,
    /// Call, email, message, ...
    pub kind: ActivityKind,
    /// When it happened (or was created, for tasks).
    pub at: DateTime<Utc>,
    /// Inbound or outbound, for calls and messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// The manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// The outcome (`no answer`, `agreed to a meeting`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The text, subject or summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The deal it belongs to; it must be a deal of the same client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<DealId>,
    /// When a task is due (tasks only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DateTime<Utc>>,
    /// Whether a task is done (tasks only).
    #[serde(default)]
    pub done: bool,
}

impl Activity {
    /// An activity of `kind` with `client` at `at`.
    pub fn new(client: ClientId, kind: ActivityKind, at: DateTime<Utc>) -> Activity {
        Activity {
            id: ActivityId::default(),
            client,
            kind,
            at,
            direction: None,
            manager: None,
            outcome: None,
            text: None,
            deal: None,
            due: None,
            done: false,
        }
    }

    /// A task for `client`, created at `at` and due at `due`.
    pub fn task(client: ClientId, at: DateTime<Utc>, due: DateTime<Utc>, text: &str) -> Activity {
        Activity {
            due: Some(due),
            text: Some(text.to_string()),
            ..Activity::new(client, ActivityKind::Task, at)
        }
    }

    /// Whether this is a task not yet done.
    pub fn is_open_task(&self) -> bool {
        self.kind == ActivityKind::Task && !self.done
    }

    pub(crate) fn check_own_fields(&self) -> Result<()> {
        if self.kind != ActivityKind::Task {
            if self.due.is_some() {
                return Err(invalid("due", "only tasks have a due date"));
            }
            if self.done {
                return Err(invalid("done", "only tasks can be done"));
            }
        }
        if self.direction.is_some() && matches!(self.kind, ActivityKind::Task | ActivityKind::Note)
        {
            return Err(invalid("direction", "tasks and notes have no direction"));
        }
        Ok(())
    }
}
