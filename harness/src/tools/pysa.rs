//! Pysa's `taint-output.json` (JSON lines, format version 3) as SARIF.
//!
//! An `issue` record names the callable where a source meets a sink, its file
//! and the position of the sink *in that callable*, with two traces: `forward`
//! (how the source got there) and `backward` (how the sink is reached). Each
//! trace root is a frame that is either a leaf (`origin`: the source or sink
//! is right here, at `call_site`) or a `call` (the taint comes from, or goes
//! into, the callees in `resolves_to`, through `port`). When the sink lies in
//! a function the issue's callable calls, the issue's own line is that call;
//! the real sink is found by following the callee's `model` record (its
//! `sinks` on that port), callee after callee, down to the leaf: the way
//! Pysa's trace viewer (SAPP) expands a trace. Sources are expanded the same
//! way through the callees' `sources` on their `result` port, so a source is
//! placed in the function that holds it: the handler whose `event` parameter
//! is a source, or the function calling, say, `parse_args`.
//!
//! One SARIF result per issue and real sink location (an issue whose call
//! leads to two sinks is two results), one code flow per source. The rule id
//! is the contract's class for the Pysa rule code when there is one, else
//! `pysa-<code>`; the code and the sink callee are in the properties.

use std::collections::{BTreeSet, HashMap, HashSet};

use analyzer::sarif::{CodeFlow, Location, Log, Message, PropertyBag, Result as SarifResult};
use serde_json::Value;

/// How deep a trace is followed through callees (Pysa's own traces are
/// bounded too; this only guards against a corrupt output).
const MAX_DEPTH: usize = 32;

/// The contract's vulnerability class for a rule of Pysa's shipped
/// `taint.config` (core_privacy_security), if any.
pub fn class_of(code: u64) -> Option<&'static str> {
    Some(match code {
        // shell, eval/exec, env/import injection, exec arguments; from user
        // data, command-line arguments or internet responses
        5001 | 5041 | 5301 | 6064 | 6065 | 5364 | 5365 | 6809 => "code-injection",
        // SQL sinks; 5051/5351 flag user data formatted into a string that
        // looks like SQL (reported where the string is built)
        5005 | 5305 | 5051 | 5351 => "sql-injection",
        // pickle, yaml.load, marshal...; a tainted file handle deserialized
        6066 | 5366 | 5067 | 5367 => "deserialization",
        // HTTP client requests; user data formatted into a URL-like string
        5012 | 5053 => "ssrf",
        // file read/write and other file-system calls on a tainted path
        5011 | 6060 => "path-traversal",
        _ => return None,
    })
}

/// A place in the analysed code: file, 1-based line, callable, and (for a
/// sink) the modelled function called there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    file: String,
    line: u32,
    callable: String,
    callee: String,
}

impl Place {
    fn location(&self) -> Location {
        let loc = Location::at(&self.file, self.line);
        if self.callable.is_empty() {
            return loc;
        }
        // Pysa names module-level code `module.$toplevel`.
        match self.callable.strip_suffix("$toplevel") {
            Some(module) => loc.in_function(&format!("{module}<module>"), "module"),
            None => loc.in_function(&self.callable, "function"),
        }
    }
}

/// The `model` records by callable: where each is and its taint.
struct Models<'a>(HashMap<&'a str, &'a Value>);

impl<'a> Models<'a> {
    /// The places a trace frame leads to, in `file`/`callable` (where the
    /// frame was found). `section` is `sinks` or `sources`; `kinds` are the
    /// taint kinds followed (a callee may have other kinds on the same port).
    fn expand(&self, frame: &Value, file: &str, callable: &str, section: &str, kinds: &BTreeSet<String>) -> Vec<Place> {
        self.expand_at(frame, file, callable, section, kinds, &mut Expansion::default())
    }

    /// [`Models::expand`] below a frame already reached: each frame is
    /// expanded once, and a frame met again on its own path (a recursive
    /// callable, whose model calls itself) leads nowhere new. Following
    /// every path instead multiplied at each recursive frame: the model of
    /// a helper that calls itself twice took the harness to 24 GB.
    fn expand_at(&self, frame: &Value, file: &str, callable: &str, section: &str, kinds: &BTreeSet<String>, seen: &mut Expansion) -> Vec<Place> {
        let at = (frame as *const Value, callable.to_string());
        if let Some(done) = seen.done.get(&at) {
            return done.clone();
        }
        if !seen.on_path.insert(at.clone()) {
            return Vec::new();
        }
        let found = self.expand_frame(frame, file, callable, section, kinds, seen);
        seen.on_path.remove(&at);
        seen.done.insert(at, found.clone());
        found
    }

    fn expand_frame(&self, frame: &Value, file: &str, callable: &str, section: &str, kinds: &BTreeSet<String>, seen: &mut Expansion) -> Vec<Place> {
        let here = |line: u32| Place { file: file.to_string(), line, callable: callable.to_string(), callee: leaf_name(frame) };
        let Some(call) = frame.get("call") else {
            // A leaf: the source or sink is this call (or parameter) itself.
            let line = frame.get("call_site").and_then(Value::as_str).and_then(start_line).or_else(|| line_of(frame.get("origin")));
            return line.map(here).into_iter().collect();
        };
        let call_line = call.get("call_site").and_then(Value::as_str).and_then(start_line).or_else(|| line_of(call.get("position")));
        let port = call.get("port").and_then(Value::as_str).unwrap_or("");
        let mut found = Vec::new();
        if seen.on_path.len() <= MAX_DEPTH {
            for callee in call.get("resolves_to").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                let Some(model) = self.0.get(callee) else { continue };
                let callee_file = model.get("filename").and_then(Value::as_str).unwrap_or(file);
                let entries = model.get(section).and_then(Value::as_array).into_iter().flatten();
                let frames: Vec<&Value> = entries
                    .filter(|e| e.get("port").and_then(Value::as_str).is_some_and(|p| same_port(p, port)))
                    .flat_map(|e| e.get("taint").and_then(Value::as_array).into_iter().flatten())
                    .collect();
                // Frames of the kinds followed; all of them if none matches.
                let matching: Vec<&Value> = frames.iter().copied().filter(|f| kinds_of(f).iter().any(|k| kinds.contains(k))).collect();
                for f in if matching.is_empty() { &frames } else { &matching } {
                    found.extend(self.expand_at(f, callee_file, callee, section, kinds, seen));
                }
            }
        }
        if found.is_empty() {
            // No model to follow (a stub, or a cut trace): the call itself.
            found.extend(call_line.map(here));
        }
        found
    }
}

/// The frames of one trace root expanded so far, and those being expanded
/// (by address, with the callable they were found in).
#[derive(Default)]
struct Expansion {
    done: HashMap<(*const Value, String), Vec<Place>>,
    on_path: HashSet<(*const Value, String)>,
}

/// `formal(x, position=0)[a]` and `formal(x, position=0)` name one parameter;
/// `result[a]` and `result` the return value.
fn same_port(a: &str, b: &str) -> bool {
    let root = |p: &str| match p.find(')') {
        Some(i) if p.starts_with("formal(") => p[..=i].to_string(),
        _ => p.split('[').next().unwrap_or(p).to_string(),
    };
    root(a) == root(b)
}

fn kinds_of(frame: &Value) -> BTreeSet<String> {
    frame
        .get("kinds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|k| k.get("kind").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// The modelled function at a leaf frame (`os.system`, `_pickle.loads`).
fn leaf_name(frame: &Value) -> String {
    frame
        .get("kinds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|k| k.get("leaves").and_then(Value::as_array).into_iter().flatten())
        .find_map(|l| l.get("name").and_then(Value::as_str))
        .unwrap_or("")
        .to_string()
}

/// The start line of a `call_site` such as `17:11-17:29`.
fn start_line(call_site: &str) -> Option<u32> {
    call_site.split(':').next()?.parse().ok()
}

fn line_of(position: Option<&Value>) -> Option<u32> {
    position?.get("line")?.as_u64().map(|l| l as u32)
}

fn trace<'a>(issue: &'a Value, name: &'a str) -> impl Iterator<Item = &'a Value> {
    issue
        .get("traces")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(move |t| t.get("name").and_then(Value::as_str) == Some(name))
        .flat_map(|t| t.get("roots").and_then(Value::as_array).into_iter().flatten())
}

pub fn to_sarif(text: &str) -> Result<Log, String> {
    let mut log = Log::new("pysa", "", Some("https://pyre-check.org/docs/pysa-basics/"), vec![]);
    let mut records = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| format!("line {}: not Pysa output: {e}", i + 1))?;
        records.push(v);
    }
    if records.is_empty() {
        return Err("empty Pysa output".into());
    }
    let kind = |v: &Value| v.get("kind").and_then(Value::as_str).map(str::to_string);
    let models = Models(
        records
            .iter()
            .filter(|v| kind(v).as_deref() == Some("model"))
            .filter_map(|v| Some((v["data"].get("callable")?.as_str()?, &v["data"])))
            .collect(),
    );
    for v in records.iter().filter(|v| kind(v).as_deref() == Some("issue")) {
        let d = &v["data"];
        let file = d.get("filename").and_then(Value::as_str).unwrap_or("");
        let callable = d.get("callable").and_then(Value::as_str).unwrap_or("");
        let code = d.get("code").and_then(Value::as_u64).unwrap_or(0);
        let issue_line = d.get("line").and_then(Value::as_u64).unwrap_or(0) as u32;

        let mut sinks = BTreeSet::new();
        for root in trace(d, "backward") {
            sinks.extend(models.expand(root, file, callable, "sinks", &kinds_of(root)));
        }
        if sinks.is_empty() {
            sinks.insert(Place { file: file.to_string(), line: issue_line, callable: callable.to_string(), callee: String::new() });
        }
        let mut sources = BTreeSet::new();
        for root in trace(d, "forward") {
            sources.extend(models.expand(root, file, callable, "sources", &kinds_of(root)));
        }
        for sink in sinks {
            let sink_loc = sink.location();
            let mut properties = PropertyBag::from([("pysaRule".to_string(), Value::from(code))]);
            if !sink.callee.is_empty() {
                properties.insert("sinkCallee".to_string(), Value::from(sink.callee.clone()));
            }
            log.runs[0].results.push(SarifResult {
                rule_id: Some(class_of(code).map_or_else(|| format!("pysa-{code}"), str::to_string)),
                message: Message::text(format!("[{code}] {}", d.get("message").and_then(Value::as_str).unwrap_or(""))),
                locations: vec![sink_loc.clone()],
                code_flows: sources.iter().map(|s| CodeFlow::through(vec![s.location(), sink_loc.clone()])).collect(),
                properties: Some(properties),
                ..Default::default()
            });
        }
    }
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records as Pysa 0.10 writes them (trimmed of features and positions
    /// the converter does not read).
    const HELPER: &str = concat!(
        r#"{"file_version":3,"config":{"repo":"/tmp/app"}}"#,
        "\n",
        // handler(event, context): run(body["cmd"]) at line 7, run -> _inner -> os.system at util.py:11
        r#"{"kind":"issue","data":{"callable":"handlers.api.handler","callable_line":5,"code":5001,"line":7,"start":8,"end":19,"filename":"handlers/api.py","message":"Data from [UserControlled] source(s) may reach [RemoteCodeExecution] sink(s)","traces":[{"name":"forward","roots":[{"kinds":[{"leaves":[{"name":"handlers.api.handler","port":"leaf:event"}],"kind":"UserControlled"}],"origin":{"line":5,"start":12,"end":17},"call_site":"5:0-9:30"}]},{"name":"backward","roots":[{"kinds":[{"leaves":[{"name":"os.system","port":"leaf:command"}],"length":2,"kind":"RemoteCodeExecution"}],"call":{"position":{"line":7,"start":8,"end":19},"resolves_to":["handlers.util.run"],"port":"formal(cmd, position=0)","call_site":"7:4-7:20"}}]}]}}"#,
        "\n",
        r#"{"kind":"model","data":{"callable":"handlers.util.run","filename":"handlers/util.py","callable_line":5,"sinks":[{"port":"formal(cmd, position=0)","taint":[{"kinds":[{"length":1,"kind":"RemoteCodeExecution"}],"call":{"position":{"line":7,"start":11,"end":23},"resolves_to":["handlers.util._inner"],"port":"formal(c, position=0)","call_site":"7:4-7:24"}}]}]}}"#,
        "\n",
        r#"{"kind":"model","data":{"callable":"handlers.util._inner","filename":"handlers/util.py","callable_line":10,"sinks":[{"port":"formal(c, position=0)","taint":[{"kinds":[{"leaves":[{"name":"logging.Logger.info","port":"leaf:msg"}],"kind":"Logging"}],"origin":{"line":12,"start":13,"end":14},"call_site":"12:4-12:15"},{"kinds":[{"leaves":[{"name":"os.system","port":"leaf:command"}],"kind":"RemoteCodeExecution"}],"origin":{"line":11,"start":14,"end":15},"call_site":"11:4-11:16"}]}]}}"#,
        "\n"
    );

    #[test]
    fn a_helper_whose_model_calls_itself_is_followed_once() {
        // walk(node) calls walk twice (left and right) and os.system at
        // line 9: each frame is expanded once, however deep the recursion.
        let self_call = |line: u32| format!(r#"{{"kinds":[{{"kind":"RemoteCodeExecution"}}],"call":{{"position":{{"line":{line},"start":8,"end":20}},"resolves_to":["handlers.tree.walk"],"port":"formal(node, position=0)","call_site":"{line}:8-{line}:20"}}}}"#);
        let text = [
            r#"{"file_version":3,"config":{"repo":"/tmp/app"}}"#.to_string(),
            r#"{"kind":"issue","data":{"callable":"handlers.api.handler","callable_line":5,"code":5001,"line":7,"start":4,"end":19,"filename":"handlers/api.py","message":"m","traces":[{"name":"forward","roots":[]},{"name":"backward","roots":[{"kinds":[{"kind":"RemoteCodeExecution"}],"call":{"position":{"line":7,"start":4,"end":19},"resolves_to":["handlers.tree.walk"],"port":"formal(node, position=0)","call_site":"7:4-7:19"}}]}]}}"#.to_string(),
            format!(
                r#"{{"kind":"model","data":{{"callable":"handlers.tree.walk","filename":"handlers/tree.py","callable_line":3,"sinks":[{{"port":"formal(node, position=0)","taint":[{},{},{}]}}]}}}}"#,
                self_call(5),
                self_call(6),
                r#"{"kinds":[{"leaves":[{"name":"os.system","port":"leaf:command"}],"kind":"RemoteCodeExecution"}],"origin":{"line":9,"start":14,"end":15},"call_site":"9:4-9:20"}"#
            ),
        ]
        .join("\n");
        let log = to_sarif(&text).unwrap();
        let sinks: Vec<_> = log.runs[0].results.iter().map(|r| r.sink().map(|s| (s.uri().unwrap_or("").to_string(), s.start_line()))).collect();
        assert_eq!(sinks, vec![Some(("handlers/tree.py".to_string(), Some(9)))]);
    }

    #[test]
    fn local_sink_and_event_source() {
        // pickle.loads(blob) at line 17 of the handler; the source is `event`.
        let text = concat!(
            r#"{"file_version":3,"config":{"repo":"/tmp/app"}}"#,
            "\n",
            r#"{"kind":"model","data":{"callable":"x"}}"#,
            "\n",
            r#"{"kind":"issue","data":{"callable":"handlers.cart.restore","callable_line":10,"code":6066,"line":17,"start":24,"end":28,"filename":"handlers/cart.py","message":"Data from [UserControlled] source(s) may reach [ExecDeserializationSink] sink(s)","traces":[{"name":"forward","roots":[{"kinds":[{"leaves":[{"name":"handlers.cart.restore","port":"leaf:event"}],"kind":"UserControlled"}],"origin":{"line":10,"start":12,"end":17},"call_site":"10:0-23:5"}]},{"name":"backward","roots":[{"kinds":[{"leaves":[{"name":"_pickle.loads","port":"leaf:data"}],"kind":"ExecDeserializationSink"}],"origin":{"line":17,"start":24,"end":28},"call_site":"17:11-17:29"}]}]}}"#,
            "\n"
        );
        let log = to_sarif(text).unwrap();
        let r = &log.runs[0].results;
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].rule_id.as_deref(), Some("deserialization"));
        assert_eq!(r[0].property_str("sinkCallee"), Some("_pickle.loads"));
        let sink = r[0].sink().unwrap();
        assert_eq!((sink.uri(), sink.start_line()), (Some("handlers/cart.py"), Some(17)));
        let src: Vec<_> = r[0].sources().collect();
        assert_eq!(src.len(), 1);
        assert_eq!((src[0].uri(), src[0].start_line()), (Some("handlers/cart.py"), Some(10)));
        assert_eq!(src[0].function_name(), Some("handlers.cart.restore"));
        assert!(to_sarif("").is_err());
        assert!(to_sarif("not json").is_err());
    }

    #[test]
    fn sink_in_a_helper_is_followed_to_the_leaf() {
        let log = to_sarif(HELPER).unwrap();
        let r = &log.runs[0].results;
        // The issue is reported at the call run(...) (api.py:7); the sink is
        // os.system in _inner (util.py:11), not the Logging sink beside it.
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].rule_id.as_deref(), Some("code-injection"));
        let sink = r[0].sink().unwrap();
        assert_eq!((sink.uri(), sink.start_line()), (Some("handlers/util.py"), Some(11)));
        assert_eq!(sink.function_name(), Some("handlers.util._inner"));
        assert_eq!(r[0].property_str("sinkCallee"), Some("os.system"));
        let src = r[0].sources().next().unwrap();
        assert_eq!((src.uri(), src.function_name()), (Some("handlers/api.py"), Some("handlers.api.handler")));
    }

    #[test]
    fn missing_callee_model_keeps_the_call_and_source_in_a_callee_is_placed_there() {
        // The sink call's callee has no model record: the call line is the
        // sink. The source comes back from parse() (parse_args at cli.py:4);
        // module-level code is `$toplevel`.
        let text = concat!(
            r#"{"kind":"issue","data":{"callable":"scripts.cli.$toplevel","code":5041,"line":9,"filename":"scripts/cli.py","message":"m","traces":[{"name":"forward","roots":[{"kinds":[{"kind":"CLIUserControlled"}],"call":{"position":{"line":8,"start":7,"end":14},"resolves_to":["scripts.cli.parse"],"port":"result","call_site":"8:7-8:14"}}]},{"name":"backward","roots":[{"kinds":[{"kind":"RemoteCodeExecution"}],"call":{"position":{"line":9,"start":5,"end":9},"resolves_to":["scripts.cli.unknown"],"port":"formal(c, position=0)","call_site":"9:0-9:10"}}]}]}}"#,
            "\n",
            r#"{"kind":"model","data":{"callable":"scripts.cli.parse","filename":"scripts/cli.py","sources":[{"port":"result[cmd]","taint":[{"kinds":[{"leaves":[{"name":"argparse.ArgumentParser.parse_args","port":"leaf:return"}],"kind":"CLIUserControlled"}],"origin":{"line":4,"start":11,"end":28},"call_site":"4:11-4:28"}]}]}}"#,
            "\n"
        );
        let log = to_sarif(text).unwrap();
        let r = &log.runs[0].results;
        assert_eq!(r.len(), 1);
        let sink = r[0].sink().unwrap();
        assert_eq!((sink.start_line(), sink.function_name()), (Some(9), Some("scripts.cli.<module>")));
        let src = r[0].sources().next().unwrap();
        assert_eq!((src.start_line(), src.function_name()), (Some(4), Some("scripts.cli.parse")));
    }

    #[test]
    fn ports_compare_by_parameter() {
        assert!(same_port("formal(event, position=0)[body]", "formal(event, position=0)"));
        assert!(same_port("result[cmd]", "result"));
        assert!(!same_port("formal(a, position=0)", "formal(b, position=1)"));
        assert_eq!(start_line("17:11-17:29"), Some(17));
        assert_eq!(class_of(5001), Some("code-injection"));
        assert_eq!(class_of(5002), None);
    }
}
