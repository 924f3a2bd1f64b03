//! Dataset archives: `harness fetch --zenodo RECORD` / `--url URL`.
//!
//! Downloads stream to `NAME.part` and resume with an HTTP `Range` request
//! after an interruption; the checksum from the record's metadata
//! (`md5:...`, `sha256:...`) is verified before the file gets its final
//! name, and a mismatch deletes the download. Unpacking refuses any entry
//! whose path leaves the target folder (absolute, `..`) and any symlink
//! pointing outside; symlinks inside are not created (counted only); total
//! size and entry count are capped against archive bombs; the archive is
//! unpacked into a temporary folder renamed into place when complete.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use md5::Md5;
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checksum {
    Md5(String),
    Sha256(String),
}

impl Checksum {
    /// Parses Zenodo's `md5:HEX` (also `sha256:HEX`).
    pub fn parse(s: &str) -> Option<Checksum> {
        let (algo, hex) = s.trim().split_once(':')?;
        let hex = hex.trim().to_ascii_lowercase();
        match algo.trim().to_ascii_lowercase().as_str() {
            "md5" => Some(Checksum::Md5(hex)),
            "sha256" | "sha-256" => Some(Checksum::Sha256(hex)),
            _ => None,
        }
    }

    pub fn verify(&self, path: &Path) -> Result<()> {
        let actual = match self {
            Checksum::Md5(_) => hash_file::<Md5>(path)?,
            Checksum::Sha256(_) => hash_file::<Sha256>(path)?,
        };
        let expected = match self {
            Checksum::Md5(h) | Checksum::Sha256(h) => h,
        };
        if &actual != expected {
            bail!("checksum mismatch for {}: expected {expected}, got {actual}", path.display());
        }
        Ok(())
    }
}

fn hash_file<D: Digest>(path: &Path) -> Result<String> {
    let mut f = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut h = D::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

pub fn http_client() -> Result<reqwest::blocking::Client> {
    Ok(reqwest::blocking::Client::builder()
        .user_agent(concat!("harness/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(30))
        .timeout(None)
        .build()?)
}

/// Downloads `url` to `dest`, resuming `dest.part` if present, verifying
/// `checksum` when given. An existing `dest` that passes the checksum is
/// kept as is.
pub fn download(client: &reqwest::blocking::Client, url: &str, dest: &Path, checksum: Option<&Checksum>) -> Result<u64> {
    if dest.exists() {
        match checksum {
            Some(c) if c.verify(dest).is_err() => fs::remove_file(dest)?,
            _ => return Ok(fs::metadata(dest)?.len()),
        }
    }
    if let Some(d) = dest.parent() {
        fs::create_dir_all(d)?;
    }
    let part = part_path(dest);
    let have = fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    let mut req = client.get(url);
    if have > 0 {
        req = req.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let mut resp = req.send().with_context(|| format!("GET {url}"))?;
    let status = resp.status();
    let mut file = if status == reqwest::StatusCode::PARTIAL_CONTENT && have > 0 {
        OpenOptions::new().append(true).open(&part)?
    } else if status == reqwest::StatusCode::RANGE_NOT_SATISFIABLE && have > 0 {
        // The part file is already whole.
        OpenOptions::new().append(true).open(&part)?
    } else if status.is_success() {
        File::create(&part)?
    } else {
        bail!("GET {url}: HTTP {status}");
    };
    if status != reqwest::StatusCode::RANGE_NOT_SATISFIABLE {
        io::copy(&mut resp, &mut file).with_context(|| format!("download of {url} interrupted (resume by running again)"))?;
    }
    file.flush()?;
    drop(file);
    if let Some(c) = checksum {
        if let Err(e) = c.verify(&part) {
            let _ = fs::remove_file(&part);
            return Err(e.context(format!("download of {url} rejected")));
        }
    }
    fs::rename(&part, dest)?;
    Ok(fs::metadata(dest)?.len())
}

fn part_path(dest: &Path) -> PathBuf {
    let mut s = dest.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}

/// One file of a Zenodo record.
#[derive(Clone, Debug)]
pub struct RecordFile {
    pub key: String,
    pub url: String,
    pub size: Option<u64>,
    pub checksum: Option<Checksum>,
}

/// Reads a Zenodo record (`GET {api}/records/{id}`): its `files[]` with
/// `key`, `size`, `checksum` and `links.self`.
pub fn zenodo_files(client: &reqwest::blocking::Client, api: &str, record: &str) -> Result<Vec<RecordFile>> {
    let url = format!("{}/records/{}", api.trim_end_matches('/'), record);
    let resp = client.get(&url).header("Accept", "application/json").send().with_context(|| format!("GET {url}"))?;
    if !resp.status().is_success() {
        bail!("GET {url}: HTTP {}", resp.status());
    }
    let v: serde_json::Value = resp.json().with_context(|| format!("{url}: not JSON"))?;
    let files = v["files"].as_array().ok_or_else(|| anyhow!("{url}: no files[] in record"))?;
    files
        .iter()
        .map(|f| {
            let key = f["key"].as_str().or(f["filename"].as_str()).ok_or_else(|| anyhow!("{url}: file without key"))?;
            let link = f["links"]["self"].as_str().or(f["links"]["download"].as_str()).ok_or_else(|| anyhow!("{url}: {key} has no links.self"))?;
            Ok(RecordFile {
                key: key.to_string(),
                url: link.to_string(),
                size: f["size"].as_u64().or(f["filesize"].as_u64()),
                checksum: f["checksum"].as_str().and_then(Checksum::parse),
            })
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
pub struct UnpackLimits {
    pub max_bytes: u64,
    pub max_entries: u64,
}

impl Default for UnpackLimits {
    fn default() -> Self {
        UnpackLimits { max_bytes: 32 * 1024 * 1024 * 1024, max_entries: 2_000_000 }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnpackReport {
    pub files: u64,
    pub bytes: u64,
    pub skipped_links: u64,
}

pub fn is_archive(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".zip") || n.ends_with(".tar") || n.ends_with(".tar.gz") || n.ends_with(".tgz")
}

/// Unpacks a `.zip`, `.tar`, `.tar.gz` or `.tgz` into `target` (which must
/// not exist yet), or fails without leaving `target` behind.
pub fn unpack(archive: &Path, target: &Path, limits: UnpackLimits) -> Result<UnpackReport> {
    if target.exists() {
        bail!("{} already exists", target.display());
    }
    let tmp = part_path(target);
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    let name = archive.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let res = if name.ends_with(".zip") {
        unpack_zip(archive, &tmp, limits)
    } else if name.ends_with(".tar") {
        unpack_tar(File::open(archive)?, &tmp, limits)
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        unpack_tar(flate2::read::GzDecoder::new(File::open(archive)?), &tmp, limits)
    } else {
        Err(anyhow!("unknown archive type"))
    };
    match res {
        Ok(r) => {
            fs::rename(&tmp, target)?;
            Ok(r)
        }
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            Err(e.context(format!("refusing archive {}", archive.display())))
        }
    }
}

/// A relative path made only of normal components, or an error.
fn safe_relative(raw: &Path) -> Result<PathBuf> {
    let mut out = PathBuf::new();
    for c in raw.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => bail!("entry {} escapes the target folder", raw.display()),
        }
    }
    Ok(out)
}

/// Whether a symlink at `entry` (relative) with target `link` stays inside.
fn link_stays_inside(entry: &Path, link: &Path) -> bool {
    if link.is_absolute() {
        return false;
    }
    let mut depth: i64 = entry.components().count() as i64 - 1;
    for c in link.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            _ => return false,
        }
        if depth < 0 {
            return false;
        }
    }
    true
}

fn write_limited(mut r: impl Read, dest: &Path, report: &mut UnpackReport, limits: UnpackLimits) -> Result<()> {
    if let Some(d) = dest.parent() {
        fs::create_dir_all(d)?;
    }
    let mut f = File::create(dest)?;
    let left = limits.max_bytes.saturating_sub(report.bytes);
    let n = io::copy(&mut (&mut r).take(left + 1), &mut f)?;
    report.bytes += n;
    if n > left {
        bail!("archive unpacks to more than {} bytes", limits.max_bytes);
    }
    report.files += 1;
    Ok(())
}

fn count_entry(report: &UnpackReport, seen: u64, limits: UnpackLimits) -> Result<()> {
    if seen > limits.max_entries || report.files > limits.max_entries {
        bail!("archive has more than {} entries", limits.max_entries);
    }
    Ok(())
}

fn unpack_zip(archive: &Path, target: &Path, limits: UnpackLimits) -> Result<UnpackReport> {
    let mut zip = zip::ZipArchive::new(File::open(archive)?)?;
    let mut report = UnpackReport::default();
    if zip.len() as u64 > limits.max_entries {
        bail!("archive has more than {} entries", limits.max_entries);
    }
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let raw = PathBuf::from(entry.name());
        let rel = match entry.enclosed_name() {
            Some(p) => safe_relative(&p)?,
            None => bail!("entry {} escapes the target folder", raw.display()),
        };
        count_entry(&report, i as u64 + 1, limits)?;
        let is_link = entry.unix_mode().map(|m| m & 0o170000 == 0o120000).unwrap_or(false);
        if is_link {
            let mut link = String::new();
            (&mut entry).take(4096).read_to_string(&mut link)?;
            if !link_stays_inside(&rel, Path::new(&link)) {
                bail!("symlink {} points outside the target folder ({link})", rel.display());
            }
            report.skipped_links += 1;
            continue;
        }
        if entry.is_dir() {
            fs::create_dir_all(target.join(&rel))?;
            continue;
        }
        write_limited(&mut entry, &target.join(&rel), &mut report, limits)?;
    }
    Ok(report)
}

fn unpack_tar(r: impl Read, target: &Path, limits: UnpackLimits) -> Result<UnpackReport> {
    let mut ar = tar::Archive::new(r);
    let mut report = UnpackReport::default();
    for (i, entry) in ar.entries()?.enumerate() {
        let mut entry = entry?;
        count_entry(&report, i as u64 + 1, limits)?;
        let raw = entry.path()?.into_owned();
        let rel = safe_relative(&raw)?;
        if rel.as_os_str().is_empty() {
            continue;
        }
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            let link = entry.link_name()?.map(|l| l.into_owned()).unwrap_or_default();
            let inside = if kind.is_hard_link() { safe_relative(&link).is_ok() } else { link_stays_inside(&rel, &link) };
            if !inside {
                bail!("link {} points outside the target folder ({})", rel.display(), link.display());
            }
            report.skipped_links += 1;
            continue;
        }
        if kind.is_dir() {
            fs::create_dir_all(target.join(&rel))?;
        } else if kind.is_file() {
            write_limited(&mut entry, &target.join(&rel), &mut report, limits)?;
        }
        // Devices, FIFOs and extended headers are skipped.
    }
    Ok(report)
}

/// Downloads every file of a Zenodo record into `cache/zenodo-ID/` and
/// unpacks the archives next to them (`NAME.d/`).
pub fn fetch_zenodo(api: &str, record: &str, cache: &Path, limits: UnpackLimits) -> Result<Vec<PathBuf>> {
    let client = http_client()?;
    let dir = cache.join(format!("zenodo-{}", super::manifest::sanitize(record)));
    let mut out = Vec::new();
    for f in zenodo_files(&client, api, record)? {
        let name = super::manifest::sanitize(&f.key);
        let dest = dir.join(&name);
        download(&client, &f.url, &dest, f.checksum.as_ref()).with_context(|| format!("record {record}, file {}", f.key))?;
        out.push(unpack_if_archive(&dest, limits)?);
    }
    Ok(out)
}

/// Downloads one URL into `cache/` and unpacks it if it is an archive.
pub fn fetch_url(url: &str, checksum: Option<&Checksum>, cache: &Path, limits: UnpackLimits) -> Result<PathBuf> {
    let client = http_client()?;
    let last = url.split(['?', '#']).next().unwrap_or(url).trim_end_matches('/').rsplit('/').next().unwrap_or("download");
    let dest = cache.join(super::manifest::sanitize(last));
    download(&client, url, &dest, checksum)?;
    unpack_if_archive(&dest, limits)
}

fn unpack_if_archive(dest: &Path, limits: UnpackLimits) -> Result<PathBuf> {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !is_archive(&name) {
        return Ok(dest.to_path_buf());
    }
    let target = dest.with_file_name(format!("{name}.d"));
    if !target.exists() {
        unpack(dest, &target, limits)?;
    }
    Ok(target)
}
