use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a repair order stands (docs/architecture.md, "The invariants, and where each holds").
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RepairStatus {
    Requested,
    PendingApproval,
    Approved,
    Declined,
    InProgress,
    Completed,
    Cancelled,
}

impl RepairStatus {
    /// Declined, completed and cancelled orders are closed for good.
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Declined | Self::Completed | Self::Cancelled)
    }

    /// The terminal statuses, for queries that want the orders still open
    /// (`.is_not_in(RepairStatus::CLOSED.map(Stored::as_str))`).
    pub const CLOSED: [Self; 3] = [Self::Declined, Self::Completed, Self::Cancelled];

    /// The state machine: `requested → pending_approval → approved | declined`,
    /// `approved → in_progress → completed`, any open status `→ cancelled`.
    #[must_use]
    pub const fn can_become(self, to: Self) -> bool {
        use RepairStatus::{Approved, Cancelled, Declined, InProgress, PendingApproval, Requested};
        matches!(
            (self, to),
            (Requested, PendingApproval)
                | (PendingApproval, Approved | Declined)
                | (Approved, InProgress)
                | (InProgress, Self::Completed)
        ) || (matches!(to, Cancelled) && !self.is_terminal())
    }
}

/// How soon an order should be worked on; the queue serves urgent first.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

impl Priority {
    /// The stored rank; higher is served first.
    #[must_use]
    pub const fn rank(self) -> i16 {
        match self {
            Self::Low => 0,
            Self::Normal => 1,
            Self::High => 2,
            Self::Urgent => 3,
        }
    }

    #[must_use]
    pub const fn from_rank(rank: i16) -> Option<Self> {
        match rank {
            0 => Some(Self::Low),
            1 => Some(Self::Normal),
            2 => Some(Self::High),
            3 => Some(Self::Urgent),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RepairStatus::{self, *};

    #[test]
    fn the_state_machine() {
        let allowed = [
            (Requested, PendingApproval),
            (PendingApproval, Approved),
            (PendingApproval, Declined),
            (Approved, InProgress),
            (InProgress, Completed),
            (Requested, Cancelled),
            (PendingApproval, Cancelled),
            (Approved, Cancelled),
            (InProgress, Cancelled),
        ];
        for &from in <RepairStatus as strum::VariantArray>::VARIANTS {
            for &to in <RepairStatus as strum::VariantArray>::VARIANTS {
                assert_eq!(
                    from.can_become(to),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }
}
