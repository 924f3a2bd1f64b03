//! A small GitHub REST client: token from `GITHUB_TOKEN`, rate-limit
//! headers and `Retry-After` honoured, responses cached on disk by ETag
//! (a `304 Not Modified` costs no rate limit), pagination through the
//! `Link` header, and a configurable base URL (GitHub Enterprise, tests).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const DEFAULT_API: &str = "https://api.github.com";

type Sleeper = Box<dyn Fn(Duration) + Send + Sync>;

pub struct GitHub {
    api: String,
    token: Option<String>,
    http: reqwest::blocking::Client,
    cache_dir: Option<PathBuf>,
    /// Longest single wait for a rate-limit reset before giving up.
    pub max_wait: Duration,
    pub max_retries: u32,
    sleeper: Sleeper,
    /// Requests sent and waits made, for reports and tests.
    pub stats: Mutex<Stats>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub requests: u64,
    pub not_modified: u64,
    pub waits: Vec<Duration>,
}

#[derive(Serialize, Deserialize)]
struct CacheEntry {
    etag: String,
    next: Option<String>,
    body: Value,
}

impl GitHub {
    pub fn new(api: Option<&str>, token: Option<String>, cache_dir: Option<PathBuf>) -> Result<GitHub> {
        let http = reqwest::blocking::Client::builder()
            .user_agent(concat!("serverless-harness/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(60))
            .build()?;
        if let Some(d) = &cache_dir {
            std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
        }
        Ok(GitHub {
            api: api.unwrap_or(DEFAULT_API).trim_end_matches('/').to_string(),
            token: token.filter(|t| !t.is_empty()),
            http,
            cache_dir,
            max_wait: Duration::from_secs(3600),
            max_retries: 5,
            sleeper: Box::new(std::thread::sleep),
            stats: Mutex::new(Stats::default()),
        })
    }

    /// Token from `GITHUB_TOKEN`, when set.
    pub fn from_env(api: Option<&str>, cache_dir: Option<PathBuf>) -> Result<GitHub> {
        GitHub::new(api, std::env::var("GITHUB_TOKEN").ok(), cache_dir)
    }

    /// Replaces the sleeping function (tests record waits instead).
    pub fn with_sleeper(mut self, f: impl Fn(Duration) + Send + Sync + 'static) -> GitHub {
        self.sleeper = Box::new(f);
        self
    }

    fn wait(&self, d: Duration) {
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).waits.push(d);
        (self.sleeper)(d);
    }

    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_string()
        } else {
            format!("{}/{}", self.api, path_or_url.trim_start_matches('/'))
        }
    }

    fn cache_file(&self, url: &str) -> Option<PathBuf> {
        let mut h = DefaultHasher::new();
        url.hash(&mut h);
        self.token.is_some().hash(&mut h);
        self.cache_dir.as_ref().map(|d| d.join(format!("{:016x}.json", h.finish())))
    }

    /// GET one page: body and the `next` link.
    pub fn get(&self, path_or_url: &str) -> Result<(Value, Option<String>)> {
        let url = self.url(path_or_url);
        let cached: Option<CacheEntry> = self
            .cache_file(&url)
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice(&b).ok());
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut req = self.http.get(&url).header("Accept", "application/vnd.github+json").header("X-GitHub-Api-Version", "2022-11-28");
            if let Some(t) = &self.token {
                req = req.bearer_auth(t);
            }
            if let Some(c) = &cached {
                req = req.header("If-None-Match", &c.etag);
            }
            self.stats.lock().unwrap_or_else(|e| e.into_inner()).requests += 1;
            let resp = match req.send() {
                Ok(r) => r,
                Err(e) if attempt <= self.max_retries && (e.is_timeout() || e.is_connect()) => {
                    self.wait(Duration::from_secs(1 << attempt.min(6)));
                    continue;
                }
                Err(e) => return Err(e).with_context(|| format!("GET {url}")),
            };
            let status = resp.status();
            let headers = resp.headers().clone();
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            if status == reqwest::StatusCode::NOT_MODIFIED {
                if let Some(c) = cached {
                    self.stats.lock().unwrap_or_else(|e| e.into_inner()).not_modified += 1;
                    return Ok((c.body, c.next));
                }
                bail!("GET {url}: 304 without a cached copy");
            }
            let remaining = header("x-ratelimit-remaining").and_then(|v| v.parse::<u64>().ok());
            let reset = header("x-ratelimit-reset").and_then(|v| v.parse::<u64>().ok());
            if status == reqwest::StatusCode::FORBIDDEN || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                let wait = if let Some(s) = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()) {
                    Some(Duration::from_secs(s))
                } else if remaining == Some(0) {
                    Some(until(reset.unwrap_or(0)))
                } else {
                    None
                };
                if let Some(w) = wait {
                    if attempt > self.max_retries {
                        bail!("GET {url}: still rate limited after {} retries", self.max_retries);
                    }
                    if w > self.max_wait {
                        bail!("GET {url}: rate limited for {}s, more than the {}s allowed", w.as_secs(), self.max_wait.as_secs());
                    }
                    self.wait(w);
                    continue;
                }
            }
            if status.is_server_error() && attempt <= self.max_retries {
                self.wait(Duration::from_secs(1 << attempt.min(6)));
                continue;
            }
            if !status.is_success() {
                let text = resp.text().unwrap_or_default();
                return Err(HttpError { status: status.as_u16(), url: url.clone(), body: text.chars().take(300).collect() }.into());
            }
            let next = header("link").and_then(|l| next_link(&l));
            let etag = header("etag");
            let body: Value = resp.json().with_context(|| format!("GET {url}: not JSON"))?;
            if let (Some(etag), Some(p)) = (etag, self.cache_file(&url)) {
                let entry = CacheEntry { etag, next: next.clone(), body: body.clone() };
                if let Ok(bytes) = serde_json::to_vec(&entry) {
                    let _ = std::fs::write(p, bytes);
                }
            }
            // Out of requests: wait for the window to reset before the next one.
            if remaining == Some(0) {
                let w = until(reset.unwrap_or(0));
                if w <= self.max_wait {
                    self.wait(w);
                }
            }
            return Ok((body, next));
        }
    }

    /// Follows `Link: rel="next"` up to `max_pages`; returns each page's body.
    pub fn get_pages(&self, path: &str, max_pages: usize) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        let mut next = Some(path.to_string());
        while let Some(p) = next.take() {
            if out.len() >= max_pages {
                break;
            }
            let (body, n) = self.get(&p)?;
            out.push(body);
            next = n;
        }
        Ok(out)
    }

    pub fn repo(&self, owner: &str, repo: &str) -> Result<RepoMeta> {
        let (v, _) = self.get(&format!("repos/{owner}/{repo}"))?;
        RepoMeta::from_json(&v).ok_or_else(|| anyhow!("repos/{owner}/{repo}: unexpected response"))
    }

    /// Text of a file through the contents API (base64).
    pub fn file_text(&self, full_name: &str, path: &str) -> Result<String> {
        let (v, _) = self.get(&format!("repos/{full_name}/contents/{}", path.trim_start_matches('/')))?;
        let b64 = v["content"].as_str().ok_or_else(|| anyhow!("{full_name}/{path}: no content"))?;
        let bytes = base64_decode(b64).ok_or_else(|| anyhow!("{full_name}/{path}: bad base64"))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("GET {url}: HTTP {status}: {body}")]
pub struct HttpError {
    pub status: u16,
    pub url: String,
    pub body: String,
}

fn until(reset_epoch: u64) -> Duration {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Duration::from_secs(reset_epoch.saturating_sub(now) + 1)
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"")
            .then(|| url.trim().trim_start_matches('<').trim_end_matches('>').to_string())
    })
}

/// What the study records of a repository.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoMeta {
    pub full_name: String,
    pub name: String,
    pub owner: String,
    pub html_url: String,
    pub stars: u64,
    pub forks: u64,
    /// `subscribers_count` (GitHub's `watchers_count` repeats the stars).
    pub watchers: u64,
    pub language: String,
    pub created_at: String,
    pub pushed_at: String,
    pub archived: bool,
    pub fork: bool,
    pub description: String,
    pub topics: Vec<String>,
    /// Kilobytes, as GitHub reports it.
    pub size_kb: u64,
    pub default_branch: String,
}

impl RepoMeta {
    pub fn from_json(v: &Value) -> Option<RepoMeta> {
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        Some(RepoMeta {
            full_name: v["full_name"].as_str()?.to_string(),
            name: s("name"),
            owner: v["owner"]["login"].as_str().unwrap_or_default().to_string(),
            html_url: s("html_url"),
            stars: v["stargazers_count"].as_u64().unwrap_or(0),
            forks: v["forks_count"].as_u64().unwrap_or(0),
            watchers: v["subscribers_count"].as_u64().or(v["watchers_count"].as_u64()).unwrap_or(0),
            language: s("language"),
            created_at: s("created_at"),
            pushed_at: s("pushed_at"),
            archived: v["archived"].as_bool().unwrap_or(false),
            fork: v["fork"].as_bool().unwrap_or(false),
            description: s("description"),
            topics: v["topics"].as_array().map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_string)).collect()).unwrap_or_default(),
            size_kb: v["size"].as_u64().unwrap_or(0),
            default_branch: s("default_branch"),
        })
    }
}

pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' | b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        } as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}
