//! Matching reported flows against expected flows (docs/ground-truth.md,
//! "Matching and scoring").
//!
//! A reported flow R matches an expected flow E when
//! 1. R's sink file equals E's `sink.file` and R's sink line equals `sink.line`;
//! 2. one of R's sources lies in E's `source.file` inside E's
//!    `source.function` (skipped in sink-only mode);
//! 3. R's class equals E's `vulnerability` (skipped in lenient mode).
//!
//! "Inside the function" is decided from the source location's logical
//! location when it names a function (last dotted component compared with
//! `source.function`); when it names none but has a line, from the Python
//! file itself: the innermost `def` spanning that line (or `<module>`);
//! with neither, the source matches nothing.
//!
//! Counting: TP = expected flows matched by at least one reported flow (each
//! expected flow counts once, however many reports match it; one report may
//! match several expected flows, e.g. one result with a code flow per
//! source); FN = expected flows matched by none; FP = reported flows that
//! match no expected flow.

use super::flows::{ReportedFlow, SourceLoc};
use super::mode::Mode;
use crate::suite::labels::{ExpectedFlow, Source};
use analyzer::sarif::same_file;

/// Tells which function spans a line of a file of the case:
/// `(file relative to the case, line) -> function short name`.
pub type Locator<'a> = dyn Fn(&str, u32) -> Option<String> + 'a;

/// Condition 2 for one source.
pub fn source_matches(src: &SourceLoc, expected: &Source, locate: &Locator) -> bool {
    if !same_file(&src.file, &expected.file) {
        return false;
    }
    match (&src.function, src.line) {
        (Some(f), _) => *f == expected.function,
        (None, Some(line)) => locate(&expected.file, line).is_some_and(|f| f == expected.function),
        (None, None) => false,
    }
}

/// Whether R matches E in `mode`.
pub fn flow_matches(r: &ReportedFlow, e: &ExpectedFlow, mode: Mode, locate: &Locator) -> bool {
    same_file(&r.file, &e.sink.file)
        && r.line == e.sink.line
        && (mode.lenient || r.rule_ids.contains(e.vulnerability.as_str()))
        && (mode.sink_only || r.sources.iter().any(|s| source_matches(s, &e.source, locate)))
}

/// The outcome of matching one case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseMatch {
    /// For each expected flow, whether it was matched.
    pub matched: Vec<bool>,
    /// The reported flows that matched nothing.
    pub false_positives: Vec<ReportedFlow>,
    pub tp: u32,
    pub fp: u32,
    pub fn_: u32,
}

/// Matches the reported flows of one case against its expected flows.
pub fn match_flows(expected: &[ExpectedFlow], reported: &[ReportedFlow], mode: Mode, locate: &Locator) -> CaseMatch {
    let matched: Vec<bool> =
        expected.iter().map(|e| reported.iter().any(|r| flow_matches(r, e, mode, locate))).collect();
    let false_positives: Vec<ReportedFlow> = reported
        .iter()
        .filter(|r| !expected.iter().any(|e| flow_matches(r, e, mode, locate)))
        .cloned()
        .collect();
    let tp = matched.iter().filter(|m| **m).count() as u32;
    CaseMatch {
        tp,
        fn_: expected.len() as u32 - tp,
        fp: false_positives.len() as u32,
        matched,
        false_positives,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::flows::reported_flows;
    use crate::suite::labels::{Sink, SourceKind, Vulnerability};
    use analyzer::sarif::{CodeFlow, Location, Log, Result as SarifResult};
    use std::path::Path;

    fn expected(vuln: &str, src: (&str, &str), sink: (&str, u32)) -> ExpectedFlow {
        ExpectedFlow {
            vulnerability: Vulnerability(vuln.into()),
            source: Source { file: src.0.into(), function: src.1.into(), kind: SourceKind::Http, line: None },
            sink: Sink { file: sink.0.into(), line: sink.1, callee: "os.system".into() },
        }
    }

    /// A result: rule, sink, and per code flow (source file, line, fully qualified function name).
    fn result(rule: &str, sink: (&str, u32), sources: &[(&str, u32, Option<&str>)]) -> SarifResult {
        SarifResult {
            rule_id: Some(rule.into()),
            locations: vec![Location::at(sink.0, sink.1)],
            code_flows: sources
                .iter()
                .map(|(f, l, func)| {
                    let mut s = Location::at(f, *l);
                    if let Some(func) = func {
                        s = s.in_function(func, "function");
                    }
                    CodeFlow::through(vec![s, Location::at(sink.0, sink.1)])
                })
                .collect(),
            ..Default::default()
        }
    }

    fn no_locator(_: &str, _: u32) -> Option<String> {
        None
    }

    fn score(exp: &[ExpectedFlow], results: Vec<SarifResult>, mode: Mode) -> CaseMatch {
        score_with(exp, results, mode, &no_locator)
    }

    fn score_with(exp: &[ExpectedFlow], results: Vec<SarifResult>, mode: Mode, locate: &Locator) -> CaseMatch {
        let mut log = Log::new("t", "1", None, vec![]);
        log.runs[0].results = results;
        let flows = reported_flows(&log, Path::new("/suite/cat/case"), mode);
        match_flows(exp, &flows, mode, locate)
    }

    fn counts(m: &CaseMatch) -> (u32, u32, u32) {
        (m.tp, m.fp, m.fn_)
    }

    const LENIENT: Mode = Mode { lenient: true, sink_only: false };
    const SINK_ONLY: Mode = Mode { lenient: false, sink_only: true };

    fn e1() -> ExpectedFlow {
        expected("code-injection", ("handlers/http.py", "onPost"), ("handlers/stream.py", 18))
    }

    fn good() -> SarifResult {
        result("code-injection", ("handlers/stream.py", 18), &[("handlers/http.py", 5, Some("handlers.http.onPost"))])
    }

    #[test]
    fn exact_match_is_a_tp() {
        assert_eq!(counts(&score(&[e1()], vec![good()], Mode::STRICT)), (1, 0, 0));
    }

    #[test]
    fn nothing_reported_is_a_fn() {
        let m = score(&[e1()], vec![], Mode::STRICT);
        assert_eq!(counts(&m), (0, 0, 1));
        assert_eq!(m.matched, vec![false]);
    }

    #[test]
    fn duplicate_reports_count_once() {
        let m = score(&[e1()], vec![good(), good(), good()], Mode::STRICT);
        assert_eq!(counts(&m), (1, 0, 0));
        // duplicates that match nothing are one FP, not three
        let bad = result("code-injection", ("handlers/stream.py", 30), &[]);
        let m = score(&[e1()], vec![good(), bad.clone(), bad], Mode::STRICT);
        assert_eq!(counts(&m), (1, 1, 0));
    }

    #[test]
    fn several_code_flows_on_one_result() {
        // the right source is the second code flow
        let r = result(
            "code-injection",
            ("handlers/stream.py", 18),
            &[("handlers/other.py", 2, Some("handlers.other.f")), ("handlers/http.py", 5, Some("handlers.http.onPost"))],
        );
        assert_eq!(counts(&score(&[e1()], vec![r], Mode::STRICT)), (1, 0, 0));
    }

    #[test]
    fn code_flows_of_separate_results_on_one_line_merge() {
        let a = result("code-injection", ("handlers/stream.py", 18), &[("handlers/other.py", 2, Some("handlers.other.f"))]);
        let b = result("code-injection", ("./handlers/stream.py", 18), &[("handlers/http.py", 5, Some("handlers.http.onPost"))]);
        assert_eq!(counts(&score(&[e1()], vec![a, b], Mode::STRICT)), (1, 0, 0));
    }

    #[test]
    fn negative_case() {
        assert_eq!(counts(&score(&[], vec![], Mode::STRICT)), (0, 0, 0));
        assert_eq!(counts(&score(&[], vec![good()], Mode::STRICT)), (0, 1, 0));
        assert_eq!(counts(&score(&[], vec![good()], LENIENT)), (0, 1, 0));
        assert_eq!(counts(&score(&[], vec![good()], SINK_ONLY)), (0, 1, 0));
    }

    #[test]
    fn source_in_the_wrong_function() {
        let r = result("code-injection", ("handlers/stream.py", 18), &[("handlers/http.py", 5, Some("handlers.http.onGet"))]);
        assert_eq!(counts(&score(&[e1()], vec![r.clone()], Mode::STRICT)), (0, 1, 1));
        assert_eq!(counts(&score(&[e1()], vec![r.clone()], LENIENT)), (0, 1, 1));
        assert_eq!(counts(&score(&[e1()], vec![r], SINK_ONLY)), (1, 0, 0));
    }

    #[test]
    fn source_in_the_wrong_file() {
        let r = result("code-injection", ("handlers/stream.py", 18), &[("handlers/other.py", 5, Some("handlers.other.onPost"))]);
        assert_eq!(counts(&score(&[e1()], vec![r], Mode::STRICT)), (0, 1, 1));
    }

    #[test]
    fn methods_and_module_level_sources() {
        let e = expected("code-injection", ("cli.py", "<module>"), ("cli.py", 9));
        let r = result("code-injection", ("cli.py", 9), &[("cli.py", 2, Some("cli.<module>"))]);
        assert_eq!(counts(&score(&[e], vec![r], Mode::STRICT)), (1, 0, 0));
        let e = expected("code-injection", ("h.py", "handle"), ("h.py", 9));
        let r = result("code-injection", ("h.py", 9), &[("h.py", 2, Some("h.Handler.handle"))]);
        assert_eq!(counts(&score(&[e], vec![r], Mode::STRICT)), (1, 0, 0));
    }

    #[test]
    fn wrong_class_strict_vs_lenient() {
        let r = result("sql-injection", ("handlers/stream.py", 18), &[("handlers/http.py", 5, Some("handlers.http.onPost"))]);
        assert_eq!(counts(&score(&[e1()], vec![r.clone()], Mode::STRICT)), (0, 1, 1));
        assert_eq!(counts(&score(&[e1()], vec![r.clone()], LENIENT)), (1, 0, 0));
        assert_eq!(counts(&score(&[e1()], vec![r], SINK_ONLY)), (0, 1, 1));
    }

    #[test]
    fn lenient_merges_classes_on_one_line() {
        let a = result("sql-injection", ("handlers/stream.py", 18), &[("handlers/http.py", 5, Some("handlers.http.onPost"))]);
        let b = result("B605", ("handlers/stream.py", 18), &[]);
        assert_eq!(counts(&score(&[e1()], vec![a.clone(), b.clone()], LENIENT)), (1, 0, 0));
        // strict: two distinct reported flows, neither of the right class
        assert_eq!(counts(&score(&[e1()], vec![a, b], Mode::STRICT)), (0, 2, 1));
    }

    #[test]
    fn sink_only_mode_needs_no_code_flow() {
        let r = result("code-injection", ("handlers/stream.py", 18), &[]);
        assert_eq!(counts(&score(&[e1()], vec![r.clone()], Mode::STRICT)), (0, 1, 1));
        assert_eq!(counts(&score(&[e1()], vec![r], SINK_ONLY)), (1, 0, 0));
        let wrong_line = result("code-injection", ("handlers/stream.py", 17), &[]);
        assert_eq!(counts(&score(&[e1()], vec![wrong_line], SINK_ONLY)), (0, 1, 1));
        let wrong_file = result("code-injection", ("handlers/http.py", 18), &[]);
        assert_eq!(counts(&score(&[e1()], vec![wrong_file], SINK_ONLY)), (0, 1, 1));
    }

    #[test]
    fn two_expected_flows_on_one_sink_line() {
        let a = expected("code-injection", ("handlers/http.py", "onPost"), ("handlers/stream.py", 18));
        let b = expected("code-injection", ("handlers/cli.py", "main"), ("handlers/stream.py", 18));
        let both = result(
            "code-injection",
            ("handlers/stream.py", 18),
            &[("handlers/http.py", 5, Some("handlers.http.onPost")), ("handlers/cli.py", 3, Some("handlers.cli.main"))],
        );
        assert_eq!(counts(&score(&[a.clone(), b.clone()], vec![both], Mode::STRICT)), (2, 0, 0));
        let m = score(&[a.clone(), b.clone()], vec![good()], Mode::STRICT);
        assert_eq!(counts(&m), (1, 0, 1));
        assert_eq!(m.matched, vec![true, false]);
        // sink-only: one report on the line matches both
        let bare = result("code-injection", ("handlers/stream.py", 18), &[]);
        assert_eq!(counts(&score(&[a, b], vec![bare], SINK_ONLY)), (2, 0, 0));
    }

    #[test]
    fn source_without_logical_location_uses_the_line() {
        let r = result("code-injection", ("handlers/stream.py", 18), &[("handlers/http.py", 5, None)]);
        let locate = |file: &str, line: u32| (file == "handlers/http.py" && (3..=9).contains(&line)).then(|| "onPost".to_string());
        assert_eq!(counts(&score_with(&[e1()], vec![r.clone()], Mode::STRICT, &locate)), (1, 0, 0));
        let elsewhere = |_: &str, _: u32| Some("<module>".to_string());
        assert_eq!(counts(&score_with(&[e1()], vec![r], Mode::STRICT, &elsewhere)), (0, 1, 1));
        // neither function nor line: no match
        let mut r = result("code-injection", ("handlers/stream.py", 18), &[("handlers/http.py", 5, None)]);
        r.code_flows[0].thread_flows[0].locations[0].location.as_mut().unwrap().physical_location.as_mut().unwrap().region = None;
        assert_eq!(counts(&score_with(&[e1()], vec![r], Mode::STRICT, &locate)), (0, 1, 1));
    }

    #[test]
    fn absolute_and_file_uris_match() {
        let r = result(
            "code-injection",
            ("file:///suite/cat/case/handlers/stream.py", 18),
            &[("/suite/cat/case/handlers/http.py", 5, Some("handlers.http.onPost"))],
        );
        assert_eq!(counts(&score(&[e1()], vec![r], Mode::STRICT)), (1, 0, 0));
    }

    #[test]
    fn results_without_location_are_false_positives() {
        let r = SarifResult { rule_id: Some("code-injection".into()), ..Default::default() };
        assert_eq!(counts(&score(&[e1()], vec![good(), r], Mode::STRICT)), (1, 1, 0));
    }

    #[test]
    fn mode_names() {
        assert_eq!(Mode::STRICT.name(), "strict");
        assert_eq!(LENIENT.name(), "lenient");
        assert_eq!(SINK_ONLY.name(), "sink-only");
        assert_eq!(Mode { lenient: true, sink_only: true }.name(), "lenient+sink-only");
    }
}
