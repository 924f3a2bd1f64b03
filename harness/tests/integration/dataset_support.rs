//! Shared helpers of the dataset tests: a tiny HTTP/1.1 server on
//! 127.0.0.1 (no network beyond the loopback), git repositories made with
//! the `git` CLI, base64.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Path with query string.
    pub path: String,
    /// Lower-case names.
    pub headers: HashMap<String, String>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Send only this many body bytes, then close (an interrupted transfer).
    pub truncate_at: Option<usize>,
}

impl Response {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response { status, body: body.into(), ..Response::default() }
    }
    pub fn json(v: &serde_json::Value) -> Response {
        Response::new(200, serde_json::to_vec(v).unwrap()).header("Content-Type", "application/json")
    }
    pub fn header(mut self, k: &str, v: &str) -> Response {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

pub struct Server {
    pub base: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let reqs = requests.clone();
        let handler: Arc<Handler> = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let handler = handler.clone();
                let reqs = reqs.clone();
                std::thread::spawn(move || serve(stream, &*handler, &reqs));
            }
        });
        Server { base, requests }
    }

    pub fn count(&self, path_prefix: &str) -> usize {
        self.requests.lock().unwrap().iter().filter(|r| r.path.starts_with(path_prefix)).count()
    }
}

fn serve(stream: TcpStream, handler: &Handler, reqs: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    if let Some(n) = headers.get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        let mut body = vec![0; n];
        let _ = reader.read_exact(&mut body);
    }
    let req = Request { method, path, headers };
    reqs.lock().unwrap().push(req.clone());
    let resp = handler(&req);
    let mut out = stream;
    let mut head = format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n", resp.status, resp.body.len());
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = out.write_all(head.as_bytes());
    let body = match resp.truncate_at {
        Some(n) => &resp.body[..n.min(resp.body.len())],
        None => &resp.body[..],
    };
    let _ = out.write_all(body);
    let _ = out.flush();
    let _ = out.shutdown(std::net::Shutdown::Both);
}

/// Serves `data` with `Range: bytes=N-` support.
pub fn range_response(req: &Request, data: &[u8]) -> Response {
    if let Some(r) = req.header("range").and_then(|r| r.strip_prefix("bytes=")) {
        let start: usize = r.trim_end_matches('-').split('-').next().unwrap().parse().unwrap();
        if start >= data.len() {
            return Response::new(416, Vec::new());
        }
        return Response::new(206, data[start..].to_vec())
            .header("Content-Range", &format!("bytes {}-{}/{}", start, data.len() - 1, data.len()));
    }
    Response::new(200, data.to_vec())
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A bare repository `NAME.git` under `root` with two commits
/// (`app.py` = "v1" then "v2"); returns (bare path, first commit, second commit).
pub fn bare_repo(root: &Path, name: &str) -> (std::path::PathBuf, String, String) {
    let work = root.join(format!("{name}-work"));
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q"]);
    std::fs::write(work.join("app.py"), "v1\n").unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "one"]);
    let c1 = git(&work, &["rev-parse", "HEAD"]);
    std::fs::write(work.join("app.py"), "v2\n").unwrap();
    git(&work, &["commit", "-q", "-am", "two"]);
    let c2 = git(&work, &["rev-parse", "HEAD"]);
    let bare = root.join(format!("{name}.git"));
    git(root, &["clone", "-q", "--bare", work.to_str().unwrap(), bare.to_str().unwrap()]);
    (bare, c1, c2)
}

pub fn base64(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
