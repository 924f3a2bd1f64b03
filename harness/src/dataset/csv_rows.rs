//! Rows of one serde type to and from a CSV file with a header: the fetch
//! log and the lists of omitted files.

use std::path::Path;

use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub fn write<T: Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    let mut w = csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    for r in rows {
        w.serialize(r)?;
    }
    w.flush()?;
    Ok(())
}

pub fn read<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    rdr.deserialize().collect::<Result<Vec<T>, _>>().with_context(|| format!("{}: unreadable row", path.display()))
}
