//! Figures with plotters, each written as SVG and PNG. Generic: a figure is
//! a [`Figure`] (title, axes, kind) and named point series. Text uses the
//! bundled DejaVu Sans (harness/data/fonts), so no system font is needed.

use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

static FONT: Once = Once::new();

fn register_font() {
    FONT.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../data/fonts/DejaVuSans.ttf");
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, bytes);
    });
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Line,
    /// Step line for empirical CDFs.
    Step,
    Scatter,
}

#[derive(Clone, Debug)]
pub struct Figure {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub kind: Kind,
    /// Plot log10(x); ticks are labelled with x.
    pub log_x: bool,
    pub size: (u32, u32),
}

impl Figure {
    pub fn new(title: &str, x_label: &str, y_label: &str, kind: Kind) -> Figure {
        Figure { title: title.into(), x_label: x_label.into(), y_label: y_label.into(), kind, log_x: false, size: (800, 560) }
    }

    pub fn log_x(mut self) -> Figure {
        self.log_x = true;
        self
    }
}

#[derive(Clone, Debug)]
pub struct PointSeries {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

impl PointSeries {
    pub fn new(label: &str, points: Vec<(f64, f64)>) -> PointSeries {
        PointSeries { label: label.into(), points }
    }
}

/// Empirical CDF of `values`: (value, share of values <= it).
pub fn ecdf(values: &[f64]) -> Vec<(f64, f64)> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len() as f64;
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (i, x) in v.iter().enumerate() {
        let y = (i + 1) as f64 / n;
        match out.last_mut() {
            Some(last) if last.0 == *x => last.1 = y,
            _ => out.push((*x, y)),
        }
    }
    out
}

/// Writes `stem.svg` and `stem.png` under `dir`.
pub fn draw(fig: &Figure, series: &[PointSeries], dir: &Path, stem: &str) -> Result<(PathBuf, PathBuf)> {
    register_font();
    std::fs::create_dir_all(dir)?;
    let svg = dir.join(format!("{stem}.svg"));
    let png = dir.join(format!("{stem}.png"));
    {
        let root = SVGBackend::new(&svg, fig.size).into_drawing_area();
        render(&root, fig, series)?;
        root.present().map_err(|e| anyhow!("{}: {e:?}", svg.display()))?;
    }
    {
        let root = BitMapBackend::new(&png, fig.size).into_drawing_area();
        render(&root, fig, series)?;
        root.present().map_err(|e| anyhow!("{}: {e:?}", png.display()))?;
    }
    Ok((svg, png))
}

const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

fn render<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, fig: &Figure, series: &[PointSeries]) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("drawing failed: {e:?}");
    root.fill(&WHITE).map_err(err)?;
    let tx = |x: f64| if fig.log_x { x.max(1.0).log10() } else { x };
    let pts: Vec<Vec<(f64, f64)>> = series.iter().map(|s| s.points.iter().map(|&(x, y)| (tx(x), y)).collect()).collect();
    let all = pts.iter().flatten();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in all {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    if fig.kind != Kind::Step {
        y0 = y0.min(0.0);
    }
    if !fig.log_x {
        x0 = x0.min(0.0);
    }
    let pad = |a: f64, b: f64| if (b - a).abs() < 1e-9 { 1.0 } else { (b - a) * 0.05 };
    let (px, py) = (pad(x0, x1), pad(y0, y1));
    let mut chart = ChartBuilder::on(root)
        .caption(&fig.title, ("sans-serif", 22))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d((x0 - px)..(x1 + px), (y0 - py)..(y1 + py))
        .map_err(err)?;
    let log = fig.log_x;
    let xfmt = move |v: &f64| if log { crate::report::tables::fmt_f64(10f64.powf(*v).round()) } else { crate::report::tables::fmt_f64(*v) };
    chart
        .configure_mesh()
        .x_desc(fig.x_label.as_str())
        .y_desc(fig.y_label.as_str())
        .x_label_formatter(&xfmt)
        .y_label_formatter(&|v: &f64| crate::report::tables::fmt_f64(*v))
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(err)?;
    for (i, (s, p)) in series.iter().zip(&pts).enumerate() {
        let color = COLORS[i % COLORS.len()];
        let anno = match fig.kind {
            Kind::Line => chart.draw_series(LineSeries::new(p.clone(), color.stroke_width(2))).map_err(err)?,
            Kind::Step => {
                let mut steps = Vec::new();
                let mut prev = 0.0;
                for &(x, y) in p {
                    steps.push((x, prev));
                    steps.push((x, y));
                    prev = y;
                }
                chart.draw_series(LineSeries::new(steps, color.stroke_width(2))).map_err(err)?
            }
            Kind::Scatter => chart.draw_series(p.iter().map(|&pt| Circle::new(pt, 4, color.mix(0.7).filled()))).map_err(err)?,
        };
        if series.len() > 1 {
            anno.label(s.label.clone()).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        }
    }
    if series.len() > 1 {
        chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw().map_err(err)?;
    }
    Ok(())
}

/// A grouped bar chart: one group per category, one bar per series in each
/// group (e.g. pass rate per category, one bar per tool). Generic, added for
/// the bench report (issue 7).
#[derive(Clone, Debug)]
pub struct Bars {
    pub title: String,
    pub y_label: String,
    pub categories: Vec<String>,
    /// (series name, one value per category).
    pub series: Vec<(String, Vec<f64>)>,
    /// The top of the y axis (default: the largest value plus 5%).
    pub y_max: Option<f64>,
    pub size: (u32, u32),
}

impl Bars {
    pub fn new(title: &str, y_label: &str, categories: Vec<String>, series: Vec<(String, Vec<f64>)>) -> Bars {
        Bars { title: title.into(), y_label: y_label.into(), categories, series, y_max: None, size: (800, 560) }
    }
}

/// Writes `stem.svg` and `stem.png` under `dir`.
pub fn draw_bars(bars: &Bars, dir: &Path, stem: &str) -> Result<(PathBuf, PathBuf)> {
    register_font();
    std::fs::create_dir_all(dir)?;
    let svg = dir.join(format!("{stem}.svg"));
    let png = dir.join(format!("{stem}.png"));
    {
        let root = SVGBackend::new(&svg, bars.size).into_drawing_area();
        render_bars(&root, bars)?;
        root.present().map_err(|e| anyhow!("{}: {e:?}", svg.display()))?;
    }
    {
        let root = BitMapBackend::new(&png, bars.size).into_drawing_area();
        render_bars(&root, bars)?;
        root.present().map_err(|e| anyhow!("{}: {e:?}", png.display()))?;
    }
    Ok((svg, png))
}

fn render_bars<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, bars: &Bars) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("drawing failed: {e:?}");
    root.fill(&WHITE).map_err(err)?;
    let n = bars.categories.len().max(1);
    let k = bars.series.len().max(1);
    let top = bars
        .y_max
        .unwrap_or_else(|| bars.series.iter().flat_map(|(_, v)| v.iter().copied()).filter(|x| x.is_finite()).fold(0.0, f64::max) * 1.05);
    let top = if top > 0.0 { top } else { 1.0 };
    let mut chart = ChartBuilder::on(root)
        .caption(&bars.title, ("sans-serif", 22))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)
        .map_err(err)?;
    let cats = bars.categories.clone();
    let xfmt = move |v: &f64| {
        let i = v.round();
        if (v - i).abs() < 0.01 && i >= 0.0 && (i as usize) < cats.len() {
            cats[i as usize].clone()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n + 1)
        .x_label_formatter(&xfmt)
        .y_desc(bars.y_label.as_str())
        .y_label_formatter(&|v: &f64| crate::report::tables::fmt_f64(*v))
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(err)?;
    let width = 0.8 / k as f64;
    for (j, (name, values)) in bars.series.iter().enumerate() {
        let color = COLORS[j % COLORS.len()];
        let rects = values.iter().enumerate().map(move |(i, &v)| {
            let x0 = i as f64 - 0.4 + j as f64 * width;
            Rectangle::new([(x0, 0.0), (x0 + width * 0.92, v.max(0.0))], color.filled())
        });
        let anno = chart.draw_series(rects).map_err(err)?;
        if bars.series.len() > 1 {
            anno.label(name.clone()).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        }
    }
    if bars.series.len() > 1 {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
    }
    Ok(())
}
