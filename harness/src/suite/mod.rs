//! The labelled suite: labels, discovery, validation and description.

pub mod check;
pub mod describe;
pub mod discover;
pub mod labels;
pub mod python;
