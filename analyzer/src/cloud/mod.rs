//! The cloud side of the analysis: boto3 objects, API models and the links
//! that connect handlers through AWS services.

pub mod api;
pub mod destinations;
pub mod integrations;
pub mod libraries;
pub mod links;
pub mod objects;
pub mod step_tasks;
