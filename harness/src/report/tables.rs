//! Tables as polars DataFrames, written as CSV, Markdown and Parquet.
//! Generic: any report builds a [`TableBuilder`] and calls [`write_all`].

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use polars::prelude::*;

/// Builds a DataFrame column by column.
#[derive(Default)]
pub struct TableBuilder {
    columns: Vec<Column>,
}

impl TableBuilder {
    pub fn new() -> TableBuilder {
        TableBuilder::default()
    }

    pub fn str<S: AsRef<str>>(mut self, name: &str, values: impl IntoIterator<Item = S>) -> Self {
        let v: Vec<String> = values.into_iter().map(|s| s.as_ref().to_string()).collect();
        self.columns.push(Column::new(name.into(), v));
        self
    }

    pub fn u64(mut self, name: &str, values: impl IntoIterator<Item = u64>) -> Self {
        let v: Vec<u64> = values.into_iter().collect();
        self.columns.push(Column::new(name.into(), v));
        self
    }

    pub fn opt_u64(mut self, name: &str, values: impl IntoIterator<Item = Option<u64>>) -> Self {
        let v: Vec<Option<u64>> = values.into_iter().collect();
        self.columns.push(Column::new(name.into(), v));
        self
    }

    pub fn f64(mut self, name: &str, values: impl IntoIterator<Item = f64>) -> Self {
        let v: Vec<f64> = values.into_iter().collect();
        self.columns.push(Column::new(name.into(), v));
        self
    }

    pub fn bool(mut self, name: &str, values: impl IntoIterator<Item = bool>) -> Self {
        let v: Vec<bool> = values.into_iter().collect();
        self.columns.push(Column::new(name.into(), v));
        self
    }

    pub fn build(self) -> Result<DataFrame> {
        let height = self.columns.first().map(|c| c.len()).unwrap_or(0);
        Ok(DataFrame::new(height, self.columns)?)
    }
}

pub fn write_csv(df: &mut DataFrame, path: &Path) -> Result<()> {
    let mut f = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    CsvWriter::new(&mut f).include_header(true).finish(df)?;
    Ok(())
}

pub fn write_parquet(df: &mut DataFrame, path: &Path) -> Result<()> {
    let f = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    ParquetWriter::new(f).finish(df)?;
    Ok(())
}

/// A cell as text: integers as is, floats with at most 3 decimals, nulls empty.
pub fn cell(v: &AnyValue) -> String {
    match v {
        AnyValue::Null => String::new(),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Float64(x) => fmt_f64(*x),
        AnyValue::Float32(x) => fmt_f64(*x as f64),
        AnyValue::Boolean(b) => b.to_string(),
        other => other.to_string().trim_matches('"').to_string(),
    }
}

pub fn fmt_f64(x: f64) -> String {
    if x.is_nan() {
        return "n/a".into();
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The rows as text, for tests and printing.
pub fn rows(df: &DataFrame) -> Vec<Vec<String>> {
    (0..df.height()).map(|i| df.columns().iter().map(|c| c.get(i).map(|v| cell(&v)).unwrap_or_default()).collect()).collect()
}

pub fn header(df: &DataFrame) -> Vec<String> {
    df.get_column_names().into_iter().map(|n| n.to_string()).collect()
}

/// GitHub-flavoured Markdown; numeric columns right-aligned.
pub fn to_markdown(df: &DataFrame) -> String {
    let head = header(df);
    let numeric: Vec<bool> = df.columns().iter().map(|c| c.dtype().is_primitive_numeric()).collect();
    let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = format!("| {} |\n|", head.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" | "));
    for n in &numeric {
        out.push_str(if *n { "---:|" } else { "---|" });
    }
    out.push('\n');
    for r in rows(df) {
        out.push_str(&format!("| {} |\n", r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")));
    }
    out
}

pub fn write_markdown(df: &DataFrame, path: &Path, title: &str) -> Result<()> {
    let text = if title.is_empty() { to_markdown(df) } else { format!("## {title}\n\n{}", to_markdown(df)) };
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Paths written by [`write_all`].
#[derive(Clone, Debug)]
pub struct Written {
    pub csv: PathBuf,
    pub markdown: PathBuf,
    pub parquet: PathBuf,
}

/// Writes `dir/stem.csv`, `dir/stem.md` and `dir/stem.parquet`.
pub fn write_all(df: &mut DataFrame, dir: &Path, stem: &str, title: &str) -> Result<Written> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let w = Written {
        csv: dir.join(format!("{stem}.csv")),
        markdown: dir.join(format!("{stem}.md")),
        parquet: dir.join(format!("{stem}.parquet")),
    };
    write_csv(df, &w.csv)?;
    write_markdown(df, &w.markdown, title)?;
    write_parquet(df, &w.parquet)?;
    Ok(w)
}
