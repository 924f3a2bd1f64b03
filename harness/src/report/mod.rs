//! Generic report writers: polars tables to CSV/Markdown/Parquet
//! ([`tables`]) and plotters figures to SVG/PNG ([`plots`]); published
//! figures set beside ours ([`published`]).

pub mod plots;
pub mod published;
pub mod tables;
