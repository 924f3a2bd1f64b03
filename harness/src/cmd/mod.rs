//! The subcommands of the `harness` binary, one module each.

pub mod score;
pub mod suite_check;
pub mod suite_describe;
