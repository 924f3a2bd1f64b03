//! `harness analyze-worker` (hidden): the worker side of `harness scan`.
//! Reads one app per line on standard input, analyses it in this process
//! and answers on standard output ([`crate::scan::worker`]); ends when its
//! input ends. The parent applies the timeout and the memory limit.

use std::process::ExitCode;

use anyhow::Result;

pub fn run() -> Result<ExitCode> {
    crate::scan::worker::serve()?;
    Ok(ExitCode::SUCCESS)
}
