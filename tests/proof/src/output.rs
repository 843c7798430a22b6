//! Compiler output the book quotes, kept in `NAME.stderr` files beside the code (trybuild's
//! convention) and compared with what rustc prints today.
//!
//! **Normalised** so that a file does not depend on the machine that wrote it:
//! - the code's own path is the repository-relative one (`snippets/compile_fail/NAME.rs`);
//! - the repository's absolute path is removed wherever else it appears;
//! - the standard library's sources are `$RUST/` (`/rustc/COMMIT/` or the sysroot's
//!   `lib/rustlib/src/rust/`);
//! - crates from the registry are `$CARGO_REGISTRY/NAME-VERSION/...` (no home directory, no index
//!   hash);
//! - the file rustc writes a long type name to is `$LONG_TYPE_FILE`.
//!
//! **Versions.** `snippets/rustc-version` records the `rustc -V` that wrote the files. With that
//! compiler, the text must match exactly. With any other, whose wording may differ, only what the
//! book's argument rests on is compared: the error codes, and the lints that fired.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// Makes rustc's output independent of the machine, as the module documentation says.
pub fn normalize(stderr: &str, root: &Path) -> String {
    let mut text = stderr.to_owned();
    let root = root.to_string_lossy();
    if !root.is_empty() {
        text = text.replace(&format!("{root}/"), "");
    }
    if let Some(sysroot) = sysroot() {
        text = text.replace(&format!("{sysroot}/lib/rustlib/src/rust/"), "$RUST/");
    }
    let lines: Vec<String> = text.lines().map(normalize_line).collect();
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn normalize_line(line: &str) -> String {
    let mut line = line.to_owned();
    // `/rustc/<commit hash>/library/...`
    while let Some(at) = line.find("/rustc/") {
        let rest = &line[at + 7..];
        let hash = rest.find('/').unwrap_or(0);
        if hash < 7 || !rest[..hash].bytes().all(|b| b.is_ascii_hexdigit()) {
            break;
        }
        line = format!("{}$RUST/{}", &line[..at], &rest[hash + 1..]);
    }
    // `/home/me/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tokio-1.54.1/...`
    while let Some(at) = line.find("/registry/src/") {
        let start = line[..at]
            .rfind([' ', '\'', '`', '(', '"'])
            .map_or(0, |i| i + 1);
        let rest = &line[at + 14..];
        let Some(index) = rest.find('/') else { break };
        line = format!("{}$CARGO_REGISTRY/{}", &line[..start], &rest[index + 1..]);
    }
    // `the full name for the type has been written to '/tmp/.../test.long-type-123.txt'`
    if let Some(at) = line.find(".long-type-") {
        let start = line[..at].rfind('\'').map_or(at, |i| i + 1);
        let end = line[at..].find('\'').map_or(line.len(), |i| at + i);
        line = format!("{}$LONG_TYPE_FILE{}", &line[..start], &line[end..]);
    }
    line
}

/// What the real rustc prints for `args`, trimmed; asked once per process for each question.
fn ask_rustc(args: &[&str]) -> String {
    let rustc = std::env::var("BOOK_REAL_RUSTC").unwrap_or("rustc".into());
    Command::new(rustc)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// The real rustc's sysroot, where the `rust-src` component would keep the standard library.
fn sysroot() -> Option<&'static str> {
    static SYSROOT: OnceLock<String> = OnceLock::new();
    let sysroot = SYSROOT.get_or_init(|| ask_rustc(&["--print", "sysroot"]));
    (!sysroot.is_empty()).then_some(sysroot.as_str())
}

/// The compiler that is running, as `rustc -V` prints it.
pub fn rustc_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| ask_rustc(&["-V"]))
}

/// Whether `BLESS` asks for the `.stderr` files to be rewritten rather than checked.
pub fn bless_requested() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Where the version that wrote the `.stderr` files under `snippets/DIR/` is recorded.
fn version_file(root: &Path, source: &str) -> std::path::PathBuf {
    let dir = Path::new(source).parent().and_then(Path::parent);
    root.join(dir.unwrap_or(Path::new("")))
        .join("rustc-version")
}

/// Compares `said` with the `.stderr` file beside `source` (a path relative to `root`), or, with
/// `bless`, rewrites that file and records the compiler's version.
pub fn compare(root: &Path, source: &str, said: &str, bless: bool) -> Result<(), String> {
    let quoted = Path::new(source).with_extension("stderr");
    let quoted_name = quoted.to_string_lossy().replace('\\', "/");
    let path = root.join(&quoted);
    let version = rustc_version();
    if bless {
        crate::blocks::write_if_changed(&path, said)?;
        return crate::blocks::write_if_changed(
            &version_file(root, source),
            &format!("{version}\n"),
        );
    }
    let Ok(expected) = fs::read_to_string(&path) else {
        return Err(format!(
            "{quoted_name} is missing: run `BLESS=1 cargo test` to record what rustc says for \
             {source}"
        ));
    };
    let recorded = fs::read_to_string(version_file(root, source)).unwrap_or_default();
    if recorded.trim() == version {
        return match diff(&expected, said) {
            None => Ok(()),
            Some((line, shown)) => Err(format!(
                "{quoted_name}:{line}: rustc's output for {source} differs from this file \
                 (- the file, + rustc):\n{shown}\nIf rustc is right, run `BLESS=1 cargo test` \
                 and check the diff."
            )),
        };
    }
    let (want, got) = (essentials(&expected), essentials(said));
    if want == got {
        return Ok(());
    }
    Err(format!(
        "{quoted_name}: recorded with {} and checked here with {version}, so only error codes and \
         lints are compared, and they differ: the file has {want:?}, rustc gave {got:?}",
        recorded.trim()
    ))
}

/// What a quoted message rests on, whatever a compiler's wording: its error codes and lints.
pub fn essentials(stderr: &str) -> Vec<String> {
    let mut found: Vec<String> = crate::runner::error_codes(stderr);
    for (at, _) in stderr.match_indices("#[warn(") {
        let lint = &stderr[at + 7..];
        if let Some(end) = lint.find(')') {
            found.push(lint[..end].to_owned());
        }
    }
    found.sort();
    found.dedup();
    found
}

/// The first differing line of `expected` (1-based) and a diff of the two with two lines of
/// context, or `None` when they are equal.
pub fn diff(expected: &str, actual: &str) -> Option<(usize, String)> {
    if expected == actual {
        return None;
    }
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    // Longest common subsequence, by dynamic programming; the files are short.
    let mut lcs = vec![vec![0u32; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // (mark, line number shown, line of the file it is at, text)
    let mut ops: Vec<(char, usize, usize, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            ops.push((' ', i + 1, i + 1, old[i]));
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', i + 1, i + 1, old[i]));
            i += 1;
        } else {
            // A line rustc printed is numbered as in rustc's output.
            ops.push(('+', j + 1, i + 1, new[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let Some(&first) = changed.first() else {
        // Only the final newline differs.
        let line = old.len().max(1);
        return Some((
            line,
            "(the files differ only in their last line break)\n".into(),
        ));
    };
    let near = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= 2);
    let mut shown = String::new();
    let mut skipped = false;
    for (k, (mark, line, _, text)) in ops.iter().enumerate() {
        if near(k) {
            if skipped {
                shown.push_str("  ...\n");
                skipped = false;
            }
            shown.push_str(&format!("{mark} {line:>4} | {text}\n"));
        } else {
            skipped = true;
        }
    }
    Some((ops[first].2, shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_paths_are_normalized() {
        let root = Path::new("/work/book");
        let said = " --> /work/book/snippets/compile_fail/a.rs:3:5\n\
                    ::: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tokio-1.54.1/src/task/spawn.rs:168:21\n\
                    at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/future/future.rs:1\n\
                    = note: the full name for the type has been written to '/tmp/x/test.long-type-1234.txt'\n";
        assert_eq!(
            normalize(said, root),
            " --> snippets/compile_fail/a.rs:3:5\n\
             ::: $CARGO_REGISTRY/tokio-1.54.1/src/task/spawn.rs:168:21\n\
             at $RUST/library/core/src/future/future.rs:1\n\
             = note: the full name for the type has been written to '$LONG_TYPE_FILE'\n"
        );
    }

    #[test]
    fn diff_names_the_first_differing_line_of_the_file() {
        let (line, shown) = diff("a\nb\nc\nd\n", "a\nb\nX\nd\n").unwrap();
        assert_eq!(line, 3);
        assert_eq!(
            shown,
            "     1 | a\n     2 | b\n-    3 | c\n+    3 | X\n     4 | d\n"
        );
        assert!(diff("same\n", "same\n").is_none());
    }

    #[test]
    fn essentials_are_codes_and_lints() {
        let said = "error[E0277]: x\nwarning: y\n  = note: `#[warn(unused_must_use)]` on by default\n\
                    error[E0277]: again\n";
        assert_eq!(essentials(said), ["E0277", "unused_must_use"]);
    }
}
