//! Turning an analysis into something people and tools read: SARIF for
//! tools (the contract's format), text chains and JSON for people, and the
//! static service map as Graphviz or Mermaid.

pub mod github;
pub mod graph;
pub mod json;
pub mod rules;
pub mod sarif;
pub mod text;
