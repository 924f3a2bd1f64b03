//! `harness collect`: the Wonderless/AWSomePy collection pipeline against
//! the GitHub API, with a count after each step (Table 3.1's shape), and
//! `harness collect --manifest FILE`, which fills a manifest's metadata.
//!
//! Steps, as in the study (the YAML check reads the files through the
//! contents API instead of a clone):
//! 1. code search for `serverless.yml` files (every page of every query);
//! 2. drop paths with a community/template/demo/test/example segment;
//! 3. dedupe to repositories;
//! 4. keep primary language Python (repository API);
//! 5. drop repositories whose serverless.yml files are all invalid YAML or
//!    lack `provider` or `functions`;
//! 6. drop immature repositories (pushed_at - created_at < 365 days);
//! 7. drop repositories with demo/test/example in topics or description;
//! 8. drop forks (`fork: true`); same-name repositories of other owners
//!    are reported as fork candidates, not dropped;
//! 9. gather metadata; drop repositories whose provider is not `aws`.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use serde::Serialize;
use yaml_rust2::{Yaml, YamlLoader};

use super::dates::days;
use super::github::{GitHub, RepoMeta};
use super::manifest::Entry;
use super::progress::Progress;

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct StepCount {
    pub step: u32,
    pub what: String,
    pub yaml_files: Option<u64>,
    pub repos: Option<u64>,
    /// Sum of the repositories' sizes as GitHub reports them (kB).
    pub size_kb: Option<u64>,
}

#[derive(Debug, Default)]
pub struct Collected {
    pub steps: Vec<StepCount>,
    pub manifest: Vec<Entry>,
    pub fork_candidates: Vec<(String, String)>,
    /// Repository or file and what went wrong (never fatal).
    pub errors: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct CollectOptions {
    pub queries: Vec<String>,
    pub max_pages: usize,
    pub path_words: Vec<String>,
    pub keywords: Vec<String>,
    pub min_active_days: i64,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            queries: vec!["filename:serverless.yml".to_string()],
            max_pages: 10,
            path_words: ["community", "template", "demo", "test", "example"].map(String::from).to_vec(),
            keywords: ["demo", "test", "example"].map(String::from).to_vec(),
            min_active_days: 365,
        }
    }
}

struct Candidate {
    full_name: String,
    paths: Vec<String>,
    meta: Option<RepoMeta>,
    provider: Option<String>,
}

pub fn collect(gh: &GitHub, opts: &CollectOptions, progress: &Progress) -> Result<Collected> {
    let mut out = Collected::default();
    // 1. code search
    let mut files: Vec<(String, String)> = Vec::new();
    for q in &opts.queries {
        let path = format!("search/code?q={}&per_page=100", encode(q));
        for page in gh.get_pages(&path, opts.max_pages)? {
            for item in page["items"].as_array().into_iter().flatten() {
                if let (Some(repo), Some(p)) = (item["repository"]["full_name"].as_str(), item["path"].as_str()) {
                    files.push((repo.to_string(), p.to_string()));
                }
            }
        }
    }
    files.sort();
    files.dedup();
    out.steps.push(step(1, "find serverless.yml files on GitHub", Some(files.len()), None, None));
    // 2. path filter
    files.retain(|(_, p)| {
        let low = p.to_lowercase();
        !low.split('/').any(|seg| opts.path_words.iter().any(|w| seg.contains(w.as_str())))
    });
    out.steps.push(step(2, "drop community/template/demo/test paths", Some(files.len()), None, None));
    // 3. dedupe
    let mut by_repo: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (r, p) in files {
        by_repo.entry(r).or_default().push(p);
    }
    let mut cands: Vec<Candidate> =
        by_repo.into_iter().map(|(full_name, paths)| Candidate { full_name, paths, meta: None, provider: None }).collect();
    out.steps.push(step(3, "dedupe to repository URLs", None, Some(cands.len()), None));
    // 4. language
    for c in cands.iter_mut() {
        match split(&c.full_name).and_then(|(o, r)| gh.repo(o, r).ok()) {
            Some(m) => c.meta = Some(m),
            None => out.errors.push((c.full_name.clone(), "metadata unavailable".into())),
        }
        progress.finish_item(&c.full_name);
    }
    cands.retain(|c| c.meta.as_ref().is_some_and(|m| m.language.eq_ignore_ascii_case("python")));
    out.steps.push(step(4, "keep primary language Python", None, Some(cands.len()), Some(size(&cands))));
    // 5. YAML validity
    for c in cands.iter_mut() {
        for p in c.paths.clone() {
            match gh.file_text(&c.full_name, &p) {
                Ok(text) => match validate_serverless_yaml(&text) {
                    Ok(provider) => {
                        c.provider = Some(provider);
                        break;
                    }
                    Err(why) => out.errors.push((format!("{}/{}", c.full_name, p), why)),
                },
                Err(e) => out.errors.push((format!("{}/{}", c.full_name, p), e.to_string())),
            }
        }
    }
    cands.retain(|c| c.provider.is_some());
    out.steps.push(step(5, "drop invalid YAML (no provider / no functions)", None, Some(cands.len()), Some(size(&cands))));
    // 6. maturity
    cands.retain(|c| {
        let m = c.meta.as_ref().expect("kept only with metadata");
        match (days(&m.created_at), days(&m.pushed_at)) {
            (Some(a), Some(b)) => b - a >= opts.min_active_days,
            _ => false,
        }
    });
    out.steps.push(step(6, "drop immature repos (active < 1 year)", None, Some(cands.len()), Some(size(&cands))));
    // 7. keywords
    cands.retain(|c| {
        let m = c.meta.as_ref().expect("kept only with metadata");
        let words: Vec<String> = m
            .topics
            .iter()
            .map(|t| t.to_lowercase())
            .chain(m.description.to_lowercase().split(|ch: char| !ch.is_alphanumeric()).map(str::to_string))
            .collect();
        !words.iter().any(|w| opts.keywords.iter().any(|k| w == k || w.split('-').any(|p| p == k)))
    });
    out.steps.push(step(7, "drop by keywords in topics/description (demo, test, example)", None, Some(cands.len()), Some(size(&cands))));
    // 8. forks
    let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in &cands {
        let m = c.meta.as_ref().expect("kept only with metadata");
        names.entry(m.name.to_lowercase()).or_default().push(c.full_name.clone());
    }
    for group in names.values().filter(|g| g.len() > 1) {
        for other in &group[1..] {
            out.fork_candidates.push((group[0].clone(), other.clone()));
        }
    }
    cands.retain(|c| !c.meta.as_ref().is_some_and(|m| m.fork));
    out.steps.push(step(8, "drop forks", None, Some(cands.len()), Some(size(&cands))));
    // 9. metadata, AWS only
    cands.retain(|c| c.provider.as_deref() == Some("aws"));
    out.steps.push(step(9, "gather metadata; drop non-AWS", None, Some(cands.len()), Some(size(&cands))));
    out.manifest = cands
        .iter()
        .map(|c| {
            let m = c.meta.as_ref().expect("kept only with metadata");
            let mut e = Entry::github(&m.owner, &m.name);
            if !m.html_url.is_empty() {
                e.url = m.html_url.clone();
            }
            apply(&mut e, m);
            e
        })
        .collect();
    progress.finish();
    Ok(out)
}

fn step(n: u32, what: &str, files: Option<usize>, repos: Option<usize>, size_kb: Option<u64>) -> StepCount {
    StepCount { step: n, what: what.to_string(), yaml_files: files.map(|x| x as u64), repos: repos.map(|x| x as u64), size_kb }
}

fn size(c: &[Candidate]) -> u64 {
    c.iter().filter_map(|c| c.meta.as_ref()).map(|m| m.size_kb).sum()
}

fn split(full: &str) -> Option<(&str, &str)> {
    full.split_once('/')
}

pub fn apply(e: &mut Entry, m: &RepoMeta) {
    e.stars = Some(m.stars);
    e.forks = Some(m.forks);
    e.watchers = Some(m.watchers);
    e.language = m.language.clone();
    e.created_at = m.created_at.clone();
    e.pushed_at = m.pushed_at.clone();
    e.archived = Some(m.archived);
}

/// Fills the metadata columns of every GitHub entry; errors are returned per
/// entry and leave the row as it was.
pub fn fill_metadata(gh: &GitHub, entries: &mut [Entry], progress: &Progress) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    for e in entries.iter_mut() {
        let (owner, repo) = if !e.owner.is_empty() && !e.repo.is_empty() {
            (e.owner.clone(), e.repo.clone())
        } else if let Some(rest) = e.url.split("github.com/").nth(1) {
            let mut it = rest.trim_end_matches(".git").split('/');
            (it.next().unwrap_or_default().to_string(), it.next().unwrap_or_default().to_string())
        } else {
            errors.push((e.id.clone(), "not a GitHub repository".into()));
            progress.finish_item(&e.id);
            continue;
        };
        match gh.repo(&owner, &repo) {
            Ok(m) => {
                if !m.full_name.eq_ignore_ascii_case(&format!("{owner}/{repo}")) {
                    errors.push((e.id.clone(), format!("renamed to {}", m.full_name)));
                }
                apply(e, &m);
            }
            Err(err) => errors.push((e.id.clone(), err.to_string())),
        }
        progress.finish_item(&e.id);
    }
    progress.finish();
    errors
}

/// `Ok(provider name)` when the text is a mapping with `provider` and a
/// non-empty `functions` mapping; `Err(reason)` otherwise.
pub fn validate_serverless_yaml(text: &str) -> Result<String, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("invalid YAML: {e}"))?;
    let doc = docs.first().ok_or("empty YAML")?;
    let provider = &doc["provider"];
    let name = match provider {
        Yaml::String(s) => s.clone(),
        Yaml::Hash(_) => provider["name"].as_str().unwrap_or_default().to_string(),
        _ => return Err("no provider".into()),
    };
    match &doc["functions"] {
        Yaml::Hash(h) if !h.is_empty() => Ok(name),
        // Serverless also accepts a list of files/mappings.
        Yaml::Array(a) if !a.is_empty() => Ok(name),
        _ => Err("no functions".into()),
    }
}

fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Fork candidates as a sorted set (for tests and reports).
pub fn fork_pairs(c: &Collected) -> BTreeSet<(String, String)> {
    c.fork_candidates.iter().cloned().collect()
}
