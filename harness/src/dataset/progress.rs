//! Progress for long runs over many repositories: an indicatif bar on a
//! terminal, one plain line per finished item otherwise (CI logs, pipes).

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: Mutex<u64>,
    label: String,
    quiet: bool,
}

impl Progress {
    pub fn new(total: u64, label: &str) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::new(total);
            if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {elapsed} {msg}") {
                b.set_style(style.progress_chars("=> "));
            }
            b.set_prefix(label.to_string());
            b
        });
        Progress { bar, total, done: Mutex::new(0), label: label.to_string(), quiet: false }
    }

    /// No output at all (library use, tests).
    pub fn hidden() -> Progress {
        Progress { bar: None, total: 0, done: Mutex::new(0), label: String::new(), quiet: true }
    }

    /// One item finished; `line` says what happened to it.
    pub fn finish_item(&self, line: &str) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        *done += 1;
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(b) => {
                b.set_message(line.to_string());
                b.inc(1);
            }
            None => eprintln!("{} {}/{} {}", self.label, *done, self.total, line),
        }
    }

    /// A message that must stay visible (errors).
    pub fn println(&self, line: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(b) => b.println(line),
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
