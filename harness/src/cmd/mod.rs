//! The subcommands of the `harness` binary, one module each.

pub mod score;
pub mod suite_check;
pub mod suite_describe;
pub mod characterize;
pub mod collect;
pub mod fetch;
pub mod analyze_worker;
pub mod merge;
pub mod published;
pub mod perf;
pub mod review;
pub mod scan;
pub mod ablation;
pub mod bench;
pub mod compare;
pub mod report;
