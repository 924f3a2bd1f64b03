//! Finding the deployment files of an application. Real repositories often
//! hold several services (one `serverless.yml` per folder, or a SAM template
//! next to one), plus build output and dependencies that contain copies of
//! deployment files which AWS never sees; those folders are skipped.

use std::path::Path;

use walkdir::WalkDir;

use crate::exclude::Exclude;
use crate::infra::model::DeploymentFile;

const SKIP_DIRS: &[&str] = &["node_modules", ".serverless", ".aws-sam", ".git", "cdk.out", "__pycache__"];
const SERVERLESS_NAMES: &[&str] = &["serverless.yml", "serverless.yaml", "serverless.json"];
const TEMPLATE_NAMES: &[&str] = &["template.yaml", "template.yml", "template.json"];
const MAX_WALK_DEPTH: usize = 16;

/// Which kind of deployment file a file name is, if any.
pub fn is_serverless_name(name: &str) -> bool {
    SERVERLESS_NAMES.contains(&name)
}

/// A template counts when it declares CloudFormation resources.
pub fn looks_like_template(text: &str) -> bool {
    text.contains("Resources") && text.contains("AWS::")
}

/// Every deployment file under `app_dir` that `exclude` keeps, in sorted
/// walk order. Symbolic links are followed, with loop detection, so a link
/// cycle ends the walk of that branch instead of hanging.
pub fn discover(app_dir: &Path, exclude: &Exclude) -> Vec<DeploymentFile> {
    let mut out = vec![];
    let walker = WalkDir::new(app_dir)
        .follow_links(true)
        .max_depth(MAX_WALK_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 || !e.file_type().is_dir() {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            let excluded = || !exclude.patterns().is_empty() && exclude.excludes(&relative(app_dir, e.path()));
            !(name.starts_with('.') || SKIP_DIRS.contains(&name.as_ref()) || excluded())
        });
    for entry in walker.filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        let serverless = is_serverless_name(&name);
        if !serverless && !TEMPLATE_NAMES.contains(&name.as_ref()) {
            continue;
        }
        let relative = relative(app_dir, entry.path());
        let keep = if exclude.excludes(&relative) {
            false
        } else {
            serverless || std::fs::read_to_string(entry.path()).map(|t| looks_like_template(&t)).unwrap_or(false)
        };
        if keep {
            out.push(DeploymentFile { relative, path: entry.path().to_path_buf() });
        }
    }
    out
}

/// `path` under `app_dir`, `/`-separated.
pub fn relative(app_dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(app_dir).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_skips() {
        let dir = std::env::temp_dir().join(format!("infra-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for d in ["a", "b/c", "node_modules/x", ".serverless", ".hidden", "sam"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        for f in ["serverless.yml", "a/serverless.yaml", "b/c/serverless.json", "node_modules/x/serverless.yml", ".serverless/serverless.yml", ".hidden/serverless.yml"] {
            std::fs::write(dir.join(f), "service: x\n").unwrap();
        }
        std::fs::write(dir.join("sam/template.yaml"), "Resources:\n  F:\n    Type: AWS::Serverless::Function\n").unwrap();
        std::fs::write(dir.join("b/template.yaml"), "not: cfn\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&dir, dir.join("a/loop")).unwrap();
        let found: Vec<String> = discover(&dir, &Exclude::default()).into_iter().map(|f| f.relative).collect();
        assert_eq!(found, vec!["a/serverless.yaml", "b/c/serverless.json", "sam/template.yaml", "serverless.yml"]);
        let exclude = Exclude::new(&["c".to_string(), "sam/template.yaml".to_string()]).unwrap();
        let kept: Vec<String> = discover(&dir, &exclude).into_iter().map(|f| f.relative).collect();
        assert_eq!(kept, vec!["a/serverless.yaml", "serverless.yml"]);
        std::fs::remove_dir_all(&dir).ok();
    }
}
