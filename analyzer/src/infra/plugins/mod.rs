//! Serverless Framework plugins that change what gets deployed, modelled
//! so that the analysis sees the permissions and triggers AWS would see.
//! Which plugin names switch a model on is data ([`KNOWN`]); every other
//! plugin is only recorded by name.

pub mod apigateway_service_proxy;
pub mod iam_roles_per_function;
pub mod pseudo_parameters;
pub mod serverless_wsgi;
pub mod step_functions;

/// Plugin package names (as listed under `plugins:`) and the model each
/// one turns on.
pub const KNOWN: &[(&str, Plugin)] = &[
    ("serverless-iam-roles-per-function", Plugin::IamRolesPerFunction),
    ("serverless-step-functions", Plugin::StepFunctions),
    ("@serverless/step-functions", Plugin::StepFunctions),
    ("serverless-pseudo-parameters", Plugin::PseudoParameters),
    ("serverless-apigateway-service-proxy", Plugin::ApiGatewayServiceProxy),
    ("serverless-wsgi", Plugin::Wsgi),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plugin {
    IamRolesPerFunction,
    StepFunctions,
    PseudoParameters,
    ApiGatewayServiceProxy,
    Wsgi,
}

/// Whether a listed plugin (possibly `./node_modules/NAME`, or `NAME@1.2`)
/// is the given model. Only whole package names count: a local plugin
/// `./functions` is not `serverless-step-functions`.
pub fn listed(plugins: &[String], which: Plugin) -> bool {
    plugins.iter().any(|p| {
        let p = match p.rfind('@') {
            Some(at) if at > 0 => &p[..at],
            _ => p.as_str(),
        };
        let base = p.rsplit('/').next().unwrap_or(p);
        KNOWN.iter().any(|(name, w)| *w == which && (p == *name || base == *name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_package_names_only() {
        let l = |p: &str| listed(&[p.to_string()], Plugin::StepFunctions);
        assert!(l("serverless-step-functions") && l("@serverless/step-functions") && l("serverless-step-functions@3.21.0"));
        assert!(l("./node_modules/serverless-step-functions") && l("@serverless/step-functions@1.0.0"));
        assert!(!l("./functions") && !l("functions") && !l("step-functions"));
    }
}
