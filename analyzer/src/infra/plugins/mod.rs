//! Serverless Framework plugins that change what gets deployed, modelled
//! so that the analysis sees the permissions and triggers AWS would see.
//! Which plugin names switch a model on is data ([`KNOWN`]); every other
//! plugin is only recorded by name.

pub mod apigateway_service_proxy;
pub mod iam_roles_per_function;
pub mod pseudo_parameters;
pub mod step_functions;

/// Plugin package names (as listed under `plugins:`) and the model each
/// one turns on.
pub const KNOWN: &[(&str, Plugin)] = &[
    ("serverless-iam-roles-per-function", Plugin::IamRolesPerFunction),
    ("serverless-step-functions", Plugin::StepFunctions),
    ("@serverless/step-functions", Plugin::StepFunctions),
    ("serverless-pseudo-parameters", Plugin::PseudoParameters),
    ("serverless-apigateway-service-proxy", Plugin::ApiGatewayServiceProxy),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plugin {
    IamRolesPerFunction,
    StepFunctions,
    PseudoParameters,
    ApiGatewayServiceProxy,
}

/// Whether a listed plugin (possibly `./local/path` or with a version) is
/// the given model.
pub fn listed(plugins: &[String], which: Plugin) -> bool {
    plugins.iter().any(|p| {
        let base = p.rsplit('/').next().unwrap_or(p);
        KNOWN.iter().any(|(name, w)| *w == which && (p == name || base == *name || name.ends_with(base)))
    })
}
