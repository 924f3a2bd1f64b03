//! Precision, recall and F1, and the per-group counters they come from.
//!
//! Convention for empty denominators: a ratio whose denominator is 0 is 0.0
//! (precision when nothing was reported, recall when nothing was expected,
//! F1 when precision + recall = 0). A group of negative cases alone thus has
//! precision = recall = F1 = 0.0 whatever the tool did; its `passed` count is
//! the figure to read for it.

use serde::{Deserialize, Serialize};

/// `num / den`, or 0.0 when `den` is 0.
pub fn ratio(num: u32, den: u32) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

pub fn precision(tp: u32, fp: u32) -> f64 {
    ratio(tp, tp + fp)
}

pub fn recall(tp: u32, fn_: u32) -> f64 {
    ratio(tp, tp + fn_)
}

pub fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

/// Rounds to 4 decimals (what summary.json holds).
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Scores of a set of cases: the shape of every entry of `summary.json`'s `by`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct GroupScore {
    pub cases: u32,
    pub passed: u32,
    pub tp: u32,
    pub fp: u32,
    #[serde(rename = "fn")]
    pub fn_: u32,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl GroupScore {
    /// Adds one case's counts (call [`GroupScore::finish`] afterwards).
    pub fn add(&mut self, pass: bool, tp: u32, fp: u32, fn_: u32) {
        self.cases += 1;
        self.passed += u32::from(pass);
        self.tp += tp;
        self.fp += fp;
        self.fn_ += fn_;
    }

    /// Computes precision, recall and F1 from the counts.
    pub fn finish(&mut self) {
        let p = precision(self.tp, self.fp);
        let r = recall(self.tp, self.fn_);
        self.precision = round4(p);
        self.recall = round4(r);
        self.f1 = round4(f1(p, r));
    }

    pub fn failed(&self) -> u32 {
        self.cases - self.passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios() {
        assert_eq!(precision(3, 1), 0.75);
        assert_eq!(recall(3, 3), 0.5);
        assert!((f1(0.75, 0.5) - 0.6).abs() < 1e-12);
        assert_eq!(precision(0, 0), 0.0);
        assert_eq!(recall(0, 0), 0.0);
        assert_eq!(f1(0.0, 0.0), 0.0);
    }

    #[test]
    fn group_scores() {
        let mut g = GroupScore::default();
        g.add(true, 2, 0, 0);
        g.add(false, 0, 1, 1);
        g.add(true, 0, 0, 0);
        g.finish();
        assert_eq!((g.cases, g.passed, g.failed(), g.tp, g.fp, g.fn_), (3, 2, 1, 2, 1, 1));
        assert_eq!((g.precision, g.recall, g.f1), (0.6667, 0.6667, 0.6667));
    }
}
