//! Real-world analysis at scale (issue 9): `harness scan`, `harness review`,
//! `harness merge`.
//!
//! * [`scan`]: one record per app (a deployment file of a repository),
//!   resumable; apps found, scheduled and recorded;
//! * [`record`]: the record schema and store (`OUT/records/*.json`);
//! * [`child`]: the analysis of one app inside a worker process;
//! * [`fingerprint`]: flows' review fingerprints;
//! * [`worker`]: the long-lived processes apps are analysed in, with a
//!   timeout and a memory limit per app;
//! * [`triage`]: why an app is left out of the counts (template, Python 2,
//!   inconsistent infrastructure or code, timeout, crash...);
//! * [`report`]: the tables (CSV, Markdown, Parquet) and figures (SVG, PNG);
//! * [`review`]: verdicts by stable fingerprint, carried across scans;
//! * [`shard`]: `--shard K/N`, a deterministic slice of the dataset;
//! * [`merge`]: shard outputs combined into one result.

pub mod child;
pub mod fingerprint;
pub mod merge;
pub mod report;
pub mod review;
#[allow(clippy::module_inception)]
pub mod scan;
pub mod record;
pub mod shard;
pub mod triage;
pub mod worker;

/// FNV-1a 64: stable across platforms, versions and runs (std's hasher is not).
pub fn fnv1a(text: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}
