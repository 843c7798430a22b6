//! The `rustc` that book snippets are compiled with. `build.rs` compiles this file, and the test
//! harness (`tests/support/harness.rs`) points skeptic at it through `RUSTC`. It does three things
//! skeptic 0.14 cannot, and passes every other invocation to the real `rustc` untouched:
//!
//! 1. Edition: skeptic only knows editions up to 2021 and passes `--edition=2021`; snippets are
//!    compiled with the book's edition (`[rust] edition` in `book.toml`) instead, and with
//!    `-D warnings`, as clean as the `snippets` crate itself.
//! 2. Diagnostics: rustc names a temporary `test.rs`; each `test.rs:LINE` is rewritten to the chapter
//!    or snippet file and line it came from, and the result is left for the harness to report.
//! 3. Reuse: a compile whose inputs (source, flags, the dependency rlibs' size and mtime) are all
//!    unchanged reuses the earlier result, so a warm `cargo test` does not recompile every snippet.
//!    The program is still run every time. Unlike skeptic's own `binary-cache`, nothing here ever
//!    writes a file the test process later executes while other threads fork: this is a separate
//!    process that copies the binary and exits before skeptic runs it.

use std::collections::hash_map::DefaultHasher;
use std::env;
use std::ffi::OsString;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::SystemTime;

const REAL_RUSTC: &str = env!("BOOK_REAL_RUSTC");
const EDITION: &str = env!("BOOK_EDITION");
const OUT_DIR: &str = env!("BOOK_OUT_DIR");
/// Stands for the scratch directory in cache keys and cached messages.
const SCRATCH: &str = "<scratch>";
/// Compile results kept; the oldest are removed beyond this.
const CACHE_ENTRIES: usize = 100;

fn main() -> ExitCode {
    let args: Vec<OsString> = env::args_os().skip(1).collect();
    let Some(source) = snippet_source(&args) else {
        // Not a snippet (e.g. `cargo metadata` asking `rustc -vV`): be the real rustc.
        return exit_code(Command::new(REAL_RUSTC).args(&args).status().ok());
    };
    let scratch = source.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut args: Vec<OsString> = args
        .into_iter()
        .map(|arg| match arg.to_str() {
            Some(a) if a.starts_with("--edition=") => format!("--edition={EDITION}").into(),
            _ => arg,
        })
        .collect();
    args.push("-Dwarnings".into());

    let code = fs::read(&source).unwrap_or_default();
    let blocks = find_blocks(&code);
    let cache = Path::new(OUT_DIR).join("rustc-cache");
    let entry = cache.join(format!("{:016x}", cache_key(&args, &scratch, &code)));
    let output = output_path(&args);

    // Cached messages name the scratch directory of the compile that made them; the current
    // one is put back on replay.
    let scratch_name = scratch.to_string_lossy().into_owned();
    let (status, stderr) = match replay(&entry, output.as_deref()) {
        Some((status, stderr)) => (status, stderr.replace(SCRATCH, &scratch_name)),
        None => {
            let result = Command::new(REAL_RUSTC).args(&args).output();
            let Ok(result) = result else {
                eprintln!("book-rustc: cannot run {REAL_RUSTC}");
                return ExitCode::FAILURE;
            };
            let status = result.status.code().unwrap_or(1);
            let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
            let portable = stderr.replace(&scratch_name, SCRATCH);
            store(&cache, &entry, status, &portable, output.as_deref());
            (status, stderr)
        }
    };

    if blocks.is_empty() {
        eprint!("{stderr}");
    }
    let diagnostics = Path::new(OUT_DIR).join("diagnostics");
    for (name, map) in &blocks {
        // Several chapters may show the very same code; each gets the message in its own lines.
        let file = diagnostics.join(format!("{name}.txt"));
        if status == 0 {
            let _ = fs::remove_file(&file);
            eprint!("{}", relocate(&stderr, &source, map));
        } else {
            // The harness prints this under the chapter and line; printing it here as well
            // would only show it twice.
            let _ = fs::create_dir_all(&diagnostics);
            let _ = fs::write(&file, relocate(&stderr, &source, map));
        }
    }
    u8::try_from(status).map_or(ExitCode::FAILURE, ExitCode::from)
}

fn exit_code(status: Option<std::process::ExitStatus>) -> ExitCode {
    match status.and_then(|s| s.code()) {
        Some(code) => u8::try_from(code).map_or(ExitCode::FAILURE, ExitCode::from),
        None => ExitCode::FAILURE,
    }
}

/// skeptic writes each snippet to `<tmp>/rust-skeptic<random>/test.rs`.
fn snippet_source(args: &[OsString]) -> Option<PathBuf> {
    args.iter().map(PathBuf::from).find(|path| {
        path.file_name().is_some_and(|n| n == "test.rs")
            && path
                .parent()
                .and_then(Path::file_name)
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("rust-skeptic"))
    })
}

/// The executable a full compile writes (`-o PATH`); a check-only compile has none.
fn output_path(args: &[OsString]) -> Option<PathBuf> {
    let at = args.iter().position(|a| a == "-o")?;
    args.get(at + 1).map(PathBuf::from)
}

/// The blocks `build.rs` registered with exactly this text, each with its line map.
fn find_blocks(code: &[u8]) -> Vec<(String, Vec<String>)> {
    let blocks = Path::new(OUT_DIR).join("blocks");
    let entries = fs::read_dir(blocks).into_iter().flatten().flatten();
    entries
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .filter(|path| fs::read(path).is_ok_and(|text| text == code))
        .filter_map(|path| {
            let name = path.file_stem()?.to_string_lossy().into_owned();
            let map = fs::read_to_string(path.with_extension("map")).ok()?;
            Some((name, map.lines().map(str::to_owned).collect()))
        })
        .collect()
}

/// Rewrites `.../test.rs:LINE` to the book file and line that line of the snippet came from.
pub fn relocate(stderr: &str, source: &Path, map: &[String]) -> String {
    let needle = source.to_string_lossy().into_owned();
    let mut out = String::with_capacity(stderr.len());
    let mut rest = stderr;
    while let Some(at) = rest.find(&needle) {
        out.push_str(&rest[..at]);
        let after = &rest[at + needle.len()..];
        let digits = after.strip_prefix(':').map_or("", |s| {
            &s[..s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len())]
        });
        let origin = digits
            .parse::<usize>()
            .ok()
            .and_then(|line| map.get(line.checked_sub(1)?));
        match origin {
            Some(origin) => {
                out.push_str(origin);
                rest = &after[1 + digits.len()..];
            }
            None => {
                out.push_str(&needle);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn cache_key(args: &[OsString], scratch: &Path, code: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    REAL_RUSTC.hash(&mut hasher);
    // A rebuilt shim may compile or report differently: its own identity is part of the key.
    if let Ok(shim) = env::current_exe().and_then(fs::metadata) {
        shim.len().hash(&mut hasher);
        shim.modified().ok().hash(&mut hasher);
    }
    code.hash(&mut hasher);
    let scratch = scratch.to_string_lossy().into_owned();
    let mut externs = false;
    for arg in args {
        // The scratch directory is new for every snippet; leave it out of the key.
        let arg = arg.to_string_lossy().replace(&scratch, SCRATCH);
        arg.hash(&mut hasher);
        if externs {
            // `--extern name=path`: a rebuilt dependency has a new size or mtime.
            if let Some((_, path)) = arg.split_once('=')
                && let Ok(meta) = fs::metadata(path)
            {
                meta.len().hash(&mut hasher);
                meta.modified().ok().hash(&mut hasher);
            }
        }
        externs = arg == "--extern";
    }
    hasher.finish()
}

/// An earlier result for the same inputs: its exit status and stderr, with its binary copied to
/// `output`.
fn replay(entry: &Path, output: Option<&Path>) -> Option<(i32, String)> {
    let status = fs::read_to_string(entry.join("status")).ok()?;
    let status = status.trim().parse().ok()?;
    let stderr = fs::read_to_string(entry.join("stderr")).ok()?;
    if let Some(output) = output
        && status == 0
    {
        fs::copy(entry.join("binary"), output).ok()?;
    }
    // Freshen the entry, so pruning removes the ones nobody uses.
    let _ = fs::OpenOptions::new()
        .write(true)
        .open(entry.join("status"))
        .and_then(|f| f.set_modified(SystemTime::now()));
    Some((status, stderr))
}

fn store(cache: &Path, entry: &Path, status: i32, stderr: &str, output: Option<&Path>) {
    let staging = cache.join(format!("tmp-{}", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let _ = fs::remove_dir_all(&staging);
        fs::create_dir_all(&staging)?;
        if let (Some(output), 0) = (output, status) {
            fs::copy(output, staging.join("binary"))?;
        }
        fs::write(staging.join("stderr"), stderr)?;
        fs::write(staging.join("status"), status.to_string())?;
        // A rename is atomic: another process sees the whole entry or none of it.
        fs::rename(&staging, entry)
    })();
    if written.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    prune(cache);
}

fn prune(cache: &Path) {
    let Ok(entries) = fs::read_dir(cache) else {
        return;
    };
    let mut entries: Vec<(SystemTime, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let used = fs::metadata(e.path().join("status"))
                .ok()?
                .modified()
                .ok()?;
            Some((used, e.path()))
        })
        .collect();
    if entries.len() > CACHE_ENTRIES {
        entries.sort();
        for (_, path) in &entries[..entries.len() - CACHE_ENTRIES] {
            let _ = fs::remove_dir_all(path);
        }
    }
}
