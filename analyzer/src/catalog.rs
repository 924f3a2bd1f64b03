//! The AWS service catalogue: what the analyzer knows about each service
//! besides its API calls, read from the same `models/aws/<service>.toml`
//! files as the calls (`models/aws/README.md`): the other names boto3 and
//! IAM give the service, how its resources are named and compared, what
//! its CloudFormation types are named by and what `Ref` and `Fn::GetAtt`
//! give for them, whether they stream, and the triggers it feeds (how
//! deployment files declare them, how invocations arrive, the noun reports
//! use). Deployment-file readers, the cloud links and the reports all ask
//! here, so that a service is added by adding its file.
//!
//! A trigger is a name the catalogue declares ([`Trigger`]); a model that
//! names an unknown trigger fails to load.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize, Serializer};

/// Every `models/aws/*.toml` (listed by build.rs), by file name.
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/aws_models.rs"));

/// What starts a function: a trigger the catalogue declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Trigger(&'static str);

impl Trigger {
    pub const HTTP: Trigger = Trigger("http");
    pub const HTTP_API: Trigger = Trigger("http-api");
    pub const ALB: Trigger = Trigger("alb");
    pub const WEBSOCKET: Trigger = Trigger("websocket");
    pub const FUNCTION_URL: Trigger = Trigger("function-url");
    pub const S3: Trigger = Trigger("s3");
    pub const SQS: Trigger = Trigger("sqs");
    pub const SNS: Trigger = Trigger("sns");
    pub const DYNAMODB_STREAM: Trigger = Trigger("dynamodb-stream");
    pub const KINESIS_STREAM: Trigger = Trigger("kinesis-stream");
    pub const SCHEDULE: Trigger = Trigger("schedule");
    pub const EVENTBRIDGE: Trigger = Trigger("eventbridge");
    /// A state of a Step Functions state machine runs the function.
    pub const STEP_FUNCTIONS: Trigger = Trigger("stepfunctions");
    /// An event the deployment file declares in a way no model knows.
    pub const OTHER: Trigger = Trigger("other");

    /// The triggers the deployment-file readers create by name; each must
    /// be declared by some model file (a test checks it).
    pub const BUILT_IN: &[Trigger] = &[
        Trigger::HTTP,
        Trigger::HTTP_API,
        Trigger::ALB,
        Trigger::WEBSOCKET,
        Trigger::FUNCTION_URL,
        Trigger::S3,
        Trigger::SQS,
        Trigger::SNS,
        Trigger::DYNAMODB_STREAM,
        Trigger::KINESIS_STREAM,
        Trigger::SCHEDULE,
        Trigger::EVENTBRIDGE,
        Trigger::STEP_FUNCTIONS,
    ];

    /// The trigger a model names, if the catalogue declares it.
    pub fn named(name: &str) -> Option<Trigger> {
        if name == Trigger::OTHER.0 {
            return Some(Trigger::OTHER);
        }
        catalog().triggers.iter().find(|t| t.name == name).map(|t| Trigger(t.name.as_str()))
    }

    /// The name used in model files (`fires = { trigger = "s3" }`).
    pub fn name(self) -> &'static str {
        self.0
    }

    /// How the catalogue describes it (none for [`Trigger::OTHER`]).
    pub fn def(self) -> Option<&'static TriggerDef> {
        catalog().triggers.iter().find(|t| t.name == self.0)
    }

    /// The word reports put before a resource it listens to (`queue jobs`).
    pub fn noun(self) -> &'static str {
        self.def().and_then(|d| d.noun.as_deref()).unwrap_or("resource")
    }

    /// Whether it invokes functions asynchronously, so that Lambda
    /// destinations apply.
    pub fn asynchronous(self) -> bool {
        self.def().is_none_or(|d| d.asynchronous)
    }

    /// What a message target (a rule target, a destination) feeds, from the
    /// markers its ARN or URL carries (`:sqs:`, `https://sqs.`).
    pub fn of_message_target(target: &crate::sym::SymStr) -> Option<Trigger> {
        let text = target.to_string();
        catalog().triggers.iter().find(|t| t.message_target.iter().any(|m| text.contains(m.as_str()))).map(|t| Trigger(t.name.as_str()))
    }

    /// What an event source mapping polls, from the markers of its
    /// `EventSourceArn` (`:kinesis:`).
    pub fn of_event_source(arn: &crate::sym::SymStr) -> Trigger {
        let text = arn.to_string();
        catalog().triggers.iter().find(|t| t.event_source_arn.iter().any(|m| text.contains(m.as_str()))).map_or(Trigger::OTHER, |t| Trigger(t.name.as_str()))
    }
}

impl<'de> Deserialize<'de> for Trigger {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Trigger::named(&name).ok_or_else(|| {
            let known: Vec<&str> = catalog().triggers.iter().map(|t| t.name.as_str()).collect();
            serde::de::Error::custom(format!("unknown trigger `{name}` (models/aws declares: {})", known.join(", ")))
        })
    }
}

impl Serialize for Trigger {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

/// How a name of a service's resources (a name, URL or ARN) is brought to
/// the part that identifies the resource: `"last-segment"` (queue URLs and
/// ARNs), `"bucket"` (`arn:aws:s3:::b` or `b/key`), `"after:table/"` (the
/// part after a marker, up to the next `/` or `:`), `"no-leading-slash"`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum NameRule {
    #[default]
    AsIs,
    LastSegment,
    Bucket,
    After(String),
    NoLeadingSlash,
    /// The last segment of a URL; other names as they are (the queue name
    /// an SQS ARN is built from).
    UrlLastSegment,
}

impl<'de> Deserialize<'de> for NameRule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(match text.as_str() {
            "as-is" => NameRule::AsIs,
            "last-segment" => NameRule::LastSegment,
            "bucket" => NameRule::Bucket,
            "no-leading-slash" => NameRule::NoLeadingSlash,
            "url-last-segment" => NameRule::UrlLastSegment,
            other => match other.strip_prefix("after:") {
                Some(marker) if !marker.is_empty() => NameRule::After(marker.to_string()),
                _ => {
                    return Err(serde::de::Error::custom(format!(
                        "unknown name rule `{other}` (expected as-is, last-segment, bucket, no-leading-slash, url-last-segment or after:<marker>)"
                    )))
                }
            },
        })
    }
}

/// Whether resources of a type stream their changes to functions.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Streams {
    /// Always (a Kinesis stream).
    Always(bool),
    /// When this property is set (a table's `StreamSpecification`).
    When(String),
}

/// A CloudFormation resource type of the service.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceType {
    /// The CloudFormation (and SAM) types it covers.
    pub types: Vec<String>,
    /// The property that names it; without one, CloudFormation generates
    /// the name from the stack and the logical ID.
    pub name_property: String,
    /// The ARN built from the name: `{region}`, `{account}`, `{name}`.
    #[serde(default)]
    pub arn: Option<String>,
    /// How the name enters the ARN (`url-last-segment` for queues given by
    /// URL, `no-leading-slash` for SSM parameters).
    #[serde(default)]
    pub arn_name: NameRule,
    /// What `Ref` gives, when not the name: a template over `{name}`,
    /// `{arn}`, `{region}`, `{account}` and unknown parts `{?note}`.
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    /// What `Fn::GetAtt` gives per attribute, besides `Name` (the name) and
    /// `Arn`; `{ref}` is what `Ref` gives.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    #[serde(default)]
    pub streams: Option<Streams>,
}

/// How one deployment-file format declares a trigger on a function: the
/// event keys (Serverless `events:`) or types (SAM `Events.Type`), the
/// settings that name the resource (or the event's own value when it is a
/// string), and the setting holding event filters.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSyntax {
    pub events: Vec<String>,
    #[serde(default)]
    pub resource: Vec<String>,
    #[serde(default)]
    pub filter: Option<String>,
}

/// A resource that invokes the functions its configuration names: every
/// function reference under the given property paths of a resource of the
/// type runs with the resource as its event's source (a delivery stream's
/// record processor).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    #[serde(rename = "type")]
    pub kind: String,
    pub functions_under: Vec<String>,
}

/// A trigger the service feeds.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerDef {
    pub name: String,
    #[serde(default)]
    pub noun: Option<String>,
    /// Invokes asynchronously (Lambda destinations apply).
    #[serde(default)]
    pub asynchronous: bool,
    /// Markers of an ARN or URL naming a resource that feeds the trigger
    /// when something sends to it (rule targets, destinations).
    #[serde(default)]
    pub message_target: Vec<String>,
    /// Markers of an event source mapping's `EventSourceArn`.
    #[serde(default)]
    pub event_source_arn: Vec<String>,
    #[serde(default)]
    pub serverless: Option<EventSyntax>,
    #[serde(default)]
    pub sam: Option<EventSyntax>,
    #[serde(default)]
    pub declared_by: Vec<Declaration>,
    /// The service whose file declares it.
    #[serde(skip)]
    pub service: String,
}

/// The catalogue part of one model file; the API rows are `cloud::api`'s.
#[derive(Deserialize)]
struct CatalogFile {
    service: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    names: NameRule,
    #[serde(default)]
    trigger: Vec<TriggerDef>,
    #[serde(default)]
    resource_type: Vec<ResourceType>,
}

/// One service of the catalogue.
#[derive(Clone, Debug)]
pub struct ServiceDef {
    pub service: String,
    pub aliases: Vec<String>,
    pub names: NameRule,
    pub resource_types: Vec<ResourceType>,
}

#[derive(Debug, Default)]
pub struct Catalog {
    pub services: Vec<ServiceDef>,
    pub triggers: Vec<TriggerDef>,
    /// Every name a service goes by (its own, its aliases, its triggers'),
    /// to its index in `services`: names are looked up for every resource
    /// comparison.
    by_name: HashMap<String, usize>,
}

impl Catalog {
    /// Reads the catalogue part of model files given as (name, text).
    pub fn from_texts(files: &[(&str, &str)]) -> Result<Catalog, String> {
        let mut out = Catalog::default();
        for (name, text) in files {
            let file: CatalogFile = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
            for mut t in file.trigger {
                if out.triggers.iter().any(|o| o.name == t.name) {
                    return Err(format!("{name}: trigger `{}` is declared twice", t.name));
                }
                t.service = file.service.clone();
                out.triggers.push(t);
            }
            out.services.push(ServiceDef { service: file.service, aliases: file.aliases, names: file.names, resource_types: file.resource_type });
        }
        for (i, s) in out.services.iter().enumerate() {
            for name in std::iter::once(&s.service).chain(&s.aliases) {
                out.by_name.entry(name.clone()).or_insert(i);
            }
        }
        for t in &out.triggers {
            if let Some(i) = out.services.iter().position(|s| s.service == t.service) {
                out.by_name.entry(t.name.clone()).or_insert(i);
            }
        }
        Ok(out)
    }

    /// The service a boto3 client name, IAM prefix or trigger name stands
    /// for (`states` and `sfn` are `stepfunctions`, `dynamodb-stream` is
    /// `dynamodb`).
    pub fn service(&self, name: &str) -> Option<&ServiceDef> {
        self.by_name.get(name).map(|&i| &self.services[i])
    }

    /// The canonical service name for what a program passed to
    /// `boto3.client(...)`: boto3 accepts spellings the models do not use
    /// (`states` for Step Functions, odd case and spaces).
    pub fn service_name(&self, raw: &str) -> String {
        let s: String = raw.trim().to_ascii_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
        self.services.iter().find(|d| d.aliases.contains(&s)).map_or(s, |d| d.service.clone())
    }

    /// The resource type a CloudFormation type is, if a model declares it.
    pub fn resource_type(&self, cfn_type: &str) -> Option<&ResourceType> {
        self.services.iter().flat_map(|s| &s.resource_types).find(|r| r.types.iter().any(|t| t == cfn_type))
    }

    /// The trigger a deployment format's event key or type declares.
    pub fn trigger_for_event(&'static self, sam: bool, key: &str) -> Option<(Trigger, &'static EventSyntax)> {
        self.triggers.iter().find_map(|t| {
            let syntax = if sam { t.sam.as_ref() } else { t.serverless.as_ref() }?;
            syntax.events.iter().any(|e| e == key).then_some((Trigger(t.name.as_str()), syntax))
        })
    }

    /// The triggers a resource of a CloudFormation type declares itself.
    pub fn declared_by<'a>(&'static self, cfn_type: &'a str) -> impl Iterator<Item = (Trigger, &'static Declaration)> + 'a {
        self.triggers.iter().flat_map(move |t| t.declared_by.iter().filter(move |d| d.kind == cfn_type).map(move |d| (Trigger(t.name.as_str()), d)))
    }
}

/// The built-in catalogue.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::from_texts(BUILTIN).expect("built-in AWS models parse"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_trigger_the_readers_create_is_declared() {
        for t in Trigger::BUILT_IN {
            assert!(t.def().is_some(), "no model file declares trigger `{}`", t.name());
            assert_eq!(Trigger::named(t.name()), Some(*t));
        }
        assert_eq!(Trigger::named("sqs-queue"), None);
    }

    #[test]
    fn services_are_found_by_any_of_their_names() {
        let c = catalog();
        assert_eq!(c.service_name(" DynamoDB"), "dynamodb");
        assert_eq!(c.service_name("states"), "stepfunctions");
        assert_eq!(c.service("dynamodb-stream").map(|s| s.service.as_str()), Some("dynamodb"));
        assert_eq!(c.service("lambda-invoke").map(|s| s.service.as_str()), Some("lambda"));
        assert_eq!(c.resource_type("AWS::Serverless::SimpleTable").map(|r| r.name_property.as_str()), Some("TableName"));
    }

    #[test]
    fn message_targets_and_event_sources_by_arn() {
        use crate::sym::SymStr;
        assert_eq!(Trigger::of_message_target(&SymStr::lit("https://sqs.eu-west-1.amazonaws.com/1/q")), Some(Trigger::SQS));
        assert_eq!(Trigger::of_message_target(&SymStr::lit("arn:aws:events:eu-west-1:1:event-bus/b")), Some(Trigger::EVENTBRIDGE));
        assert_eq!(Trigger::of_message_target(&SymStr::lit("arn:aws:lambda:eu-west-1:1:function:f")), None);
        assert_eq!(Trigger::of_event_source(&SymStr::lit("arn:aws:dynamodb:r:1:table/T/stream/x")), Trigger::DYNAMODB_STREAM);
        assert_eq!(Trigger::of_event_source(&SymStr::lit("arn:aws:mq:r:1:broker:b")), Trigger::OTHER);
    }

    #[test]
    fn a_bad_model_file_is_refused_with_its_name() {
        let twice = "service = \"a\"\n[[trigger]]\nname = \"x\"\n[[trigger]]\nname = \"x\"\n";
        let err = Catalog::from_texts(&[("aws/a.toml", twice)]).unwrap_err();
        assert!(err.contains("aws/a.toml") && err.contains("declared twice"), "{err}");
        let rule = "service = \"a\"\nnames = \"first-word\"\n";
        let err = Catalog::from_texts(&[("aws/b.toml", rule)]).unwrap_err();
        assert!(err.contains("aws/b.toml") && err.contains("line 2") && err.contains("first-word"), "{err}");
    }
}
