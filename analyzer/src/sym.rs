//! Symbolic strings: values partly known at analysis time.
//!
//! Both the deployment file (`${ssm:...}`, `${AWS::AccountId}`) and the
//! Python code (`os.path.join('uploads', name + '.txt')`) produce strings of
//! which only some parts are known. A [`SymStr`] keeps the known literal parts
//! and marks the rest as [`Piece::Any`], so that later stages can still decide
//! questions such as "does this S3 key start with `uploads/`?" or "does this
//! IAM resource pattern cover this ARN?" with a three-valued answer.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// One part of a symbolic string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Piece {
    Lit(String),
    /// Any string (possibly empty). The note says where it came from
    /// (`${ssm:/db/host}`, `AWS::AccountId`, `tainted`...), for diagnostics.
    Any(String),
}

/// A string made of literal and unknown pieces. Adjacent literals are always
/// merged and adjacent unknowns collapse, so equal strings compare equal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SymStr {
    /// Shared until written: values holding strings are copied at every
    /// branch of the code the interpreter follows.
    pieces: Arc<Vec<Piece>>,
}

/// A three-valued answer about a symbolic string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Truth {
    Yes,
    No,
    Maybe,
}

impl Truth {
    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::Yes, _) | (_, Truth::Yes) => Truth::Yes,
            (Truth::Maybe, _) | (_, Truth::Maybe) => Truth::Maybe,
            _ => Truth::No,
        }
    }

    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::No, _) | (_, Truth::No) => Truth::No,
            (Truth::Maybe, _) | (_, Truth::Maybe) => Truth::Maybe,
            _ => Truth::Yes,
        }
    }

    pub fn possible(self) -> bool {
        self != Truth::No
    }
}

impl SymStr {
    pub fn lit(s: impl Into<String>) -> SymStr {
        let s = s.into();
        if s.is_empty() {
            SymStr::default()
        } else {
            SymStr { pieces: Arc::new(vec![Piece::Lit(s)]) }
        }
    }

    pub fn any(note: impl Into<String>) -> SymStr {
        SymStr { pieces: Arc::new(vec![Piece::Any(note.into())]) }
    }

    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// The whole string, when every piece is known.
    pub fn as_lit(&self) -> Option<&str> {
        match self.pieces.as_slice() {
            [] => Some(""),
            [Piece::Lit(s)] => Some(s),
            _ => None,
        }
    }

    pub fn is_known(&self) -> bool {
        self.as_lit().is_some()
    }

    /// The literal text before the first unknown piece.
    pub fn known_prefix(&self) -> &str {
        match self.pieces.first() {
            Some(Piece::Lit(s)) => s,
            _ => "",
        }
    }

    /// The literal text after the last unknown piece.
    pub fn known_suffix(&self) -> &str {
        match self.pieces.last() {
            Some(Piece::Lit(s)) if self.pieces.len() > 1 => s,
            Some(Piece::Lit(s)) => s,
            _ => "",
        }
    }

    pub fn push_lit(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        let pieces = Arc::make_mut(&mut self.pieces);
        match pieces.last_mut() {
            Some(Piece::Lit(last)) => last.push_str(s),
            _ => pieces.push(Piece::Lit(s.to_string())),
        }
    }

    pub fn push_any(&mut self, note: &str) {
        if !matches!(self.pieces.last(), Some(Piece::Any(_))) {
            Arc::make_mut(&mut self.pieces).push(Piece::Any(note.to_string()));
        }
    }

    pub fn push(&mut self, other: &SymStr) {
        for p in other.pieces.iter() {
            match p {
                Piece::Lit(s) => self.push_lit(s),
                Piece::Any(n) => self.push_any(n),
            }
        }
    }

    pub fn concat(&self, other: &SymStr) -> SymStr {
        let mut out = self.clone();
        out.push(other);
        out
    }

    /// The least symbolic string describing both: the common literal prefix
    /// and suffix around an unknown middle. Unknown pieces both start with
    /// (a configured base URL, a created file's name) stay at the start.
    pub fn join(&self, other: &SymStr) -> SymStr {
        if self == other {
            return self.clone();
        }
        let lead = self.pieces.iter().zip(other.pieces.iter()).take_while(|(x, y)| x == y).count();
        if lead > 0 && matches!(self.pieces[..lead].last(), Some(Piece::Any(_))) {
            let mut out = SymStr { pieces: Arc::new(self.pieces[..lead].to_vec()) };
            let rest = |s: &SymStr| SymStr { pieces: Arc::new(s.pieces[lead..].to_vec()) };
            out.push(&rest(self).join(&rest(other)));
            return out;
        }
        let a = self.render_with('\u{0}');
        let b = other.render_with('\u{0}');
        let prefix: String = a
            .chars()
            .zip(b.chars())
            .take_while(|(x, y)| x == y && *x != '\u{0}')
            .map(|(x, _)| x)
            .collect();
        let rest_a: String = a.chars().skip(prefix.chars().count()).collect();
        let rest_b: String = b.chars().skip(prefix.chars().count()).collect();
        let suffix_rev: String = rest_a
            .chars()
            .rev()
            .zip(rest_b.chars().rev())
            .take_while(|(x, y)| x == y && *x != '\u{0}')
            .map(|(x, _)| x)
            .collect();
        let suffix: String = suffix_rev.chars().rev().collect();
        let mut out = SymStr::lit(prefix);
        out.push_any("join");
        out.push_lit(&suffix);
        out
    }

    fn render_with(&self, any: char) -> String {
        let mut s = String::new();
        for p in self.pieces.iter() {
            match p {
                Piece::Lit(l) => s.push_str(l),
                Piece::Any(_) => s.push(any),
            }
        }
        s
    }

    /// Whether this string starts with `prefix`.
    pub fn starts_with(&self, prefix: &str) -> Truth {
        self.matches_glob(&format!("{}*", escape_glob(prefix)))
    }

    /// Whether this string ends with `suffix`.
    pub fn ends_with(&self, suffix: &str) -> Truth {
        self.matches_glob(&format!("*{}", escape_glob(suffix)))
    }

    /// Whether this string equals `s`.
    pub fn equals(&self, s: &str) -> Truth {
        self.matches_glob(&escape_glob(s))
    }

    /// Matches this string against a glob pattern in which `*` stands for
    /// any run of characters and `?` for one character (IAM semantics).
    pub fn matches_glob(&self, pattern: &str) -> Truth {
        self.matches_pattern(&SymStr::lit(pattern), false)
    }

    /// Matches this string against a symbolic glob pattern, whose unknown
    /// pieces may stand for anything (including wildcards). With
    /// `case_insensitive`, letters compare without case (IAM action names).
    pub fn matches_pattern(&self, pattern: &SymStr, case_insensitive: bool) -> Truth {
        // Known names against known patterns (IAM checks, model callees,
        // event filters) are most calls: they need no table.
        if let (Some(subject), Some(pattern)) = (self.as_lit(), pattern.as_lit()) {
            return glob_literal(pattern, subject, case_insensitive);
        }
        glob3(&tokens_of_pattern(pattern, case_insensitive), &tokens_of_subject(self, case_insensitive))
    }

    /// Whether two symbolic strings may denote the same string.
    pub fn may_equal(&self, other: &SymStr) -> Truth {
        if let (Some(a), Some(b)) = (self.as_lit(), other.as_lit()) {
            return if a == b { Truth::Yes } else { Truth::No };
        }
        let pattern = other.render_pattern_escaped();
        match self.matches_pattern(&pattern, false) {
            Truth::No => Truth::No,
            _ => Truth::Maybe,
        }
    }

    /// This string as a pattern whose literal parts match only themselves
    /// and whose unknown parts match anything.
    fn render_pattern_escaped(&self) -> SymStr {
        let mut out = SymStr::default();
        for p in self.pieces.iter() {
            match p {
                Piece::Lit(l) => out.push_lit(&escape_glob(l)),
                Piece::Any(_) => out.push_lit("*"),
            }
        }
        out
    }

    /// The last `/`- or `:`-separated segment, when it is known (queue names
    /// from queue URLs and ARNs, function names from ARNs...).
    pub fn last_segment(&self) -> SymStr {
        match self.pieces.last() {
            Some(Piece::Lit(l)) => {
                if let Some(i) = l.rfind(['/', ':']) {
                    SymStr::lit(&l[i + 1..])
                } else if self.pieces.len() == 1 {
                    self.clone()
                } else {
                    let mut out = SymStr::any("segment");
                    out.push_lit(l);
                    out
                }
            }
            _ => SymStr::any("segment"),
        }
    }
}

/// Escapes glob metacharacters so that the text matches only itself.
/// `\` never occurs in the names we compare, so it serves as the escape.
pub fn escape_glob(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Sub {
    Char(char),
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Pat {
    Char(char),
    Star,
    One,
    /// An unknown piece of the pattern: it may be a wildcard or any text.
    Unknown,
}

fn fold(c: char, ci: bool) -> char {
    if ci {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

fn tokens_of_subject(s: &SymStr, ci: bool) -> Vec<Sub> {
    let mut out = Vec::new();
    for p in s.pieces.iter() {
        match p {
            Piece::Lit(l) => out.extend(l.chars().map(|c| Sub::Char(fold(c, ci)))),
            Piece::Any(_) => out.push(Sub::Any),
        }
    }
    out
}

fn tokens_of_pattern(s: &SymStr, ci: bool) -> Vec<Pat> {
    let mut out = Vec::new();
    for p in s.pieces.iter() {
        match p {
            Piece::Lit(l) => {
                let mut chars = l.chars();
                while let Some(c) = chars.next() {
                    match c {
                        '*' => out.push(Pat::Star),
                        '?' => out.push(Pat::One),
                        '\\' => {
                            if let Some(n) = chars.next() {
                                out.push(Pat::Char(fold(n, ci)))
                            }
                        }
                        c => out.push(Pat::Char(fold(c, ci))),
                    }
                }
            }
            Piece::Any(_) => out.push(Pat::Unknown),
        }
    }
    out
}

/// Three-valued glob matching by dynamic programming over (pattern, subject)
/// positions. A cell holds the best truth with which the prefixes match: an
/// unknown subject piece matched by a literal, or an unknown pattern piece,
/// can only give Maybe.
/// Patterns and names come from deployment files: a hostile pair must not
/// take quadratic memory or time, so past this many table cells the answer
/// is unknown.
const MAX_GLOB_CELLS: usize = 4_000_000;

/// [`SymStr::matches_pattern`] for a known subject and a known pattern,
/// read in place: IAM checks and model lookups are most matches, and
/// building a string and two token lists for each was a tenth of a small
/// app's taint stage.
pub fn glob_literal(pattern: &str, subject: &str, case_insensitive: bool) -> Truth {
    // Tokens and characters are never more than bytes: only long strings
    // need counting.
    if (pattern.len() + 1).saturating_mul(subject.len() + 1) > MAX_GLOB_CELLS {
        let mut pattern_tokens = 0;
        let mut at = 0;
        while let Some((_, next)) = pattern_token(pattern, at, case_insensitive) {
            pattern_tokens += 1;
            at = next;
        }
        if (pattern_tokens + 1usize).saturating_mul(subject.chars().count() + 1) > MAX_GLOB_CELLS {
            return Truth::Maybe;
        }
    }
    if glob_known(pattern, subject, case_insensitive) {
        Truth::Yes
    } else {
        Truth::No
    }
}

/// The token of a known pattern that starts at byte `at`, and where the
/// next one starts; `None` at the end (a trailing backslash escapes
/// nothing and ends it too).
fn pattern_token(pattern: &str, at: usize, ci: bool) -> Option<(Pat, usize)> {
    let mut chars = pattern[at..].chars();
    let c = chars.next()?;
    let next = at + c.len_utf8();
    Some(match c {
        '*' => (Pat::Star, next),
        '?' => (Pat::One, next),
        '\\' => {
            let n = chars.next()?;
            (Pat::Char(fold(n, ci)), next + n.len_utf8())
        }
        c => (Pat::Char(fold(c, ci)), next),
    })
}

/// Two-valued glob matching of a known subject in linear memory: a star
/// first matches nothing and takes one more character each time the rest
/// fails, from the last star only (earlier stars need not retry, since the
/// last one can absorb whatever they would have). Positions are bytes.
fn glob_known(pattern: &str, subject: &str, ci: bool) -> bool {
    let char_len = |j: usize| subject[j..].chars().next().map_or(1, char::len_utf8);
    let (mut i, mut j) = (0, 0);
    // After the last star: where the pattern goes on, and the subject
    // position the star has absorbed up to.
    let mut star: Option<(usize, usize)> = None;
    while j < subject.len() {
        let c = subject[j..].chars().next().map(|c| fold(c, ci));
        match pattern_token(pattern, i, ci) {
            Some((Pat::Star, next)) => {
                star = Some((next, j));
                i = next;
                continue;
            }
            Some((Pat::One, next)) => {
                i = next;
                j += char_len(j);
                continue;
            }
            Some((Pat::Char(p), next)) if Some(p) == c => {
                i = next;
                j += char_len(j);
                continue;
            }
            _ => {}
        }
        match star {
            Some((after, sj)) => {
                let sj = sj + char_len(sj);
                i = after;
                j = sj;
                star = Some((after, sj));
            }
            None => return false,
        }
    }
    while let Some((t, next)) = pattern_token(pattern, i, ci) {
        if t != Pat::Star {
            return false;
        }
        i = next;
    }
    true
}

fn glob3(pat: &[Pat], sub: &[Sub]) -> Truth {
    if (pat.len() + 1).saturating_mul(sub.len() + 1) > MAX_GLOB_CELLS {
        return Truth::Maybe;
    }
    // Equal literal characters at the start match one way only, and the
    // first two that differ rule the match out: most IAM statements name
    // other services' or resources' ARNs. The table covers the rest.
    let same = pat.iter().zip(sub).take_while(|(p, s)| matches!((p, s), (Pat::Char(c), Sub::Char(d)) if c == d)).count();
    if let (Some(Pat::Char(c)), Some(Sub::Char(d))) = (pat.get(same), sub.get(same)) {
        if c != d {
            return Truth::No;
        }
    }
    let (pat, sub) = (&pat[same..], &sub[same..]);
    let (n, m) = (pat.len(), sub.len());
    let w = m + 1;
    let mut dp = vec![Truth::No; (n + 1) * w];
    dp[0] = Truth::Yes;
    for i in 0..=n {
        for j in 0..=m {
            let cur = dp[i * w + j];
            if cur == Truth::No {
                continue;
            }
            if i < n {
                match pat[i] {
                    Pat::Star => {
                        dp[(i + 1) * w + j] = dp[(i + 1) * w + j].or(cur);
                        if j < m {
                            dp[i * w + j + 1] = dp[i * w + j + 1].or(cur);
                            dp[(i + 1) * w + j + 1] = dp[(i + 1) * w + j + 1].or(cur);
                        }
                    }
                    Pat::Unknown => {
                        let maybe = cur.and(Truth::Maybe);
                        dp[(i + 1) * w + j] = dp[(i + 1) * w + j].or(maybe);
                        if j < m {
                            dp[i * w + j + 1] = dp[i * w + j + 1].or(maybe);
                            dp[(i + 1) * w + j + 1] = dp[(i + 1) * w + j + 1].or(maybe);
                        }
                    }
                    Pat::One => {
                        if j < m {
                            let t = if sub[j] == Sub::Any { Truth::Maybe } else { Truth::Yes };
                            dp[(i + 1) * w + j + 1] = dp[(i + 1) * w + j + 1].or(cur.and(t));
                            if sub[j] == Sub::Any {
                                // The unknown piece may be empty or longer.
                                dp[(i + 1) * w + j] = dp[(i + 1) * w + j].or(cur.and(Truth::Maybe));
                                dp[i * w + j + 1] = dp[i * w + j + 1].or(cur.and(Truth::Maybe));
                            }
                        }
                    }
                    Pat::Char(c) => {
                        if j < m {
                            match sub[j] {
                                Sub::Char(d) if d == c => {
                                    dp[(i + 1) * w + j + 1] = dp[(i + 1) * w + j + 1].or(cur)
                                }
                                Sub::Char(_) => {}
                                Sub::Any => {
                                    let maybe = cur.and(Truth::Maybe);
                                    dp[(i + 1) * w + j + 1] = dp[(i + 1) * w + j + 1].or(maybe);
                                    dp[(i + 1) * w + j] = dp[(i + 1) * w + j].or(maybe);
                                    dp[i * w + j + 1] = dp[i * w + j + 1].or(maybe);
                                }
                            }
                        }
                    }
                }
            }
            // An unknown subject piece may also be empty.
            if j < m && sub[j] == Sub::Any && (i == n || !matches!(pat[i], Pat::Star | Pat::Unknown))
            {
                dp[i * w + j + 1] = dp[i * w + j + 1].or(cur.and(Truth::Maybe));
            }
        }
    }
    dp[n * w + m]
}

impl fmt::Display for SymStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in self.pieces.iter() {
            match p {
                Piece::Lit(l) => f.write_str(l)?,
                Piece::Any(n) => write!(f, "${{?{n}}}")?,
            }
        }
        Ok(())
    }
}

impl Serialize for SymStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl From<&str> for SymStr {
    fn from(s: &str) -> SymStr {
        SymStr::lit(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partial(prefix: &str, suffix: &str) -> SymStr {
        let mut s = SymStr::lit(prefix);
        s.push_any("x");
        s.push_lit(suffix);
        s
    }

    #[test]
    fn literal_glob_matching_follows_iam_wildcards() {
        let arn = SymStr::lit("arn:aws:s3:::bucket/uploads/a.txt");
        assert_eq!(arn.matches_glob("arn:aws:s3:::bucket/*"), Truth::Yes);
        assert_eq!(arn.matches_glob("arn:aws:s3:::bucket"), Truth::No);
        assert_eq!(arn.matches_glob("arn:aws:s3:::b?cket/*"), Truth::Yes);
        assert_eq!(arn.matches_glob("arn:aws:s3:::other/*"), Truth::No);
    }

    /// The in-place matcher answers as the table over tokens does, on
    /// wildcards, escapes, case and characters wider than a byte.
    #[test]
    fn literal_globs_read_in_place_answer_as_the_table_does() {
        let patterns = ["", "*", "?", "s3:*", "S3:Get*", "s3:?etObject", "a*b*c", "*.txt", "a\\*b", "a\\?", "x\\", "é*ß?", "**a", "a*"];
        let subjects = ["", "a", "s3:GetObject", "s3:getobject", "abc", "aXbYc", "acb", "f.txt", "a*b", "aXb", "a?", "x", "éñßz", "aa", "A"];
        for p in patterns {
            for s in subjects {
                for ci in [false, true] {
                    let table = glob3(&tokens_of_pattern(&SymStr::lit(p), ci), &tokens_of_subject(&SymStr::lit(s), ci));
                    assert_eq!(glob_literal(p, s, ci), table, "{p:?} against {s:?} (case-insensitive: {ci})");
                }
            }
        }
    }

    #[test]
    fn known_prefix_decides_prefix_filters() {
        let key = partial("upload-folder/", ".txt");
        assert_eq!(key.starts_with("upload-folder/"), Truth::Yes);
        assert_eq!(key.starts_with("uploads/"), Truth::No);
        assert_eq!(key.starts_with("upload"), Truth::Yes);
        assert_eq!(key.ends_with(".txt"), Truth::Yes);
        assert_eq!(key.ends_with(".jpg"), Truth::No);
        assert_eq!(SymStr::any("t").starts_with("uploads/"), Truth::Maybe);
    }

    #[test]
    fn unknown_parts_of_a_pattern_give_maybe() {
        let mut pattern = SymStr::lit("arn:aws:dynamodb:us-east-1:");
        pattern.push_any("AWS::AccountId");
        pattern.push_lit(":table/Orders");
        let call = SymStr::lit("arn:aws:dynamodb:us-east-1:123:table/Orders");
        assert_eq!(call.matches_pattern(&pattern, false), Truth::Maybe);
        let other = SymStr::lit("arn:aws:dynamodb:us-east-1:123:table/Users");
        assert_eq!(other.matches_pattern(&pattern, false), Truth::No);
    }

    #[test]
    fn case_insensitive_action_names() {
        let action = SymStr::lit("s3:PutObject");
        assert_eq!(action.matches_pattern(&SymStr::lit("S3:put*"), true), Truth::Yes);
        assert_eq!(action.matches_pattern(&SymStr::lit("S3:put*"), false), Truth::No);
    }

    #[test]
    fn concat_and_join_keep_what_is_known() {
        let s = SymStr::lit("a/").concat(&SymStr::any("x")).concat(&SymStr::lit(".txt"));
        assert_eq!(s, partial("a/", ".txt"));
        assert_eq!(s.to_string(), "a/${?x}.txt");
        let j = SymStr::lit("uploads/a.txt").join(&SymStr::lit("uploads/bb.txt"));
        assert_eq!(j.known_prefix(), "uploads/");
        assert_eq!(j.known_suffix(), ".txt");
        assert_eq!(SymStr::lit("x").join(&SymStr::lit("x")), SymStr::lit("x"));
        let base = |tail: &str| SymStr::any("env:API_URL").concat(&SymStr::lit(tail));
        let j = base("/users/1").join(&base("/users/22"));
        assert_eq!(j.pieces().first(), Some(&Piece::Any("env:API_URL".into())));
        assert_eq!(j.known_suffix(), "");
        assert!(j.render_with('*').starts_with("*/users/"));
    }

    #[test]
    fn may_equal_compares_partial_strings() {
        assert_eq!(partial("q-", "").may_equal(&SymStr::lit("q-orders")), Truth::Maybe);
        assert_eq!(partial("q-", "").may_equal(&SymStr::lit("t-orders")), Truth::No);
        assert_eq!(SymStr::lit("a").may_equal(&SymStr::lit("a")), Truth::Yes);
    }

    #[test]
    fn last_segment_of_urls_and_arns() {
        let url = SymStr::any("region").concat(&SymStr::lit("/123/my-queue"));
        assert_eq!(url.last_segment(), SymStr::lit("my-queue"));
        assert_eq!(SymStr::lit("arn:aws:sqs:r:1:q").last_segment(), SymStr::lit("q"));
    }

    /// Reference semantics of `*` and `?` on known strings, by recursion.
    fn naive_glob(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|k| naive_glob(rest, &t[k..])),
            Some(('?', rest)) => !t.is_empty() && naive_glob(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && naive_glob(rest, &t[1..]),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]

        /// On known strings the three-valued matcher answers exactly what
        /// the reference does.
        #[test]
        fn glob_agrees_with_the_reference(pattern in "[ab*?:]{0,10}", text in "[ab:]{0,10}") {
            let expected = if naive_glob(&pattern.chars().collect::<Vec<_>>(), &text.chars().collect::<Vec<_>>()) { Truth::Yes } else { Truth::No };
            proptest::prop_assert_eq!(SymStr::lit(&text).matches_glob(&pattern), expected);
        }

        /// With unknown pieces it never says no when some filling matches.
        #[test]
        fn unknown_pieces_never_rule_out_a_match(prefix in "[ab]{0,4}", suffix in "[ab]{0,4}", fill in "[ab]{0,4}", pattern in "[ab*?]{0,8}") {
            let known = format!("{prefix}{fill}{suffix}");
            let symbolic = SymStr::lit(&prefix).concat(&SymStr::any("x")).concat(&SymStr::lit(&suffix));
            if SymStr::lit(&known).matches_glob(&pattern) == Truth::Yes {
                proptest::prop_assert_ne!(symbolic.matches_glob(&pattern), Truth::No);
            }
        }
    }

    #[test]
    fn huge_patterns_are_answered_without_a_quadratic_table() {
        let name = SymStr::lit("a".repeat(200_000));
        assert_eq!(name.matches_glob(&"a*".repeat(50_000)), Truth::Maybe);
    }
}
