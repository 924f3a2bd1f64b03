//! Static analysis of serverless applications (AWS Lambda + Python).
//!
//! See ARCHITECTURE.md at the repository root for the data flow from the
//! deployment file to SARIF.

pub mod infra;
pub mod sym;
