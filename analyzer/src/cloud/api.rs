//! Cloud API models: what each boto3 call needs (IAM), touches (resource),
//! stores, returns and triggers, read from `analyzer/models/aws/*.toml`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::catalog::{catalog, Trigger, BUILTIN};
use crate::sym::SymStr;
use crate::taint::value::{Key, Value};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    pub name: String,
    #[serde(default)]
    pub params: Vec<String>,
    pub iam: String,
    pub arn: String,
    pub resource: String,
    #[serde(default)]
    pub resource_default: Option<String>,
    #[serde(default)]
    pub writes: Option<Writes>,
    #[serde(default)]
    pub reads: Option<Reads>,
    #[serde(default)]
    pub fires: Option<Fires>,
    #[serde(default)]
    pub source: Option<ApiSource>,
    /// `sink = {...}` or `sink = [{...}, {...}]`: one row per class.
    #[serde(default, rename = "sink", deserialize_with = "one_or_many")]
    pub sinks: Vec<ApiSink>,
    /// The AWS action name (`SendMessage`) by which API Gateway service
    /// integrations and Step Functions tasks perform this call.
    #[serde(default)]
    pub integration: Option<String>,
}

impl Api {
    /// The resource a call acts on, as named by the model's `resource`.
    pub fn resource_of(&self, named: &BTreeMap<String, Value>) -> Vec<SymStr> {
        if let Some(param) = self.resource.strip_suffix("!keys") {
            let names: Vec<SymStr> = named
                .get(param)
                .map(|v| v.fields.keys().filter_map(|k| if let Key::Item(s) = k { Some(SymStr::lit(&**s)) } else { None }).collect())
                .unwrap_or_default();
            return if names.is_empty() { vec![SymStr::any("resource")] } else { names };
        }
        // A call that fires once per list element names the resource in
        // the elements (PutEvents' `Entries[].EventBusName`).
        let in_elements = || {
            let list = self.fires.as_ref()?.each.as_ref()?;
            named.get(list)?.element().fields.get(&Key::item(&self.resource)).cloned()
        };
        let given = named.get(&self.resource).cloned().or_else(in_elements);
        vec![match (given, &self.resource_default) {
            (Some(v), _) => v.str.unwrap_or_else(|| SymStr::any("resource")),
            (None, Some(d)) => SymStr::lit(d),
            (None, None) => SymStr::any("resource"),
        }]
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Writes {
    pub store: String,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub data: Vec<String>,
    #[serde(default)]
    pub data_files: Vec<String>,
    /// The stored data keeps its shape (a DynamoDB item's attributes), so
    /// a later read sees which parts are tainted.
    #[serde(default)]
    pub structured: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reads {
    pub store: String,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub into: Option<String>,
    #[serde(default)]
    pub into_files: Vec<String>,
    #[serde(default)]
    pub key_taints: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fires {
    pub trigger: Trigger,
    pub event: String,
    #[serde(default)]
    pub each: Option<String>,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub filter_key: Option<String>,
    #[serde(default)]
    pub pattern: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSource {
    pub kind: String,
    /// Where in the returned value: `SecretString`, or several places.
    #[serde(deserialize_with = "one_or_many")]
    pub into: Vec<String>,
    /// Secret material rather than attacker input (`label::SECRET_CLASS`).
    #[serde(default)]
    pub secret: bool,
    /// A parameter the call must be given as `True` for the result to be a
    /// source (SSM's `WithDecryption`).
    #[serde(default)]
    pub when: Option<String>,
}

/// A model key written as one table or as a list of them.
fn one_or_many<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        One(T),
        Many(Vec<T>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(t) => vec![t],
        OneOrMany::Many(v) => v,
    })
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSink {
    pub vulnerability: String,
    pub callee: String,
    pub params: Vec<String>,
    #[serde(default)]
    pub when: Option<String>,
}

/// A class of the boto3 resource interface (`s3.Bucket`, `dynamodb.Table`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceClass {
    pub name: String,
    pub ids: Vec<String>,
    #[serde(default)]
    pub methods: BTreeMap<String, String>,
    #[serde(default)]
    pub subresources: BTreeMap<String, String>,
    #[serde(default)]
    pub collections: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceModel {
    pub service: String,
    #[serde(default)]
    pub api: Vec<Api>,
    #[serde(default)]
    pub resource: Vec<ResourceClass>,
    /// The catalogue's part of the file, read by `catalog.rs`.
    #[serde(default, rename = "aliases")]
    _aliases: Option<IgnoredAny>,
    #[serde(default, rename = "names")]
    _names: Option<IgnoredAny>,
    #[serde(default, rename = "trigger")]
    _triggers: Option<IgnoredAny>,
    #[serde(default, rename = "resource_type")]
    _resource_types: Option<IgnoredAny>,
}

#[derive(Clone, Debug, Default)]
pub struct CloudModels {
    pub services: BTreeMap<String, ServiceModel>,
}

impl CloudModels {
    /// The IAM action prefix of a boto3 service: a modelled service names
    /// it in its actions (`states` for `stepfunctions`); others mostly use
    /// their boto3 name.
    pub fn iam_prefix(&self, service: &str) -> String {
        self.services.get(service).and_then(|m| m.api.first()).and_then(|a| a.iam.split(':').next()).unwrap_or(service).to_string()
    }

    pub fn builtin() -> CloudModels {
        let mut m = CloudModels::default();
        for (name, text) in BUILTIN {
            m.add_text(name, text).expect("built-in cloud models parse");
        }
        m
    }

    pub fn add_text(&mut self, name: &str, text: &str) -> Result<(), String> {
        let model: ServiceModel = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        // A file that only describes the service (its triggers, resource
        // types) models no boto3 call.
        if model.api.is_empty() && model.resource.is_empty() {
            return Ok(());
        }
        match self.services.get_mut(&model.service) {
            Some(existing) => {
                existing.api.extend(model.api);
                existing.resource.extend(model.resource);
            }
            None => {
                self.services.insert(model.service.clone(), model);
            }
        }
        Ok(())
    }

    /// A user's model file (`--models`): API rows only. The catalogue
    /// (triggers, resource types, names) is the built-in files', read once
    /// for the whole process, so a file that declares some is refused
    /// rather than half read.
    pub fn add_file(&mut self, path: &Path) -> Result<(), String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let model: ServiceModel = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if model._aliases.is_some() || model._names.is_some() || model._triggers.is_some() || model._resource_types.is_some() {
            return Err(format!(
                "{}: `aliases`, `names`, `[[trigger]]` and `[[resource_type]]` are read from the built-in models only (analyzer/models/aws/); a model file given with --models may add `[[api]]` and `[[resource]]` rows",
                path.display()
            ));
        }
        self.add_text(&path.display().to_string(), &text)
    }

    /// The canonical service name for what a program passed to
    /// `boto3.client(...)` (`catalog.rs`).
    pub fn service_name(&self, raw: &str) -> String {
        catalog().service_name(raw)
    }

    pub fn api(&self, service: &str, name: &str) -> Option<&Api> {
        self.services.get(service)?.api.iter().find(|a| a.name == name)
    }

    /// The call an API Gateway integration with `service` (as integration
    /// URIs name it, the IAM prefix) and `action` performs.
    pub fn integration(&self, service: &str, action: &str) -> Option<(&str, &Api)> {
        self.all_apis().find(|(_, a)| a.integration.as_deref() == Some(action) && a.iam.split(':').next() == Some(service))
    }

    pub fn resource_class(&self, service: &str, class: &str) -> Option<&ResourceClass> {
        self.services.get(service)?.resource.iter().find(|r| r.name == class)
    }

    /// Every modelled API that fires events, for the service map.
    pub fn all_apis(&self) -> impl Iterator<Item = (&str, &Api)> {
        self.services.values().flat_map(|s| s.api.iter().map(move |a| (s.service.as_str(), a)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_models_cover_the_required_apis() {
        let m = CloudModels::builtin();
        for (svc, api) in [
            ("s3", "put_object"),
            ("s3", "upload_file"),
            ("s3", "upload_fileobj"),
            ("s3", "copy_object"),
            ("s3", "get_object"),
            ("s3", "download_file"),
            ("s3", "list_objects"),
            ("s3", "list_objects_v2"),
            ("s3", "delete_objects"),
            ("dynamodb", "put_item"),
            ("dynamodb", "update_item"),
            ("dynamodb", "batch_write_item"),
            ("dynamodb", "get_item"),
            ("dynamodb", "query"),
            ("dynamodb", "scan"),
            ("sqs", "send_message"),
            ("sqs", "send_message_batch"),
            ("sqs", "receive_message"),
            ("sns", "publish"),
            ("lambda", "invoke"),
            ("kinesis", "put_record"),
            ("kinesis", "put_records"),
            ("events", "put_events"),
            ("stepfunctions", "start_execution"),
            ("ssm", "put_parameter"),
            ("ssm", "get_parameter"),
        ] {
            assert!(m.api(svc, api).is_some(), "{svc}.{api} is not modelled");
        }
    }

    #[test]
    fn a_user_model_declaring_triggers_is_refused() {
        let dir = std::env::temp_dir().join(format!("analyzer-user-model-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mq.toml");
        std::fs::write(&path, "service = \"mq\"\n\n[[trigger]]\nname = \"mq\"\n").unwrap();
        let err = CloudModels::builtin().add_file(&path).unwrap_err();
        assert!(err.contains("mq.toml") && err.contains("built-in models only"), "{err}");
        std::fs::write(&path, "service = \"mq\"\n\n[[api]]\nname = \"send\"\niam = \"mq:Send\"\narn = \"*\"\nresource = \"Broker\"\n").unwrap();
        let mut models = CloudModels::builtin();
        models.add_file(&path).unwrap();
        assert!(models.api("mq", "send").is_some());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_model_naming_an_unknown_trigger_is_refused_at_its_line() {
        let text = "service = \"x\"\n\n[[api]]\nname = \"send\"\niam = \"x:Send\"\narn = \"*\"\nresource = \"Q\"\nfires = { trigger = \"sqs-queue\", event = \"x\" }\n";
        let err = CloudModels::default().add_text("extra/x.toml", text).unwrap_err();
        assert!(err.contains("extra/x.toml") && err.contains("line 8") && err.contains("sqs-queue"), "{err}");
    }

    #[test]
    fn resource_methods_map_to_apis() {
        let m = CloudModels::builtin();
        let object = m.resource_class("s3", "Object").unwrap();
        assert_eq!(object.methods["upload_file"], "upload_file");
        assert!(m.api("s3", &object.methods["upload_file"]).is_some());
        for svc in m.services.values() {
            for class in &svc.resource {
                for api in class.methods.values() {
                    assert!(m.api(&svc.service, api).is_some(), "{}.{} -> {api}", svc.service, class.name);
                }
            }
        }
    }
}
