//! Generic report writers: polars tables to CSV/Markdown/Parquet
//! ([`tables`]) and plotters figures to SVG/PNG ([`plots`]); published
//! figures set beside ours ([`published`]); the report of a bench run
//! ([`bench`]).

pub mod bench;
pub mod plots;
pub mod published;
pub mod tables;
