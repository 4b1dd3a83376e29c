//! Whether an API needs a user's session.

use std::fmt;

/// Whether an API needs a user's session (TOP's 授权 requirement).
///
/// Its wire names, as the `#[top_api]` attribute's `session` argument and the platform's
/// data write them: `none` (不需要授权), `optional` (可选授权), `required` (需要授权).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionNeed {
    /// The API takes no session (不需要授权).
    None,
    /// The API takes a session when there is one (可选授权).
    Optional,
    /// The API must be called with a session (需要授权).
    Required,
}

impl SessionNeed {
    /// Every need, in the order of their wire names.
    pub const ALL: [SessionNeed; 3] = [SessionNeed::None, SessionNeed::Optional, SessionNeed::Required];

    /// The wire name: `none`, `optional` or `required`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SessionNeed::None => "none",
            SessionNeed::Optional => "optional",
            SessionNeed::Required => "required",
        }
    }

    /// The need a wire name names; `None` for any other text.
    pub fn from_wire(name: &str) -> Option<SessionNeed> {
        SessionNeed::ALL.into_iter().find(|need| need.as_str() == name)
    }

    /// What the platform's pages call it: 不需要授权, 可选授权 or 需要授权.
    pub const fn label(self) -> &'static str {
        match self {
            SessionNeed::None => "不需要授权",
            SessionNeed::Optional => "可选授权",
            SessionNeed::Required => "需要授权",
        }
    }
}

impl fmt::Display for SessionNeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_read_back() {
        for need in SessionNeed::ALL {
            assert_eq!(SessionNeed::from_wire(need.as_str()), Some(need));
            assert_eq!(need.to_string(), need.as_str());
        }
        assert_eq!(SessionNeed::from_wire("Required"), None);
        assert_eq!(SessionNeed::from_wire(""), None);
        assert_eq!(format!("{:>9}", SessionNeed::None), "     none");
    }
}
