//! `harness fetch --manifest` against local bare repositories.


use std::time::Duration;

use crate::dataset_support::{bare_repo, git};
use harness::dataset::fetch::{self, FetchOptions, Status};
use harness::dataset::manifest::{self, Entry};
use harness::dataset::progress::Progress;

fn entry(id: &str, url: &str, commit: &str) -> Entry {
    Entry { id: id.into(), url: url.into(), commit: commit.into(), ..Entry::default() }
}

fn opts() -> FetchOptions {
    FetchOptions { jobs: 2, retries: 1, backoff: Duration::from_millis(10), ..FetchOptions::default() }
}

#[test]
fn dataset_fetch_pinned_unpinned_broken_and_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let (bare, c1, c2) = bare_repo(tmp.path(), "src");
    let cache = tmp.path().join("cache");
    let url = format!("file://{}", bare.display());
    let entries = vec![
        entry("pinned", &url, &c1),
        // A local path (no scheme) works too; empty commit records HEAD.
        entry("head", bare.to_str().unwrap(), ""),
        entry("gone", &format!("file://{}/missing.git", tmp.path().display()), ""),
        entry("badcommit", &url, "0123456789012345678901234567890123456789"),
    ];
    // A killed earlier run left a half-written clone behind.
    let partial = cache.join(".partial").join("pinned");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::write(partial.join("half"), "x").unwrap();

    let rows = fetch::fetch_all(&entries, &cache, &opts(), &Progress::hidden()).unwrap();
    let by = |id: &str| rows.iter().find(|r| r.id == id).unwrap().clone();
    assert_eq!(by("pinned").status, Status::Fetched);
    assert_eq!(by("pinned").commit, c1);
    assert_eq!(std::fs::read_to_string(cache.join("pinned/app.py")).unwrap(), "v1\n");
    assert_eq!(by("head").status, Status::Fetched);
    assert_eq!(by("head").commit, c2);
    assert_eq!(std::fs::read_to_string(cache.join("head/app.py")).unwrap(), "v2\n");
    assert_eq!(by("gone").status, Status::Gone, "{:?}", by("gone"));
    assert!(!by("gone").reason.is_empty());
    assert_eq!(by("badcommit").status, Status::CommitMissing, "{:?}", by("badcommit"));
    assert!(!cache.join("gone").exists() && !cache.join("badcommit").exists());
    assert!(!cache.join(".partial").exists(), "temporary clones are cleaned up");
    assert!(by("pinned").bytes > 0);
    // No hooks ran, no half-written files survive.
    assert!(!cache.join("pinned/half").exists());

    // The log has one row per repository.
    let log = fetch::read_log(&cache.join(fetch::LOG_FILE)).unwrap();
    assert_eq!(log.len(), 4);
    assert_eq!(log.iter().find(|r| r.id == "pinned").unwrap().commit, c1);

    // Resume: a finished repository is never fetched again (a marker file
    // survives), the broken ones are retried and still recorded.
    std::fs::write(cache.join("pinned/marker"), "kept").unwrap();
    let rows = fetch::fetch_all(&entries, &cache, &opts(), &Progress::hidden()).unwrap();
    let by = |id: &str| rows.iter().find(|r| r.id == id).unwrap().clone();
    assert_eq!(by("pinned").status, Status::Cached);
    assert_eq!(by("pinned").commit, c1);
    assert_eq!(by("head").status, Status::Cached);
    assert!(cache.join("pinned/marker").exists());
    assert_eq!(by("gone").status, Status::Gone);

    // --pin writes the fetched HEAD into the manifest.
    let mut m = entries.clone();
    assert_eq!(fetch::pin(&mut m, &rows), 1);
    assert_eq!(m[1].commit, c2);
    let path = tmp.path().join("m.csv");
    manifest::write(&path, &m).unwrap();
    assert_eq!(manifest::read(&path).unwrap(), m);
}

#[test]
fn dataset_fetch_commit_not_on_a_branch_and_size_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let (bare, c1, _) = bare_repo(tmp.path(), "src");
    // A commit reachable only from a tag.
    let work = tmp.path().join("src-work");
    git(&work, &["checkout", "-q", "--detach", &c1]);
    std::fs::write(work.join("app.py"), "tagged\n").unwrap();
    git(&work, &["commit", "-q", "-am", "tagged"]);
    let c3 = git(&work, &["rev-parse", "HEAD"]);
    git(&work, &["tag", "t1"]);
    git(&work, &["push", "-q", bare.to_str().unwrap(), "t1"]);
    let cache = tmp.path().join("cache");
    let url = format!("file://{}", bare.display());
    let rows = fetch::fetch_all(&[entry("tagged", &url, &c3)], &cache, &opts(), &Progress::hidden()).unwrap();
    assert_eq!(rows[0].status, Status::Fetched, "{:?}", rows[0]);
    assert_eq!(std::fs::read_to_string(cache.join("tagged/app.py")).unwrap(), "tagged\n");

    // A repository larger than the cap is refused and not kept.
    let big = tmp.path().join("big-work");
    std::fs::create_dir_all(&big).unwrap();
    git(&big, &["init", "-q"]);
    let noise: Vec<u8> = (0..400_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    std::fs::write(big.join("blob.bin"), noise).unwrap();
    git(&big, &["add", "."]);
    git(&big, &["commit", "-q", "-m", "big"]);
    let small_cap = FetchOptions { max_bytes: 50_000, ..opts() };
    let rows = fetch::fetch_all(&[entry("big", big.to_str().unwrap(), "")], &cache, &small_cap, &Progress::hidden()).unwrap();
    assert_eq!(rows[0].status, Status::TooLarge, "{:?}", rows[0]);
    assert!(!cache.join("big").exists());
}

#[test]
fn dataset_manifest_awsomepy_is_well_formed() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dataset/awsomepy.csv");
    let m = manifest::read(&path).unwrap();
    assert_eq!(m.len(), 87);
    for e in &m {
        assert_eq!(e.id, format!("{}_{}", e.owner, e.repo));
        assert!(!e.owner.contains('_'));
        assert_eq!(e.url, format!("https://github.com/{}/{}", e.owner, e.repo));
    }
    assert_eq!(Entry::from_owner_repo("DemocracyClub_wdiv-s3-trigger").unwrap().repo, "wdiv-s3-trigger");
    assert_eq!(Entry::from_owner_repo("a_b_c").unwrap().repo, "b_c");
}
