//! Python 2 source rewritten, line for line, as the Python 3 that means the
//! same to the analysis, so that a Lambda function still on `python2.7`
//! is read instead of left out: `print x` becomes `print(x)`, `exec code
//! in ns` becomes `exec(code, ns)`, `except E, e:` becomes `except E as
//! e:`, `raise E, msg` becomes `raise E(msg)`, backquotes become
//! `repr(...)`, `<>` becomes `!=`, `0777` becomes `0o777`, `10L` becomes
//! `10` and `ur"..."` becomes `r"..."`; tabs in indentation become the
//! spaces Python 2 took them for (to the next multiple of eight columns),
//! since Python 3 refuses indentation that mixes the two.
//!
//! The rewrite works on tokens (strings and comments are never touched)
//! and never adds or removes a line break, so every line of the rewritten
//! text is the line of the file as written and findings point there. It is
//! tried only on a file that does not parse as it is.

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Space,
    /// A backslash ending a line: the statement goes on.
    Continuation,
    Newline,
    Comment,
    Str,
    Name,
    Number,
    Op,
}

struct Token {
    kind: Tok,
    text: String,
    /// Closing brackets a rewrite puts after the token, kept apart so that
    /// the token's own rewrite (`0777`, a backquote) still sees its text.
    after: String,
}

fn tokenize(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let text = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let kind = if c == ' ' || c == '\t' || c == '\x0c' {
            while i < chars.len() && matches!(chars[i], ' ' | '\t' | '\x0c') {
                i += 1;
            }
            Tok::Space
        } else if c == '\\' && (chars.get(i + 1) == Some(&'\n') || (chars.get(i + 1) == Some(&'\r') && chars.get(i + 2) == Some(&'\n'))) {
            i += if chars[i + 1] == '\r' { 3 } else { 2 };
            Tok::Continuation
        } else if c == '\n' || c == '\r' {
            i += if c == '\r' && chars.get(i + 1) == Some(&'\n') { 2 } else { 1 };
            Tok::Newline
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' && chars[i] != '\r' {
                i += 1;
            }
            Tok::Comment
        } else if let Some(len) = string_length(&chars[i..]) {
            i += len;
            Tok::Str
        } else if c.is_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            Tok::Name
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.' || (matches!(chars[i], '+' | '-') && matches!(chars[i - 1], 'e' | 'E') && !text(start, i).starts_with("0x"))) {
                i += 1;
            }
            Tok::Number
        } else {
            i += if c == '<' && chars.get(i + 1) == Some(&'>') { 2 } else { 1 };
            Tok::Op
        };
        out.push(Token { kind, text: text(start, i), after: String::new() });
    }
    out
}

/// The length of the string literal starting here (prefix included), if
/// one does; an unterminated one runs to the end.
fn string_length(s: &[char]) -> Option<usize> {
    let prefix = s.iter().take_while(|c| matches!(c, 'u' | 'U' | 'b' | 'B' | 'r' | 'R')).count();
    if prefix > 2 {
        return None;
    }
    let quote = *s.get(prefix)?;
    if quote != '\'' && quote != '"' {
        return None;
    }
    let triple = s.get(prefix + 1) == Some(&quote) && s.get(prefix + 2) == Some(&quote);
    let mut i = prefix + if triple { 3 } else { 1 };
    while i < s.len() {
        match s[i] {
            '\\' => i += 2,
            '\n' if !triple => return Some(i),
            c if c == quote && (!triple || (s.get(i + 1) == Some(&quote) && s.get(i + 2) == Some(&quote))) => {
                return Some(i + if triple { 3 } else { 1 });
            }
            _ => i += 1,
        }
    }
    Some(s.len())
}

/// Tokens that neither begin nor end anything: spaces, and line breaks
/// escaped with a backslash.
fn blank(t: &Token) -> bool {
    matches!(t.kind, Tok::Space | Tok::Continuation)
}

/// The rewritten text, when it differs from the source.
pub fn rewrite(source: &str) -> Option<String> {
    let mut toks = tokenize(source);
    let mut changed = false;
    // Depth of brackets before each token, for statement starts and ends.
    let mut depth = Vec::with_capacity(toks.len());
    let mut d = 0i32;
    for t in &toks {
        depth.push(d);
        if t.kind == Tok::Op {
            match t.text.as_str() {
                "(" | "[" | "{" => d += 1,
                ")" | "]" | "}" => d = (d - 1).max(0),
                _ => {}
            }
        }
    }
    let mut i = 0;
    let mut in_backquote = false;
    while i < toks.len() {
        match toks[i].kind {
            Tok::Number => {
                let t = &toks[i].text;
                let digits = t.trim_end_matches(['l', 'L']);
                let fixed = if digits.len() > 1 && digits.starts_with('0') && digits.chars().all(|c| c.is_ascii_digit()) {
                    format!("0o{}", &digits[1..])
                } else {
                    digits.to_string()
                };
                if &fixed != t {
                    toks[i].text = fixed;
                    changed = true;
                }
            }
            Tok::Str => {
                let t = &toks[i].text;
                if t.len() > 2 && t[..2].eq_ignore_ascii_case("ur") {
                    toks[i].text = format!("r{}", &t[2..]);
                    changed = true;
                }
            }
            Tok::Space if toks[i].text.contains('\t') && (i == 0 || toks[i - 1].kind == Tok::Newline) => {
                let mut spaces = String::new();
                for c in toks[i].text.chars() {
                    let width = if c == '\t' { 8 - spaces.len() % 8 } else { 1 };
                    spaces.extend(std::iter::repeat_n(' ', width));
                }
                toks[i].text = spaces;
                changed = true;
            }
            Tok::Op if toks[i].text == "<>" => {
                toks[i].text = "!=".into();
                changed = true;
            }
            Tok::Op if toks[i].text == "`" => {
                toks[i].text = if in_backquote { ")" } else { "repr(" }.into();
                in_backquote = !in_backquote;
                changed = true;
            }
            Tok::Name if depth[i] == 0 && statement_start(&toks, &depth, i) => {
                changed |= match toks[i].text.as_str() {
                    "print" => print_statement(&mut toks, &depth, i),
                    "exec" => exec_statement(&mut toks, &depth, i),
                    "except" => except_clause(&mut toks, &depth, i),
                    "raise" => raise_statement(&mut toks, &depth, i),
                    _ => false,
                };
            }
            _ => {}
        }
        i += 1;
    }
    changed.then(|| toks.into_iter().map(|t| t.text + &t.after).collect())
}

/// Whether token `i` begins a statement: first on its line, or after `;`,
/// or after the `:` of a compound statement's header on the same line.
fn statement_start(toks: &[Token], depth: &[i32], i: usize) -> bool {
    let before = toks[..i].iter().rposition(|t| !blank(t));
    match before {
        None => true,
        Some(b) => toks[b].kind == Tok::Newline || (toks[b].kind == Tok::Op && depth[b] == 0 && (toks[b].text == ";" || toks[b].text == ":")),
    }
}

/// The index just after the last token of the statement that starts at
/// `i` (trailing blanks and comment excluded).
fn statement_end(toks: &[Token], depth: &[i32], i: usize) -> usize {
    let mut end = i + 1;
    let mut j = i + 1;
    while j < toks.len() {
        let t = &toks[j];
        let top = depth[j] == 0;
        if top && (t.kind == Tok::Newline || t.kind == Tok::Comment || (t.kind == Tok::Op && t.text == ";")) {
            break;
        }
        if !blank(t) && t.kind != Tok::Newline && t.kind != Tok::Comment {
            end = j + 1;
        }
        j += 1;
    }
    end
}

fn next_solid(toks: &[Token], i: usize) -> Option<usize> {
    (i + 1..toks.len()).find(|&j| !blank(&toks[j]))
}

/// The first comma at bracket depth 0 between `from` and `to`.
fn top_comma(toks: &[Token], depth: &[i32], from: usize, to: usize) -> Option<usize> {
    (from..to).find(|&j| depth[j] == 0 && toks[j].kind == Tok::Op && toks[j].text == ",")
}

/// `print x, y` -> `print(x, y)`; `print >>f, x` -> `print(f, x)`; a bare
/// `print` -> `print()`. `print (x)` parses as it is.
fn print_statement(toks: &mut [Token], depth: &[i32], i: usize) -> bool {
    let end = statement_end(toks, depth, i);
    let Some(first) = next_solid(toks, i).filter(|&j| j < end) else {
        toks[i].text = "print()".into();
        return true;
    };
    if toks[first].text == "(" || toks[first].text == "=" || toks[first].text == "." {
        return false;
    }
    if toks[first].text == ">" && toks.get(first + 1).is_some_and(|t| t.text == ">") {
        toks[first].text = String::new();
        toks[first + 1].text = String::new();
    }
    call_of(toks, i, end, "print");
    true
}

/// `exec code` -> `exec(code)`; `exec code in g, l` -> `exec(code, g, l)`.
fn exec_statement(toks: &mut [Token], depth: &[i32], i: usize) -> bool {
    let end = statement_end(toks, depth, i);
    let Some(first) = next_solid(toks, i).filter(|&j| j < end) else { return false };
    if toks[first].text == "(" || toks[first].text == "=" {
        return false;
    }
    if let Some(k) = (first..end).find(|&j| depth[j] == 0 && toks[j].kind == Tok::Name && toks[j].text == "in") {
        toks[k].text = ",".into();
    }
    call_of(toks, i, end, "exec");
    true
}

/// `except E, e:` -> `except E as e:`.
fn except_clause(toks: &mut [Token], depth: &[i32], i: usize) -> bool {
    let Some(colon) = (i + 1..toks.len()).find(|&j| depth[j] == 0 && toks[j].text == ":") else { return false };
    match top_comma(toks, depth, i + 1, colon) {
        Some(c) => {
            toks[c].text = " as".into();
            true
        }
        None => false,
    }
}

/// `raise E, msg` -> `raise E(msg)`; `raise E, msg, tb` ->
/// `raise E(msg).with_traceback(tb)`.
fn raise_statement(toks: &mut [Token], depth: &[i32], i: usize) -> bool {
    let end = statement_end(toks, depth, i);
    let Some(first) = top_comma(toks, depth, i + 1, end) else { return false };
    toks[first].text = "(".into();
    if let Some(second) = top_comma(toks, depth, first + 1, end) {
        toks[second].text = ").with_traceback(".into();
    }
    toks[end - 1].after.push(')');
    true
}

/// The statement of keyword `i`, ending before `end`, as a call of the
/// same name: its opening bracket replaces the space after the keyword.
fn call_of(toks: &mut [Token], i: usize, end: usize, name: &str) {
    toks[i].text = format!("{name}(");
    if toks.get(i + 1).is_some_and(|t| t.kind == Tok::Space) {
        toks[i + 1].text = String::new();
    }
    toks[end - 1].after.push(')');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parses(source: &str) -> bool {
        ruff_python_parser::parse_module(source).is_ok()
    }

    #[test]
    fn python_2_statements_become_python_3_on_the_same_lines() {
        let py2 = "import os\n\
                   def handler(event, context):\n\
                   \x20   cmd = event['cmd']\n\
                   \x20   print 'running', cmd  # trace\n\
                   \x20   print >>log, cmd,\n\
                   \x20   print\n\
                   \x20   if cmd <> '': exec cmd in globals(), {}\n\
                   \x20   try:\n\
                   \x20       os.system(cmd); print `cmd`\n\
                   \x20   except (OSError, IOError), e:\n\
                   \x20       raise ValueError, 'bad %s' % \\\n\
                   \x20           cmd\n\
                   \x20   mode = 0755 + 10L\n\
                   \x20   return ur'\\d+', \"print x, y\"\n";
        assert!(!parses(py2));
        let py3 = rewrite(py2).expect("rewritten");
        assert!(parses(&py3), "{py3}");
        assert_eq!(py2.lines().count(), py3.lines().count());
        let lines: Vec<&str> = py3.lines().collect();
        assert_eq!(lines[3].trim(), "print('running', cmd)  # trace");
        assert_eq!(lines[4].trim(), "print(log, cmd,)");
        assert_eq!(lines[5].trim(), "print()");
        assert_eq!(lines[6].trim(), "if cmd != '': exec(cmd , globals(), {})");
        assert_eq!(lines[8].trim(), "os.system(cmd); print(repr(cmd))");
        assert_eq!(lines[9].trim(), "except (OSError, IOError) as e:");
        assert_eq!(lines[10].trim(), "raise ValueError( 'bad %s' % \\");
        assert_eq!(lines[11].trim(), "cmd)");
        assert_eq!(lines[12].trim(), "mode = 0o755 + 10");
        assert_eq!(lines[13].trim(), "return r'\\d+', \"print x, y\"", "strings are left as they are");
    }

    #[test]
    fn python_3_text_and_names_that_look_alike_are_left_alone() {
        let py3 = "print('x')\nprint = log.info\nx.print_all()\ns = '''\nprint x\n'''\n# print y\nf(a, print)\n";
        assert_eq!(rewrite(py3), None);
    }

    #[test]
    fn tabs_in_indentation_count_to_the_next_multiple_of_eight() {
        let py2 = "def f(x):\n        if x:\n\t    print x\n\treturn '\tz'\n";
        let py3 = rewrite(py2).unwrap();
        assert_eq!(py3, "def f(x):\n        if x:\n            print(x)\n        return '\tz'\n");
        assert!(parses(&py3));
    }

    #[test]
    fn three_argument_raise_keeps_its_traceback() {
        let py3 = rewrite("try:\n    f()\nexcept Exception, e:\n    raise IOError, str(e), tb\n").unwrap();
        assert!(py3.ends_with("raise IOError( str(e)).with_traceback( tb)\n"), "{py3}");
        assert!(parses(&py3));
    }
}
