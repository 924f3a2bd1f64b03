//! Dataset archives from a local, Zenodo-shaped server: checksums, HTTP
//! Range resume, safe unpacking.


use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::dataset_support::{range_response, Response, Server};
use harness::dataset::archive::{self, Checksum, UnpackLimits};
use md5::{Digest, Md5};

fn md5_hex(data: &[u8]) -> String {
    Md5::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    for (name, data) in entries {
        w.start_file(*name, o).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn zenodo_server(files: Vec<(&'static str, Vec<u8>, String)>) -> Server {
    let files = Arc::new(files);
    let f2 = files.clone();
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let b2 = base.clone();
    let s = Server::start(move |req| {
        let base = b2.get().cloned().unwrap_or_default();
        if req.path == "/api/records/4242" {
            let list: Vec<_> = f2
                .iter()
                .map(|(k, d, sum)| serde_json::json!({"key": k, "size": d.len(), "checksum": sum, "links": {"self": format!("{base}/files/{k}")}}))
                .collect();
            return Response::json(&serde_json::json!({"id": 4242, "files": list}));
        }
        for (k, d, _) in f2.iter() {
            if req.path == format!("/files/{k}") {
                return range_response(req, d);
            }
        }
        Response::new(404, "nope")
    });
    base.set(s.base.clone()).unwrap();
    s
}

#[test]
fn dataset_zenodo_download_verifies_and_unpacks() {
    let data = zip_bytes(&[("repos/a/serverless.yml", b"service: a\n"), ("repos/b/app.py", b"print(1)\n")]);
    let sum = format!("md5:{}", md5_hex(&data));
    let s = zenodo_server(vec![("awsomepy.zip", data, sum)]);
    let tmp = tempfile::tempdir().unwrap();
    let out = archive::fetch_zenodo(&format!("{}/api", s.base), "4242", tmp.path(), UnpackLimits::default()).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(std::fs::read_to_string(out[0].join("repos/a/serverless.yml")).unwrap(), "service: a\n");
    // Second run: nothing downloaded again.
    let before = s.count("/files/");
    archive::fetch_zenodo(&format!("{}/api", s.base), "4242", tmp.path(), UnpackLimits::default()).unwrap();
    assert_eq!(s.count("/files/"), before);
}

#[test]
fn dataset_zenodo_wrong_checksum_is_rejected() {
    let data = zip_bytes(&[("a.txt", b"hello")]);
    let s = zenodo_server(vec![("bad.zip", data, format!("md5:{}", md5_hex(b"something else")))]);
    let tmp = tempfile::tempdir().unwrap();
    let err = archive::fetch_zenodo(&format!("{}/api", s.base), "4242", tmp.path(), UnpackLimits::default()).unwrap_err();
    assert!(format!("{err:#}").contains("checksum mismatch"), "{err:#}");
    let dir = tmp.path().join("zenodo-4242");
    assert!(!dir.join("bad.zip").exists() && !dir.join("bad.zip.part").exists() && !dir.join("bad.zip.d").exists());
}

#[test]
fn dataset_download_resumes_with_range() {
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let hits = Arc::new(AtomicUsize::new(0));
    let (d2, h2) = (data.clone(), hits.clone());
    // The first transfer breaks off half way, as a killed connection would.
    let s = Server::start(move |req| {
        let n = h2.fetch_add(1, Ordering::SeqCst);
        let mut r = range_response(req, &d2);
        if n == 0 {
            r.truncate_at = Some(40_000);
        }
        r
    });
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("data.bin");
    let client = archive::http_client().unwrap();
    let sum = Checksum::parse(&format!("md5:{}", md5_hex(&data))).unwrap();
    let url = format!("{}/data.bin", s.base);
    assert!(archive::download(&client, &url, &dest, Some(&sum)).is_err());
    let part = tmp.path().join("data.bin.part");
    let have = std::fs::metadata(&part).unwrap().len();
    assert!(have > 0 && have < data.len() as u64, "partial download kept ({have} bytes)");
    archive::download(&client, &url, &dest, Some(&sum)).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    let reqs = s.requests.lock().unwrap();
    assert_eq!(reqs[1].method, "GET", "a resumed download is a ranged GET");
    assert_eq!(reqs[1].header("range"), Some(format!("bytes={have}-").as_str()));
    assert!(!part.exists());
}

#[test]
fn dataset_unpack_refuses_escaping_archives() {
    let tmp = tempfile::tempdir().unwrap();
    // ../ entry
    let z = tmp.path().join("escape.zip");
    std::fs::write(&z, zip_bytes(&[("ok.txt", b"ok"), ("../evil.txt", b"evil")])).unwrap();
    let t = tmp.path().join("out1");
    let err = archive::unpack(&z, &t, UnpackLimits::default()).unwrap_err();
    assert!(format!("{err:#}").contains("escapes"), "{err:#}");
    assert!(!t.exists() && !tmp.path().join("evil.txt").exists());
    // absolute path
    let z = tmp.path().join("abs.zip");
    std::fs::write(&z, zip_bytes(&[("/tmp/abs-evil.txt", b"evil")])).unwrap();
    assert!(archive::unpack(&z, &tmp.path().join("out2"), UnpackLimits::default()).is_err());
    // symlink pointing out
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.add_symlink("link", "../../etc/passwd", zip::write::SimpleFileOptions::default()).unwrap();
    let z = tmp.path().join("link.zip");
    std::fs::write(&z, w.finish().unwrap().into_inner()).unwrap();
    let err = archive::unpack(&z, &tmp.path().join("out3"), UnpackLimits::default()).unwrap_err();
    assert!(format!("{err:#}").contains("symlink"), "{err:#}");
    // symlink inside is skipped, not created
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("d/a.txt", zip::write::SimpleFileOptions::default()).unwrap();
    w.write_all(b"a").unwrap();
    w.add_symlink("d/b", "a.txt", zip::write::SimpleFileOptions::default()).unwrap();
    let z = tmp.path().join("inner.zip");
    std::fs::write(&z, w.finish().unwrap().into_inner()).unwrap();
    let rep = archive::unpack(&z, &tmp.path().join("out4"), UnpackLimits::default()).unwrap();
    assert_eq!((rep.files, rep.skipped_links), (1, 1));
    assert!(!tmp.path().join("out4/d/b").exists());
    // tar with a symlink out
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    h.set_mode(0o777);
    b.append_link(&mut h, "up", "/etc").unwrap();
    let tz = tmp.path().join("link.tar");
    std::fs::write(&tz, b.into_inner().unwrap()).unwrap();
    assert!(archive::unpack(&tz, &tmp.path().join("out5"), UnpackLimits::default()).is_err());
    // tar.gz that is fine
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(3);
    h.set_mode(0o644);
    b.append_data(&mut h, "x/y.txt", &b"abc"[..]).unwrap();
    let raw = b.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&raw).unwrap();
    let tgz = tmp.path().join("ok.tar.gz");
    std::fs::write(&tgz, gz.finish().unwrap()).unwrap();
    archive::unpack(&tgz, &tmp.path().join("out6"), UnpackLimits::default()).unwrap();
    assert_eq!(std::fs::read_to_string(tmp.path().join("out6/x/y.txt")).unwrap(), "abc");
}

#[test]
fn dataset_unpack_limits_stop_bombs() {
    let tmp = tempfile::tempdir().unwrap();
    let big = vec![0u8; 1_000_000];
    let z = tmp.path().join("bomb.zip");
    std::fs::write(&z, zip_bytes(&[("a", &big), ("b", &big)])).unwrap();
    let err = archive::unpack(&z, &tmp.path().join("o"), UnpackLimits { max_bytes: 1_500_000, max_entries: 10 }).unwrap_err();
    assert!(format!("{err:#}").contains("more than"), "{err:#}");
    assert!(!tmp.path().join("o").exists() && !tmp.path().join("o.part").exists());
    let err = archive::unpack(&z, &tmp.path().join("o"), UnpackLimits { max_bytes: u64::MAX / 2, max_entries: 1 }).unwrap_err();
    assert!(format!("{err:#}").contains("entries"), "{err:#}");
}
