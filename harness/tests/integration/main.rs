//! The harness's integration tests, in one binary: each test target links
//! polars, git2 and reqwest, so one binary instead of ten keeps the debug
//! build's size and link time down.

mod bench;
mod build_profile;
mod cli;
mod dataset_archive;
mod dataset_characterize;
mod dataset_fetch;
mod dataset_github;
mod dataset_support;
mod module_cycles;
mod perf;
mod regression;
mod scan_dataset;
mod scan_shards;
mod side_by_side;
