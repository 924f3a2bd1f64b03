//! Libraries that call AWS services behind the boto3 calls the service
//! models describe (`models/aws_libraries.toml`). Importing one makes the
//! importing function's needs for those services unknown.

use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LibraryFile {
    library: Vec<Library>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Library {
    pub module: String,
    /// IAM action prefixes of the services it calls; `?` for any.
    pub iam_prefixes: Vec<String>,
}

const LIBRARIES: &str = include_str!("../../models/aws_libraries.toml");

fn libraries() -> &'static [Library] {
    static PARSED: OnceLock<Vec<Library>> = OnceLock::new();
    PARSED.get_or_init(|| toml::from_str::<LibraryFile>(LIBRARIES).expect("models/aws_libraries.toml is checked by the tests").library)
}

/// The library a dotted module name belongs to, if it is one of them.
pub fn of_module(module: &str) -> Option<&'static Library> {
    let top = module.split('.').next().unwrap_or(module);
    libraries().iter().find(|l| l.module == top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_loads_and_matches_submodules() {
        assert!(!libraries().is_empty());
        assert_eq!(of_module("pynamodb.models").map(|l| l.iam_prefixes.clone()), Some(vec!["dynamodb".to_string()]));
        assert!(of_module("pynamodbx").is_none());
        assert!(of_module("json").is_none());
    }
}
