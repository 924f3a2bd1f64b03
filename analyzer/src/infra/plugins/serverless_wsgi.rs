//! serverless-wsgi: a function whose handler is the plugin's generated
//! `wsgi_handler.handler` (`wsgi.handler` in old versions) runs the WSGI
//! app that `custom.wsgi.app` names (`app.app`: the `app` object of
//! `app.py`). The generated file is not in the repository; the app is the
//! code that runs, so it becomes the handler.

use crate::infra::yaml::Node;

const GENERATED: &[&str] = &["wsgi_handler.handler", "wsgi.handler"];

/// The handler the plugin really runs, in `module.name` form, when
/// `handler` is its generated one and the app is configured.
pub fn app_handler(handler: &str, custom: Option<&Node>) -> Option<String> {
    if !GENERATED.contains(&handler) {
        return None;
    }
    custom?.path(&["wsgi", "app"])?.as_text().filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::yaml::load_str;

    #[test]
    fn generated_handler_runs_the_configured_app() {
        let doc = load_str("custom:\n  wsgi:\n    app: api/app.application\n").unwrap();
        let custom = doc.get("custom");
        assert_eq!(app_handler("wsgi_handler.handler", custom).as_deref(), Some("api/app.application"));
        assert_eq!(app_handler("handler.main", custom), None);
        assert_eq!(app_handler("wsgi_handler.handler", None), None);
    }
}
