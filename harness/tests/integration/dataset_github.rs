//! The GitHub client and `harness collect` against a local server serving
//! responses of GitHub's shape.


use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::dataset_support::{base64, Response, Server};
use harness::dataset::collect::{self, CollectOptions};
use harness::dataset::github::{next_link, GitHub};
use harness::dataset::manifest::Entry;
use harness::dataset::progress::Progress;
use serde_json::json;

fn repo_json(owner: &str, name: &str, lang: &str, created: &str, pushed: &str, fork: bool, desc: &str, size: u64) -> serde_json::Value {
    json!({
        "full_name": format!("{owner}/{name}"), "name": name, "owner": {"login": owner},
        "html_url": format!("https://github.com/{owner}/{name}"),
        "stargazers_count": 7, "forks_count": 2, "watchers_count": 7, "subscribers_count": 3,
        "language": lang, "created_at": created, "pushed_at": pushed, "archived": false,
        "fork": fork, "description": desc, "topics": [], "size": size, "default_branch": "main"
    })
}

fn recording(gh: GitHub) -> (GitHub, Arc<Mutex<Vec<Duration>>>) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let w = waits.clone();
    (gh.with_sleeper(move |d| w.lock().unwrap().push(d)), waits)
}

#[test]
fn dataset_github_etag_retry_after_rate_limit_and_pages() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let s = Server::start(move |req| {
        match req.path.as_str() {
            "/repos/o/r" => {
                if req.header("if-none-match") == Some("\"v1\"") {
                    return Response::new(304, Vec::new()).header("ETag", "\"v1\"");
                }
                Response::json(&repo_json("o", "r", "Python", "2019-01-01T00:00:00Z", "2021-01-01T00:00:00Z", false, "", 10))
                    .header("ETag", "\"v1\"")
            }
            "/repos/o/busy" => {
                if h.fetch_add(1, Ordering::SeqCst) == 0 {
                    return Response::new(429, "slow down").header("Retry-After", "3");
                }
                Response::json(&repo_json("o", "busy", "Python", "", "", false, "", 1))
            }
            "/repos/o/limited" => {
                if req.header("authorization") != Some("Bearer sekrit") {
                    return Response::new(401, "no token");
                }
                if h.fetch_add(1, Ordering::SeqCst) < 2 {
                    let reset = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 5;
                    return Response::new(403, "API rate limit exceeded")
                        .header("X-RateLimit-Remaining", "0")
                        .header("X-RateLimit-Reset", &reset.to_string());
                }
                Response::json(&repo_json("o", "limited", "Python", "", "", false, "", 1))
            }
            p if p.starts_with("/items") => {
                let page: usize = p.rsplit('=').next().unwrap().parse().unwrap_or(1);
                let mut r = Response::json(&json!({"page": page}));
                if page < 3 {
                    r = r.header("Link", &format!("<{}/items?page={}>; rel=\"next\", <{}/items?page=3>; rel=\"last\"", "BASE", page + 1, "BASE"));
                }
                r
            }
            _ => Response::new(404, "{\"message\": \"Not Found\"}"),
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let gh = GitHub::new(Some(&s.base), Some("sekrit".into()), Some(tmp.path().join("etag"))).unwrap();
    let (gh, waits) = recording(gh);
    // ETag cache: the second call sends If-None-Match and gets a 304.
    let m = gh.repo("o", "r").unwrap();
    assert_eq!((m.stars, m.forks, m.watchers, m.language.as_str()), (7, 2, 3, "Python"));
    assert_eq!(gh.repo("o", "r").unwrap(), m);
    assert_eq!(gh.stats.lock().unwrap().not_modified, 1);
    // Retry-After is honoured.
    gh.repo("o", "busy").unwrap();
    assert_eq!(waits.lock().unwrap().as_slice(), &[Duration::from_secs(3)]);
    // X-RateLimit-Remaining: 0 waits for the reset.
    hits.store(0, Ordering::SeqCst);
    gh.repo("o", "limited").unwrap();
    let w = waits.lock().unwrap().clone();
    assert_eq!(w.len(), 3);
    assert!(w[1] >= Duration::from_secs(4) && w[1] <= Duration::from_secs(7), "{w:?}");
    // A reset too far away fails instead of sleeping for hours.
    hits.store(0, Ordering::SeqCst);
    let mut gh2 = GitHub::new(Some(&s.base), Some("sekrit".into()), None).unwrap();
    gh2.max_wait = Duration::from_secs(1);
    let (gh2, _) = recording(gh2);
    assert!(gh2.repo("o", "limited").unwrap_err().to_string().contains("rate limited"));
    // 404 is an error naming the URL.
    assert!(gh.repo("o", "nope").unwrap_err().to_string().contains("/repos/o/nope"));
    // Pagination through Link.
    let s2 = Server::start(move |req| {
        let page: usize = req.path.rsplit('=').next().unwrap().parse().unwrap_or(1);
        let mut r = Response::json(&json!({"page": page}));
        if page < 3 {
            r = r.header("Link", &format!("<http://{}/items?page={}>; rel=\"next\"", req.header("host").unwrap(), page + 1));
        }
        r
    });
    let gh3 = GitHub::new(Some(&s2.base), None, None).unwrap();
    let pages = gh3.get_pages("items?page=1", 10).unwrap();
    assert_eq!(pages.iter().map(|p| p["page"].as_u64().unwrap()).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(gh3.get_pages("items?page=1", 2).unwrap().len(), 2);
    assert_eq!(next_link("<https://x/a?page=2>; rel=\"next\", <https://x/a?page=9>; rel=\"last\"").as_deref(), Some("https://x/a?page=2"));
    assert_eq!(next_link("<https://x/a?page=9>; rel=\"last\""), None);
}

const VALID: &str = "service: s\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.f\n";

#[test]
fn dataset_collect_pipeline_counts_each_step() {
    // (owner/name, path, language, created, pushed, fork, description, yaml, size)
    let repos: Vec<(&str, &str, &str, &str, &str, bool, &str, String, u64)> = vec![
        ("alice/app", "serverless.yml", "Python", "2019-01-01", "2021-06-01", false, "", VALID.into(), 100),
        ("alice/app", "backend/serverless.yml", "Python", "2019-01-01", "2021-06-01", false, "", VALID.into(), 100),
        ("bob/demo-stuff", "examples/serverless.yml", "Python", "2019-01-01", "2021-06-01", false, "", VALID.into(), 1),
        ("bob/tool", "serverless.yml", "JavaScript", "2019-01-01", "2021-06-01", false, "", VALID.into(), 2),
        ("carol/svc", "serverless.yml", "Python", "2019-01-01", "2021-06-01", false, "", "service: x\nprovider: aws\n".into(), 4),
        ("dave/young", "serverless.yml", "Python", "2022-01-01", "2022-03-01", false, "", VALID.into(), 8),
        ("erin/kw", "serverless.yml", "Python", "2019-01-01", "2021-06-01", false, "A demo of Lambda", VALID.into(), 16),
        ("frank/app", "serverless.yml", "Python", "2019-01-01", "2021-06-01", true, "", VALID.into(), 32),
        ("gina/gcp", "serverless.yml", "Python", "2019-01-01", "2021-06-01", false, "", VALID.replace("aws", "google"), 64),
        ("hank/ok2", "api/serverless.yml", "Python", "2018-05-01", "2020-01-01", false, "Production API", VALID.into(), 128),
    ];
    let repos = Arc::new(repos);
    let r2 = repos.clone();
    let s = Server::start(move |req| {
        let p = req.path.as_str();
        if p.starts_with("/search/code") {
            let page: usize = if p.contains("page=2") { 2 } else { 1 };
            let items: Vec<_> = r2
                .iter()
                .skip((page - 1) * 5)
                .take(5)
                .map(|(full, path, ..)| json!({"name": "serverless.yml", "path": path, "repository": {"full_name": full}}))
                .collect();
            let mut r = Response::json(&json!({"total_count": r2.len(), "items": items}));
            if page == 1 {
                r = r.header("Link", &format!("<http://{}/search/code?q=x&page=2>; rel=\"next\"", req.header("host").unwrap()));
            }
            return r;
        }
        for (full, path, lang, created, pushed, fork, desc, yaml, size) in r2.iter() {
            let (o, n) = full.split_once('/').unwrap();
            if p == format!("/repos/{full}") {
                return Response::json(&repo_json(o, n, lang, &format!("{created}T00:00:00Z"), &format!("{pushed}T00:00:00Z"), *fork, desc, *size));
            }
            if p == format!("/repos/{full}/contents/{path}") {
                return Response::json(&json!({"encoding": "base64", "content": base64(yaml.as_bytes())}));
            }
        }
        Response::new(404, "{}")
    });
    let gh = GitHub::new(Some(&s.base), None, None).unwrap();
    let c = collect::collect(&gh, &CollectOptions::default(), &Progress::hidden()).unwrap();
    let got: Vec<(u32, Option<u64>, Option<u64>, Option<u64>)> = c.steps.iter().map(|s| (s.step, s.yaml_files, s.repos, s.size_kb)).collect();
    assert_eq!(
        got,
        vec![
            (1, Some(10), None, None),
            (2, Some(9), None, None),
            (3, None, Some(8), None),
            (4, None, Some(7), Some(100 + 4 + 8 + 16 + 32 + 64 + 128)),
            (5, None, Some(6), Some(100 + 8 + 16 + 32 + 64 + 128)),
            (6, None, Some(5), Some(100 + 16 + 32 + 64 + 128)),
            (7, None, Some(4), Some(100 + 32 + 64 + 128)),
            (8, None, Some(3), Some(100 + 64 + 128)),
            (9, None, Some(2), Some(100 + 128)),
        ]
    );
    let ids: Vec<&str> = c.manifest.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, vec!["alice_app", "hank_ok2"]);
    assert_eq!(c.manifest[0].stars, Some(7));
    assert_eq!(c.manifest[0].url, "https://github.com/alice/app");
    assert!(collect::fork_pairs(&c).contains(&("alice/app".to_string(), "frank/app".to_string())));
    assert!(c.errors.iter().any(|(what, why)| what == "carol/svc/serverless.yml" && why.contains("no functions")));
    let df = harness::cmd::collect::table_3_1(&c.steps).unwrap();
    assert_eq!(df.height(), 9);

    // Filling a manifest's metadata.
    let mut m = vec![Entry::github("hank", "ok2"), Entry::github("nobody", "missing")];
    let errors = collect::fill_metadata(&gh, &mut m, &Progress::hidden());
    assert_eq!((m[0].stars, m[0].forks, m[0].watchers), (Some(7), Some(2), Some(3)));
    assert_eq!(m[0].created_at, "2018-05-01T00:00:00Z");
    assert_eq!(m[0].archived, Some(false));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, "nobody_missing");
    assert_eq!(m[1].stars, None);
}

#[test]
fn dataset_collect_helpers() {
    assert_eq!(harness::dataset::dates::days("1970-01-02T00:00:00Z"), Some(1));
    assert_eq!(harness::dataset::dates::days("2021-01-01").unwrap() - harness::dataset::dates::days("2020-01-01").unwrap(), 366);
    assert!(collect::validate_serverless_yaml(VALID).is_ok());
    assert!(collect::validate_serverless_yaml("a: [").unwrap_err().contains("invalid YAML"));
    assert_eq!(collect::validate_serverless_yaml("provider: aws\nfunctions:\n  f: {handler: a.b}\n").unwrap(), "aws");
}
