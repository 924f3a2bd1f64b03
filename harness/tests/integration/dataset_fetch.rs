//! `harness fetch --manifest` against local bare repositories.


use std::time::Duration;

use crate::dataset_support::{bare_repo, git};
use harness::dataset::fetch::{self, FetchOptions, Status};
use harness::dataset::checkout;
use harness::dataset::manifest::{self, CommitColumn, Entry};
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
    assert_eq!(by("gone").status, Status::NotFound, "{:?}", by("gone"));
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
    assert_eq!(by("gone").status, Status::NotFound);

    // --pin writes the fetched HEAD into the manifest.
    let mut m = entries.clone();
    assert_eq!(fetch::pin(&mut m, &rows, CommitColumn::Commit), 1);
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

/// Commits in `work` with both dates set to `day` (YYYY-MM-DD).
fn commit_on(work: &std::path::Path, day: &str, msg: &str) -> String {
    let date = format!("{day}T12:00:00Z");
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", "commit", "-q", "-am", msg])
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .current_dir(work)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    git(work, &["rev-parse", "HEAD"])
}

/// A snapshot store that lacks a large blob, as partial clones and the
/// stored snapshots do: the repository is fetched from the mirror with every
/// other file written, the absent one listed, and a link out of the
/// repository refused; the pin before a date and the history's dates are
/// read from the history.
#[test]
fn dataset_fetch_from_a_mirror_with_absent_blobs_and_dates() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir_all(work.join("src")).unwrap();
    git(&work, &["init", "-q"]);
    std::fs::write(work.join("serverless.yml"), "service: s\n").unwrap();
    std::fs::write(work.join("src/handler.py"), "def h(e, c):\n    return 1\n").unwrap();
    std::fs::write(work.join("model.bin"), vec![7u8; 10_000]).unwrap();
    std::os::unix::fs::symlink("../../../etc/passwd", work.join("src/leak")).unwrap();
    std::os::unix::fs::symlink("handler.py", work.join("src/alias.py")).unwrap();
    git(&work, &["add", "."]);
    let old = commit_on(&work, "2021-05-04", "first");
    std::fs::write(work.join("src/handler.py"), "def h(e, c):\n    return 2\n").unwrap();
    let new = commit_on(&work, "2023-01-02", "second");
    let mirror = tmp.path().join("mirror");
    let bare = mirror.join("acme+shop/repo");
    git(tmp.path(), &["clone", "-q", "--bare", work.to_str().unwrap(), bare.to_str().unwrap()]);
    // The large blob is absent from the snapshot.
    let blob = git(&work, &["hash-object", "model.bin"]);
    std::fs::remove_file(bare.join("objects").join(&blob[..2]).join(&blob[2..])).unwrap();

    let absent = format!("file://{}/absent.git", tmp.path().display());
    let entries = vec![Entry::github("acme", "shop"), Entry { url: absent.clone(), ..Entry::github("acme", "elsewhere") }];
    let opts = FetchOptions { mirror: Some(mirror.clone()), retries: 0, ..opts() };
    let cache = tmp.path().join("head");
    let rows = fetch::fetch_all(&entries, &cache, &opts, &Progress::hidden()).unwrap();
    let shop = rows.iter().find(|r| r.id == "acme_shop").unwrap();
    assert_eq!(shop.status, Status::Fetched, "{shop:?}");
    assert_eq!(shop.commit, new);
    assert_eq!(shop.source, bare.display().to_string());
    assert_eq!(shop.omitted, 2, "{shop:?}");
    assert_eq!(shop.first_commit_at, "2021-05-04T12:00:00Z");
    assert_eq!(shop.last_commit_at, "2023-01-02T12:00:00Z");
    let repo = cache.join("acme_shop");
    assert!(std::fs::read_to_string(repo.join("src/handler.py")).unwrap().contains("return 2"));
    assert_eq!(std::fs::read_link(repo.join("src/alias.py")).unwrap(), std::path::Path::new("handler.py"));
    assert!(!repo.join("model.bin").exists() && std::fs::symlink_metadata(repo.join("src/leak")).is_err());
    let omitted = checkout::read_omissions(&checkout::omissions_file(&repo)).unwrap();
    let paths: Vec<&str> = omitted.iter().map(|o| o.path.as_str()).collect();
    assert_eq!(paths, ["model.bin", "src/leak"]);
    assert_eq!(omitted[0].reason, checkout::ABSENT);
    assert!(omitted[1].reason.contains("out of the repository"), "{:?}", omitted[1]);
    // A repository the mirror does not hold goes to its URL.
    let other = rows.iter().find(|r| r.id == "acme_elsewhere").unwrap();
    assert_eq!((other.status, other.source.as_str()), (Status::NotFound, absent.as_str()), "{other:?}");

    // Re-running fetches nothing and still reports the omissions.
    let again = fetch::fetch_all(&entries[..1], &cache, &opts, &Progress::hidden()).unwrap();
    assert_eq!((again[0].status, again[0].omitted, again[0].commit.as_str()), (Status::Cached, 2, new.as_str()));

    // The 2022 snapshot: the last commit before the day, pinned into its
    // own column, with the dates filled from the history.
    let before = FetchOptions { before: harness::dataset::dates::midnight("2022-09-01"), column: CommitColumn::Commit2022, ..opts.clone() };
    let rows = fetch::fetch_all(&entries[..1], &tmp.path().join("y2022"), &before, &Progress::hidden()).unwrap();
    assert_eq!((rows[0].status, rows[0].commit.as_str()), (Status::Fetched, old.as_str()), "{:?}", rows[0]);
    assert!(std::fs::read_to_string(tmp.path().join("y2022/acme_shop/src/handler.py")).unwrap().contains("return 1"));
    let mut m = entries[..1].to_vec();
    assert_eq!(fetch::pin(&mut m, &rows, CommitColumn::Commit2022), 1);
    assert_eq!((m[0].commit.as_str(), m[0].commit_2022.as_str()), ("", old.as_str()));
    assert_eq!((m[0].created_at.as_str(), m[0].pushed_at.as_str()), ("2021-05-04T12:00:00Z", "2023-01-02T12:00:00Z"));
    // A day before the first commit has no snapshot.
    let too_early = FetchOptions { before: harness::dataset::dates::midnight("2020-01-01"), ..opts };
    let rows = fetch::fetch_all(&entries[..1], &tmp.path().join("y2020"), &too_early, &Progress::hidden()).unwrap();
    assert_eq!(rows[0].status, Status::CommitMissing, "{:?}", rows[0]);
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
