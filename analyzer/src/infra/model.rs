//! The resolved infrastructure model: what the deployment file tells AWS to
//! build, in the terms later stages ask about (which handler runs on which
//! trigger, with which environment and which permissions).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;

use crate::sym::SymStr;

/// A problem found while reading or resolving a deployment file. Never
/// fatal: the model keeps whatever could be understood.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Path relative to the application folder.
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    Serverless,
    Sam,
    CloudFormation,
}

/// All services (deployment files) found in one application folder.
#[derive(Clone, Debug, Default, Serialize)]
pub struct InfraModel {
    pub services: Vec<Service>,
    /// Problems not tied to one service (unreadable files...).
    pub diagnostics: Vec<Diagnostic>,
}

/// One deployment file and what it deploys.
#[derive(Clone, Debug, Serialize)]
pub struct Service {
    /// Deployment file, relative to the application folder, with `/`.
    pub file: String,
    pub framework: Framework,
    pub name: Option<String>,
    /// `frameworkVersion` (Serverless) or `AWSTemplateFormatVersion`.
    pub framework_version: Option<String>,
    pub provider: Provider,
    pub plugins: Vec<String>,
    pub functions: Vec<Function>,
    pub resources: Vec<Resource>,
    pub state_machines: Vec<StateMachine>,
    /// SNS subscriptions declared as resources (`AWS::SNS::Subscription`,
    /// `Subscription:` on a topic): SNS -> SQS fan-out, e-mail, HTTPS...
    pub subscriptions: Vec<Subscription>,
    /// API Gateway routes wired straight to a service action, no Lambda.
    pub integrations: Vec<ServiceIntegration>,
    /// Events a bucket or event bus delivers into a queue or topic.
    pub forwards: Vec<Forward>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Events of a bucket or event bus delivered into a queue or topic rather
/// than to a function (S3 `QueueConfigurations`/`TopicConfigurations`,
/// EventBridge rule targets): whoever consumes the queue or topic receives
/// the event inside a message.
#[derive(Clone, Debug, Serialize)]
pub struct Forward {
    /// `S3` or `EventBridge`.
    pub from: Trigger,
    /// Bucket or event bus.
    pub resource: SymStr,
    /// Which events go (S3 event names and key rules, EventBridge pattern).
    pub filter: EventFilter,
    /// `Sqs`, `Sns`, or `EventBridge` (a bucket's EventBridge
    /// notifications, on the default bus).
    pub to: Trigger,
    /// Queue, topic or event bus ARN (or URL, name).
    pub target: SymStr,
    /// The message carries a constant (EventBridge `Input`) instead of the
    /// event.
    pub constant: bool,
    pub line: u32,
}

/// An API Gateway route integrated directly with an AWS service action
/// (serverless-apigateway-service-proxy, or an `AWS`-type integration in
/// CloudFormation or OpenAPI): the HTTP request becomes the action's input,
/// so what the action stores or triggers carries attacker data.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceIntegration {
    /// `POST /orders`, or the API resource's logical ID when the path is
    /// not known.
    pub route: String,
    /// The service as integration URIs name it: `sqs`, `sns`, `kinesis`,
    /// `s3`, `dynamodb`, `events`, `states`.
    pub service: String,
    /// The service action: `SendMessage`, `PutObject`, `PutItem`...
    pub action: String,
    /// Queue, topic, stream, bucket, table, event bus or state machine,
    /// when the route names it outside the action's parameters (else it is
    /// the parameter the action names its resource by, e.g. `QueueUrl`).
    pub resource: Option<SymStr>,
    /// Action parameters the route sets itself (`Key` of an S3 object,
    /// EventBridge `Source`): literal parts are fixed, symbolic parts come
    /// from the request. Every other parameter is the request's.
    pub params: BTreeMap<String, SymStr>,
    pub line: u32,
}

/// An SNS subscription that is not a function's `sns` event.
#[derive(Clone, Debug, Serialize)]
pub struct Subscription {
    /// Topic ARN or name.
    pub topic: SymStr,
    /// `sqs`, `lambda`, `email`, `sms`, `https`...
    pub protocol: String,
    /// Queue ARN, function ARN, address...
    pub endpoint: SymStr,
    pub raw_message_delivery: bool,
    /// `FilterPolicy` on message attributes, as JSON (none when absent or
    /// scoped to the message body).
    pub filter_policy: Option<serde_json::Value>,
    pub line: u32,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Provider {
    /// `aws` for every app we analyse; others are recorded as found.
    pub name: String,
    pub runtime: Option<String>,
    pub region: SymStr,
    pub stage: SymStr,
}

#[derive(Clone, Debug, Serialize)]
pub struct Function {
    /// Key under `functions:` (Serverless) or logical ID (SAM).
    pub name: String,
    /// The deployed Lambda name (`<service>-<stage>-<name>`, or `name:`/
    /// `FunctionName`), for `lambda.invoke` and ARNs.
    pub physical_name: SymStr,
    pub handler: Handler,
    pub runtime: Option<String>,
    pub events: Vec<Event>,
    /// Provider-level variables merged with the function's (function wins).
    pub environment: BTreeMap<String, SymStr>,
    /// Every IAM statement that applies to this function's role, in order.
    pub iam: Vec<Statement>,
    /// Managed policy ARNs or names attached to the role (recorded, and
    /// treated as unknown permissions by the permission query).
    pub managed_policies: Vec<SymStr>,
    /// A role given by ARN or reference that the model cannot see into.
    pub opaque_role: bool,
    /// Where the outcome of an asynchronous invocation goes.
    pub destinations: Vec<Destination>,
    /// Where the function's code comes from.
    pub code: Code,
    /// Environment variables whose value a `${file(...)}` brought in.
    pub env_from_files: BTreeSet<String>,
    /// The deployment-file line of each environment variable (the
    /// provider's or `Globals`' line when it comes from there).
    pub env_lines: BTreeMap<String, u32>,
    /// Seconds one invocation may run (`timeout`, `Timeout`), when the
    /// deployment file sets it; Lambda's default otherwise.
    pub timeout: Option<SymStr>,
    /// `reservedConcurrency` / `ReservedConcurrentExecutions`: the most
    /// instances that run at once, when set.
    pub reserved_concurrency: Option<SymStr>,
    pub line: u32,
}

/// How a function's code is deployed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// Files of the application (the handler names one).
    #[default]
    Files,
    /// A container image (`image:`, `PackageType: Image`): no code here.
    Image,
    /// Python written inside the deployment file (SAM `InlineCode`,
    /// CloudFormation `Code.ZipFile`); its first line is `line` of the
    /// deployment file.
    Inline {
        #[serde(skip)]
        text: String,
        line: u32,
    },
}

/// A Lambda destination: after an asynchronous invocation, Lambda sends the
/// function's return value (on success) or the event it failed on (on
/// failure) to a queue, topic, function or event bus.
#[derive(Clone, Debug, Serialize)]
pub struct Destination {
    pub on_success: bool,
    /// ARN of the queue, topic, function or bus, or a function's key.
    pub target: SymStr,
    pub line: u32,
}

/// Where a handler lives: `handlers/httphandler.onHTTPPostEvent` becomes
/// file `handlers/httphandler.py`, function `onHTTPPostEvent`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Handler {
    /// Python file relative to the application folder (SAM `CodeUri` and
    /// Serverless `package`/`module` applied), with `/`.
    pub file: String,
    pub function: String,
    /// Dotted module name as Lambda imports it (`handlers.httphandler`).
    pub module: String,
}

pub use crate::catalog::Trigger;

/// One event source of a function.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    pub trigger: Trigger,
    /// The event key as written (`http`, `httpApi`, `Api`, `S3`, ...).
    pub raw_type: String,
    /// What the trigger listens to: bucket name (S3), queue ARN or name
    /// (SQS), topic ARN or name (SNS), stream ARN (streams), event bus name
    /// (EventBridge, `default` when unset), state machine name (Step
    /// Functions). `None` for HTTP-like triggers and schedules.
    pub resource: Option<SymStr>,
    pub filter: EventFilter,
    pub http: Option<HttpRoute>,
    pub line: u32,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct EventFilter {
    /// S3 notification event names (`s3:ObjectCreated:*`); empty means the
    /// default (`s3:ObjectCreated:*`).
    pub s3_events: Vec<String>,
    pub s3_prefix: Option<String>,
    pub s3_suffix: Option<String>,
    /// `existing: true`: the bucket is not created by this service.
    pub s3_existing: bool,
    /// SNS `filterPolicy`, stream/SQS `filterPatterns`, EventBridge `pattern`,
    /// as JSON after resolution.
    pub patterns: Vec<serde_json::Value>,
    /// Step Functions: the state that runs the function.
    pub state: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct HttpRoute {
    pub method: Option<String>,
    pub path: Option<String>,
    /// Whether an authorizer (or `private: true` / IAM auth) guards the route.
    pub authorizer: bool,
    /// Whether API Gateway throttles the route (stage or route throttling
    /// settings, the serverless-api-gateway-throttling plugin).
    pub throttled: bool,
}

/// A resource declared in `resources:` (Serverless) or `Resources:` (SAM/CFN).
#[derive(Clone, Debug, Serialize)]
pub struct Resource {
    pub logical_id: String,
    /// CloudFormation type, e.g. `AWS::S3::Bucket`.
    pub kind: String,
    /// BucketName / TableName / QueueName / TopicName / Name..., when given;
    /// otherwise the logical ID stands in for it.
    pub physical_name: Option<SymStr>,
    /// DynamoDB table with a stream, Kinesis stream...
    pub has_stream: bool,
    pub line: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// One IAM policy statement as it applies to a function's role.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Statement {
    pub effect: Effect,
    pub actions: Vec<SymStr>,
    /// `NotAction`: the statement applies to every action except these.
    pub not_action: bool,
    pub resources: Vec<SymStr>,
    /// `NotResource`.
    pub not_resource: bool,
    /// Where it came from (`provider.iamRoleStatements`,
    /// `functions.f.iamRoleStatements`, `Policies: S3CrudPolicy`...).
    pub origin: String,
    pub line: u32,
}

/// The answer of the permission query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Allowed,
    Denied,
    /// Depends on values the model cannot resolve.
    Unknown,
}

/// A Step Functions state machine (serverless-step-functions or
/// `AWS::StepFunctions::StateMachine` / `AWS::Serverless::StateMachine`).
#[derive(Clone, Debug, Serialize)]
pub struct StateMachine {
    /// Key under `stepFunctions.stateMachines` or logical ID.
    pub name: String,
    /// Deployed name (`name:` or logical ID), for ARN matching.
    pub physical_name: SymStr,
    pub start_at: String,
    pub states: Vec<State>,
    /// Triggers of the machine itself (http, schedule...), from the plugin's
    /// `events`.
    pub events: Vec<Event>,
    pub line: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct State {
    pub name: String,
    /// `Task`, `Choice`, `Pass`, `Parallel`, `Map`, `Wait`, `Succeed`, `Fail`.
    pub kind: String,
    /// For a Task state running a function of this service: its name
    /// (key under `functions:`).
    pub function: Option<String>,
    /// Every state this one may go to next (`Next`, Choice branches and
    /// `Default`, `Catch`...), and for Parallel/Map the start of each branch.
    pub next: Vec<String>,
    /// `ResultPath` when given (`null` is recorded as `Some("null")`).
    pub result_path: Option<String>,
    /// For a Task calling a service directly (`arn:aws:states:::sqs:sendMessage`,
    /// `arn:aws:states:::aws-sdk:s3:putObject`): the service as IAM names it
    /// and the action (`sqs`, `SendMessage`).
    pub service_action: Option<(String, String)>,
    /// The Task's parameters by path (`Entries[].Detail`): a value when
    /// fixed, `None` when taken from the state's input (`Detail.$`).
    pub parameters: Vec<(String, Option<SymStr>)>,
    pub line: u32,
}

/// Switches for the ablation study: turning a capability off makes the
/// model behave as a tool without it would.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InfraOptions {
    /// Understand plugins (serverless-iam-roles-per-function,
    /// serverless-step-functions). Off: plugin sections are ignored.
    pub plugins: bool,
    /// Resolve references to resources (`Ref`, `Fn::GetAtt`,
    /// `${self:resources...}`) to physical names. Off: they stay unknown.
    pub resources: bool,
}

impl Default for InfraOptions {
    fn default() -> Self {
        InfraOptions { plugins: true, resources: true }
    }
}

impl InfraModel {
    pub fn functions(&self) -> impl Iterator<Item = (&Service, &Function)> {
        self.services.iter().flat_map(|s| s.functions.iter().map(move |f| (s, f)))
    }
}

/// Deployment file path relative to the app, plus where to find it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentFile {
    pub relative: String,
    pub path: PathBuf,
}
