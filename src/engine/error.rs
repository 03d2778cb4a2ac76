//! The two ways the engine refuses input (a leaf module: it knows nothing else of the engine).
//! [`rules`](super::rules) says when.

use std::fmt;

/// A scenario that breaks the contract: the field at fault (a path such as
/// `commands[3].crash_broker.broker`; empty for the whole input) and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub path: String,
    pub reason: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "{}: {}", self.path, self.reason)
        }
    }
}

impl std::error::Error for ScenarioError {}

/// A command the engine refuses: the field of the command at fault (`count`, `between[1]`,
/// `config.min.insync.replicas`; empty for the command as a whole) and the reason, so a form can
/// show the message beside the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandError {
    pub field: String,
    pub reason: String,
}

impl CommandError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        CommandError { field: field.into(), reason: reason.into() }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "{}: {}", self.field, self.reason)
        }
    }
}

impl std::error::Error for CommandError {}
