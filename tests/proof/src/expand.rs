//! Expands `{{#include}}` and `{{#rustdoc_include}}` the way mdBook 0.5 does, and reports what
//! mdBook would let slip: a missing file or anchor, an anchor that never ends, an include that
//! expands to nothing, a plain anchored include of a fragment inside a tested Rust block, and an
//! include of a file outside the book's root (mdBook would put any file of the machine, such as
//! `/etc/hostname`, into the page).
//!
//! mdBook itself only logs a missing file (the raw directive lands in the page) and renders a
//! missing anchor as an empty block. `build.rs` uses this module to turn both into build errors;
//! `tests/build_errors.rs` checks each failure on a small fixture book.
//!
//! Every line of the expanded text remembers where it came from (a chapter line or a line of an
//! included file), so a failing code block can be traced back to the file a reader would open.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// mdBook stops expanding at this depth and reports a cycle; so do we.
const MAX_DEPTH: usize = 10;

/// Where a line of expanded text came from: a file (relative to the book root) and a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One thing wrong with a directive, printed as `FILE:LINE: DIRECTIVE: what is wrong`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub at: Origin,
    pub directive: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.at, self.directive, self.message)
    }
}

/// A chapter with every directive replaced, and the origin of each of its lines.
#[derive(Debug, Default)]
pub struct Expanded {
    pub text: String,
    /// `origins[i]` is where line `i + 1` of `text` came from.
    pub origins: Vec<Origin>,
    /// Every file the expansion read or tried to read (without `..`), for `cargo:rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
    pub problems: Vec<Problem>,
}

/// Expands the chapter at `root/chapter`; file names in origins and problems are relative to `root`.
pub fn expand_chapter(root: &Path, chapter: &Path) -> Expanded {
    let mut expander = Expander {
        root: root.to_path_buf(),
        out: Expanded::default(),
    };
    let path = root.join(chapter);
    expander.out.inputs.push(path.clone());
    match fs::read_to_string(&path) {
        Ok(text) => {
            let name = expander.display(&path);
            let origins = (1..=text.split('\n').count())
                .map(|line| Origin {
                    file: name.clone(),
                    line,
                })
                .collect();
            let piece = Piece { text, origins };
            let dir = path.parent().unwrap_or(root).to_path_buf();
            let expanded = expander.expand(&piece, &dir, 0, None);
            expander.out.text = expanded.text;
            expander.out.origins = expanded.origins;
        }
        Err(err) => expander.out.problems.push(Problem {
            at: Origin {
                file: expander.display(&path),
                line: 0,
            },
            directive: "(chapter)".into(),
            message: format!("cannot read the chapter: {err}"),
        }),
    }
    expander.out
}

/// Text together with the origin of each of its lines (`text.split('\n')`).
#[derive(Debug, Default)]
struct Piece {
    text: String,
    origins: Vec<Origin>,
}

impl Piece {
    fn from_lines(lines: Vec<(String, Origin)>) -> Piece {
        let mut piece = Piece::default();
        for (i, (line, origin)) in lines.into_iter().enumerate() {
            if i > 0 {
                piece.text.push('\n');
            }
            piece.text.push_str(&line);
            piece.origins.push(origin);
        }
        piece
    }

    /// Appends `text[from..to]` of `source`, whose lines have `origins`.
    fn push_slice(&mut self, source: &Piece, from: usize, to: usize) {
        let first = source.text[..from].matches('\n').count();
        for (chunk, origin) in source.text[from..to]
            .split_inclusive('\n')
            .zip(&source.origins[first..])
        {
            self.push_chunk(chunk, origin);
        }
    }

    /// Appends a whole piece (its first line continues the current line, as in mdBook).
    fn push_piece(&mut self, other: &Piece) {
        self.push_slice(other, 0, other.text.len());
    }

    /// A line takes the origin of the first text written on it.
    fn push_chunk(&mut self, chunk: &str, origin: &Origin) {
        if chunk.is_empty() {
            return;
        }
        if self.text.is_empty() || self.text.ends_with('\n') {
            self.origins.push(origin.clone());
        }
        self.text.push_str(chunk);
    }

    fn finish(mut self) -> Piece {
        // `split('\n')` counts a last, empty line after a final newline; give it an origin too.
        if self.text.is_empty() || self.text.ends_with('\n') {
            let last = self.origins.last().cloned().unwrap_or(Origin {
                file: String::new(),
                line: 0,
            });
            self.origins.push(last);
        }
        self
    }
}

struct Expander {
    root: PathBuf,
    out: Expanded,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Escaped,
    Include,
    RustdocInclude,
    Playground,
    Title,
}

/// A directive found in text: its byte span, kind and argument (`path[:range-or-anchor]`).
#[derive(Debug)]
struct Directive<'a> {
    start: usize,
    end: usize,
    kind: Kind,
    target: &'a str,
}

/// How an include picks lines from its file.
#[derive(Debug)]
enum Selection {
    Whole,
    Lines { start: usize, end: Option<usize> },
    Anchor(String),
}

impl Expander {
    fn display(&self, path: &Path) -> String {
        let path = normalize(path);
        let root = normalize(&self.root);
        path.strip_prefix(&root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// `Some(path)` when `file`, or what it resolves to through symbolic links, lies outside the
    /// root.
    fn outside_root(&self, file: &Path) -> Option<String> {
        let root = normalize(&self.root);
        if !file.starts_with(&root) {
            return Some(file.display().to_string());
        }
        match (fs::canonicalize(file), fs::canonicalize(&root)) {
            (Ok(real), Ok(real_root)) if !real.starts_with(&real_root) => Some(format!(
                "{} (a link to {})",
                self.display(file),
                real.display()
            )),
            _ => None,
        }
    }

    fn problem(&mut self, at: &Origin, via: Option<&Origin>, directive: &str, message: String) {
        let message = match via {
            Some(via) if via != at => format!("{message} (in text included at {via})"),
            _ => message,
        };
        self.out.problems.push(Problem {
            at: at.clone(),
            directive: directive.to_owned(),
            message,
        });
    }

    /// Replaces every directive in `piece`; `dir` is the directory paths are relative to, and
    /// `via` the chapter line whose include brought this text in (none for the chapter itself).
    fn expand(&mut self, piece: &Piece, dir: &Path, depth: usize, via: Option<&Origin>) -> Piece {
        let fences = fence_states(&piece.text);
        let mut out = Piece::default();
        let mut done = 0;
        for directive in find_directives(&piece.text) {
            let line = piece.text[..directive.start].matches('\n').count();
            let at = piece.origins[line].clone();
            let via_here = via.cloned().unwrap_or_else(|| at.clone());
            let written = &piece.text[directive.start..directive.end];
            out.push_slice(piece, done, directive.start);
            done = directive.end;
            let included = match directive.kind {
                Kind::Escaped => {
                    out.push_chunk(&written[1..], &at);
                    continue;
                }
                Kind::Title => continue,
                Kind::Include | Kind::RustdocInclude | Kind::Playground => {
                    if let (Kind::Include, Some(Fence::TestedRust)) = (directive.kind, fences[line])
                    {
                        let (_, selection) = split_target(directive.target);
                        if !matches!(selection, Selection::Whole) {
                            self.problem(
                                &at,
                                via,
                                written,
                                "a plain include of part of a file cannot compile on its own \
                                 in a tested rust block; use {{#rustdoc_include ...}}, which \
                                 hides the rest of the file instead of dropping it"
                                    .into(),
                            );
                        }
                    }
                    match self.include(&directive, dir, &at, via) {
                        Some(included) => included,
                        None => {
                            // mdBook leaves the raw directive in the page; so do we.
                            out.push_chunk(written, &at);
                            continue;
                        }
                    }
                }
            };
            let (path, _) = split_target(directive.target);
            let child_dir = dir
                .join(path)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| dir.to_path_buf());
            if depth >= MAX_DEPTH {
                self.problem(
                    &at,
                    via,
                    written,
                    format!("includes nest deeper than {MAX_DEPTH} levels; is there a cycle?"),
                );
                continue;
            }
            let expanded = self.expand(&included, &child_dir, depth + 1, Some(&via_here));
            out.push_piece(&expanded);
        }
        out.push_slice(piece, done, piece.text.len());
        out.finish()
    }

    /// Reads and selects the lines of one include, or reports why it cannot.
    fn include(
        &mut self,
        directive: &Directive<'_>,
        dir: &Path,
        at: &Origin,
        via: Option<&Origin>,
    ) -> Option<Piece> {
        let written = directive.target;
        let shown = format!(
            "{{{{#{} {}}}}}",
            match directive.kind {
                Kind::RustdocInclude => "rustdoc_include",
                Kind::Playground => "playground",
                _ => "include",
            },
            written
        );
        let (path, selection) = split_target(directive.target);
        let file = normalize(&dir.join(path));
        if let Some(outside) = self.outside_root(&file) {
            self.problem(
                at,
                via,
                &shown,
                format!(
                    "{outside} is outside the book's root; an include may only read the \
                     book's own files"
                ),
            );
            return None;
        }
        self.out.inputs.push(file.clone());
        let text = match fs::read_to_string(&file) {
            Ok(text) => text,
            Err(err) => {
                let name = self.display(&file);
                self.problem(at, via, &shown, format!("cannot read {name}: {err}"));
                return None;
            }
        };
        let name = self.display(&file);
        let lines: Vec<(String, Origin)> = text
            .lines()
            .enumerate()
            .map(|(i, l)| {
                (
                    l.to_owned(),
                    Origin {
                        file: name.clone(),
                        line: i + 1,
                    },
                )
            })
            .collect();
        let hide = directive.kind == Kind::RustdocInclude;
        let selected = match (&selection, directive.kind) {
            (_, Kind::Playground) => {
                let mut fenced = vec![(String::from("```rust"), at.clone())];
                fenced.extend(lines);
                fenced.push((String::from("```"), at.clone()));
                return Some(Piece::from_lines(fenced));
            }
            (Selection::Whole, _) => lines,
            (Selection::Lines { start, end }, _) => {
                let end = end.unwrap_or(usize::MAX);
                if hide {
                    lines
                        .into_iter()
                        .enumerate()
                        .map(|(i, (l, o))| {
                            if (*start..end).contains(&i) {
                                (l, o)
                            } else {
                                (format!("# {l}"), o)
                            }
                        })
                        .collect()
                } else {
                    lines
                        .into_iter()
                        .enumerate()
                        .filter(|(i, _)| (*start..end).contains(i))
                        .map(|(_, line)| line)
                        .collect()
                }
            }
            (Selection::Anchor(anchor), _) => {
                let starts: Vec<usize> = lines
                    .iter()
                    .enumerate()
                    .filter(|(_, (l, _))| anchor_in(l, "ANCHOR:") == Some(anchor.as_str()))
                    .map(|(i, _)| i)
                    .collect();
                let Some(&first) = starts.first() else {
                    self.problem(at, via, &shown, format!("{name} has no `ANCHOR: {anchor}`"));
                    return None;
                };
                let ended = lines[first..]
                    .iter()
                    .any(|(l, _)| anchor_in(l, "ANCHOR_END:") == Some(anchor.as_str()));
                if !ended {
                    self.problem(
                        at,
                        via,
                        &shown,
                        format!(
                            "`ANCHOR: {anchor}` at {name}:{} has no `ANCHOR_END: {anchor}`",
                            first + 1
                        ),
                    );
                    return None;
                }
                select_anchor(lines, anchor, hide)
            }
        };
        let unhidden = |line: &str| !(hide && line.starts_with("# "));
        let visible = selected
            .iter()
            .any(|(l, _)| unhidden(l) && !l.trim().is_empty());
        if !visible {
            self.problem(
                at,
                via,
                &shown,
                format!("expands to nothing (selected no text from {name})"),
            );
            return None;
        }
        Some(Piece::from_lines(selected))
    }
}

/// The lines between `ANCHOR: anchor` and its `ANCHOR_END`, without any anchor marker lines.
/// With `hide`, the lines outside are kept behind `# ` (mdBook's `rustdoc_include`).
fn select_anchor(lines: Vec<(String, Origin)>, anchor: &str, hide: bool) -> Vec<(String, Origin)> {
    let mut inside = false;
    let mut out = Vec::new();
    for (line, origin) in lines {
        let starts = anchor_in(&line, "ANCHOR:");
        let ends = anchor_in(&line, "ANCHOR_END:");
        if inside {
            if ends == Some(anchor) {
                inside = false;
                if !hide {
                    // mdBook's plain include stops at the first end marker.
                    break;
                }
            } else if ends.is_none() && starts.is_none() {
                out.push((line, origin));
            }
        } else if starts == Some(anchor) {
            inside = true;
        } else if hide && starts.is_none() && ends.is_none() {
            out.push((format!("# {line}"), origin));
        }
    }
    out
}

/// The anchor name after `marker` (`ANCHOR:` or `ANCHOR_END:`) anywhere in `line`.
fn anchor_in<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let rest = line[line.find(marker)? + marker.len()..].trim_start();
    let len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    (len > 0).then(|| &rest[..len])
}

/// Splits `path:start:end` or `path:anchor` as mdBook does.
fn split_target(target: &str) -> (&str, Selection) {
    let (path, rest) = match target.split_once(':') {
        Some((path, rest)) => (path, Some(rest)),
        None => (target, None),
    };
    let Some(rest) = rest else {
        return (path, Selection::Whole);
    };
    let mut parts = rest.splitn(3, ':');
    let first = parts.next().unwrap_or("");
    let start = if let Ok(n) = first.parse::<usize>() {
        Some(n.saturating_sub(1))
    } else if first.is_empty() {
        None
    } else {
        return (path, Selection::Anchor(first.to_owned()));
    };
    let end = parts.next().map(|s| s.parse::<usize>());
    let selection = match (start, end) {
        (Some(start), Some(Ok(end))) => Selection::Lines {
            start,
            end: Some(end),
        },
        (Some(start), Some(Err(_))) => Selection::Lines { start, end: None },
        (Some(start), None) => Selection::Lines {
            start,
            end: Some(start + 1),
        },
        (None, Some(Ok(end))) => Selection::Lines {
            start: 0,
            end: Some(end),
        },
        (None, _) => Selection::Whole,
    };
    (path, selection)
}

/// Finds directives as mdBook's pattern does: `\{{#...}}` (escaped, up to the last `}}` on its
/// line) or `{{ #kind target }}` with no `}` inside. Unknown kinds are skipped, as in mdBook.
fn find_directives(text: &str) -> Vec<Directive<'_>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if text[i..].starts_with("\\{{#") {
            let line_end = text[i..].find('\n').map_or(text.len(), |n| i + n);
            if let Some(close) = text[i..line_end].rfind("}}") {
                let end = i + close + 2;
                found.push(Directive {
                    start: i,
                    end,
                    kind: Kind::Escaped,
                    target: "",
                });
                i = end;
                continue;
            }
        }
        if text[i..].starts_with("{{")
            && let Some((end, kind, target)) = parse_directive(text, i)
        {
            if let Some(kind) = kind {
                found.push(Directive {
                    start: i,
                    end,
                    kind,
                    target,
                });
            }
            i = end;
            continue;
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    found
}

/// Parses `{{\s*#kind\s+rest}}` at `start`; returns its end, its kind if known, and the target.
fn parse_directive(text: &str, start: usize) -> Option<(usize, Option<Kind>, &str)> {
    let after_open = &text[start + 2..];
    let body = after_open.trim_start();
    let body = body.strip_prefix('#')?;
    let name_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    if name_len == 0 {
        return None;
    }
    let (name, rest) = body.split_at(name_len);
    let args = rest.trim_start();
    if args.len() == rest.len() {
        return None; // the kind must be followed by whitespace
    }
    let close = args.find('}')?;
    if close == 0 || !args[close..].starts_with("}}") {
        return None;
    }
    let end = text.len() - args.len() + close + 2;
    let mut words = args[..close].split_whitespace();
    let target = words.next()?;
    let kind = match name {
        "include" => Some(Kind::Include),
        "rustdoc_include" => Some(Kind::RustdocInclude),
        "playground" | "playpen" => Some(Kind::Playground),
        "title" => Some(Kind::Title),
        _ => None,
    };
    Some((end, kind, target))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fence {
    TestedRust,
    Other,
}

/// For each line: the fenced code block it lies inside, if any (fence lines themselves excluded).
fn fence_states(text: &str) -> Vec<Option<Fence>> {
    let mut states = Vec::new();
    let mut open: Option<(char, usize, Fence)> = None;
    for line in text.split('\n') {
        let trimmed = line.trim_start();
        let run = |c: char| trimmed.chars().take_while(|&x| x == c).count();
        match open {
            Some((c, len, _)) if run(c) >= len && trimmed[run(c)..].trim().is_empty() => {
                open = None;
                states.push(None);
            }
            Some((_, _, fence)) => states.push(Some(fence)),
            None => {
                let (c, len) = [('`', run('`')), ('~', run('~'))]
                    .into_iter()
                    .max_by_key(|&(_, n)| n)
                    .unwrap_or(('`', 0));
                if len >= 3 {
                    open = Some((c, len, classify_fence(&trimmed[len..])));
                }
                states.push(None);
            }
        }
    }
    states
}

/// A block is tested when its info string names `rust` and not `ignore` (skeptic's rule).
fn classify_fence(info: &str) -> Fence {
    let tokens: Vec<&str> = info
        .split(|c: char| !(c == '_' || c == '-' || c.is_alphanumeric()))
        .collect();
    if tokens.contains(&"rust") && !tokens.contains(&"ignore") {
        Fence::TestedRust
    } else {
        Fence::Other
    }
}

/// A path as the book's messages show it: `/`-separated.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Removes `.` and `..` without touching the file system (the file may not exist).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}
