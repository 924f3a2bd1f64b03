//! Resolution of the two value languages of deployment files: Serverless
//! Framework variables (`${self:...}`, `${opt:...}`, `${file(...)}`...) in
//! [`variables`] and CloudFormation intrinsic functions (`Ref`,
//! `Fn::GetAtt`, `Fn::Sub`...) in [`intrinsics`]. Both are evaluated
//! symbolically: what cannot be known at analysis time (SSM parameters, the
//! account ID, generated names) becomes an unknown piece of a [`SymStr`]
//! instead of an error, so that later stages can still compare the known
//! parts. Cycles, missing keys and runaway recursion are recorded as
//! diagnostics and stop at fixed limits.
//!
//! [`SymStr`]: crate::sym::SymStr

mod intrinsics;
mod variables;

pub use intrinsics::{generated_name, has_unresolved, name_property, CfnEval, ResInfo};
pub use variables::{VarResolver, BENIGN_NOTES, MAX_VAR_DEPTH};
