//! Generic report writers: polars tables to CSV/Markdown/Parquet
//! ([`tables`]) and plotters figures to SVG/PNG ([`plots`]).

pub mod plots;
pub mod tables;
