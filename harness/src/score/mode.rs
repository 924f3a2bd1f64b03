//! Scoring modes: which of the matching conditions (`matching.rs`) are
//! checked.

use serde::{Deserialize, Serialize};

/// Which conditions are checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mode {
    /// Ignore the vulnerability class (`--lenient`).
    pub lenient: bool,
    /// Ignore the source (`--sink-only`).
    pub sink_only: bool,
}

impl Mode {
    pub const STRICT: Mode = Mode { lenient: false, sink_only: false };

    /// `strict`, `lenient`, `sink-only` or `lenient+sink-only`.
    pub fn name(self) -> &'static str {
        match (self.lenient, self.sink_only) {
            (false, false) => "strict",
            (true, false) => "lenient",
            (false, true) => "sink-only",
            (true, true) => "lenient+sink-only",
        }
    }
}
