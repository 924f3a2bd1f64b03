//! Taint tracking: labels, abstract values, the models of sources, sinks and
//! sanitizers, and the interpreter that propagates taint through Python.

pub mod builtins;
pub mod calls;
pub mod interp;
pub mod label;
pub mod loops;
pub mod models;
pub mod signed;
pub mod sinks;
pub mod value;
pub mod web;
