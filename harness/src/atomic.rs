//! Files written whole or not at all: the content goes to a hidden
//! temporary file beside the target (`.<name>.tmp`), which is then renamed
//! over it. A run killed mid-write leaves no torn status file, record or
//! table that a resumed run would trust or a reader would see half
//! written; readers that list a folder skip hidden files.

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

fn temporary(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp"))
}

/// Writes `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    let tmp = temporary(path);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Writes `rows` as CSV (a header from the first row's fields) atomically.
pub fn write_csv<T: Serialize>(path: &Path, rows: impl IntoIterator<Item = T>) -> anyhow::Result<()> {
    let tmp = temporary(path);
    {
        let mut w = csv::Writer::from_path(&tmp).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))?;
        for row in rows {
            w.serialize(row)?;
        }
        w.flush()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_is_replaced_whole_and_no_temporary_stays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status.json");
        write(&path, "old").unwrap();
        write(&path, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[derive(Serialize)]
        struct Row {
            case: &'static str,
            ok: bool,
        }
        let table = dir.path().join("runs.csv");
        write_csv(&table, [Row { case: "a", ok: true }, Row { case: "b", ok: false }]).unwrap();
        assert_eq!(std::fs::read_to_string(&table).unwrap(), "case,ok\na,true\nb,false\n");
        let names: Vec<String> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
