//! The `rustc` that book blocks are compiled with. `build.rs` compiles this crate into a binary
//! whose `main` is [`main`], and the tests point skeptic at it through `RUSTC` (see
//! [`crate::harness!`]). It passes every invocation that is not a book block to the real `rustc`
//! untouched. For a block, found by the marker line that ends its source, it:
//!
//! 1. compiles with the block's edition (skeptic only knows editions up to 2021) and, unless a
//!    checked `.stderr` pins its warnings, with `-D warnings`;
//! 2. names the source `@book-block` (`--remap-path-prefix`), so rustc's messages and the
//!    program's panics can be mapped back to book lines, whatever temporary directory skeptic chose;
//! 3. builds a program (`OUT_DIR/binaries/NAME`) for blocks that run, where skeptic only checks;
//! 4. leaves its exit status and relocated messages in `OUT_DIR/diagnostics/NAME.{status,txt}`;
//! 5. reuses an earlier result when nothing it depends on changed (source, flags, the dependency
//!    rlibs' size and mtime, this shim), failing compiles included.
//!
//! Configuration comes from the environment the harness sets: `BOOK_REAL_RUSTC`, `BOOK_OUT_DIR`.

use std::collections::hash_map::DefaultHasher;
use std::env;
use std::ffi::OsString;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::SystemTime;

use crate::blocks::Block;
use crate::runner::{BLOCK_FILE, marker, program_path, read_marker, relocate};

/// The file in `BOOK_OUT_DIR` that lists the crates of the reader's project, one a line, as
/// `build.rs` found them in `snippets/Cargo.toml`. A block is given those crates alone: code that
/// needs any other would not build in the project a reader copies it into.
pub const READER_CRATES: &str = "reader-crates";

/// Compile results kept; the oldest are removed beyond this.
const CACHE_ENTRIES: usize = 200;

pub fn main() -> ExitCode {
    let real = env::var_os("BOOK_REAL_RUSTC").unwrap_or_else(|| "rustc".into());
    let args: Vec<OsString> = env::args_os().skip(1).collect();
    let block = snippet_source(&args).and_then(|source| {
        let code = fs::read_to_string(&source).ok()?;
        let (name, token) = read_marker(&code)?;
        let (name, token) = (name.to_owned(), token.to_owned());
        Some((source, code, name, token))
    });
    let Some((source, code, name, token)) = block else {
        // Not a book block (e.g. `cargo metadata` asking `rustc -vV`): be the real rustc.
        let status = Command::new(&real).args(&args).status().ok();
        return status
            .and_then(|s| s.code())
            .and_then(|c| u8::try_from(c).ok())
            .map_or(ExitCode::FAILURE, ExitCode::from);
    };
    let Some(out_dir) = env::var_os("BOOK_OUT_DIR").map(PathBuf::from) else {
        eprintln!("book-rustc: BOOK_OUT_DIR is not set");
        return ExitCode::FAILURE;
    };
    let block = match Block::load(&out_dir.join("blocks"), &name) {
        Ok(block) => block,
        Err(message) => {
            eprintln!("book-rustc: {message}");
            return ExitCode::FAILURE;
        }
    };
    let id = format!("{name}.{token}");
    let program = program_path(&out_dir, &id);
    let reader = fs::read_to_string(out_dir.join(READER_CRATES)).ok();
    let args = block_args(args, &block, &source, &program, reader.as_deref());
    // The marker names the block and this compile; the result depends on neither (the block's
    // edition and flags are in `args`), so blocks showing the same code share one compile.
    let unmarked = code.replace(&marker(&name, &token), "");
    let cache = out_dir.join("rustc-cache");
    let key = cache_key(&real, &args, &source, &program, &unmarked);
    let entry = cache.join(format!("{key:016x}"));
    let output = output_path(&args);
    let (status, stderr) = match replay(&entry, output.as_deref()) {
        Some(result) => result,
        None => {
            // Blocks that show the same file compile the same code, often at the same moment:
            // one compiles, the others wait for its result and replay it.
            let _claim = claim(&entry);
            match replay(&entry, output.as_deref()) {
                Some(result) => result,
                None => {
                    let Ok(result) = Command::new(&real).args(&args).output() else {
                        eprintln!("book-rustc: cannot run {}", real.to_string_lossy());
                        return ExitCode::FAILURE;
                    };
                    let status = result.status.code().unwrap_or(1);
                    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
                    store(&cache, &entry, status, &stderr, output.as_deref());
                    (status, stderr)
                }
            }
        }
    };
    let diagnostics = out_dir.join("diagnostics");
    let _ = fs::create_dir_all(&diagnostics);
    let _ = fs::write(
        diagnostics.join(format!("{id}.txt")),
        relocate(&stderr, &block),
    );
    let _ = fs::write(diagnostics.join(format!("{id}.status")), status.to_string());
    u8::try_from(status).map_or(ExitCode::FAILURE, ExitCode::from)
}

/// The right to compile the cache entry `entry`, held while its file exists.
struct Claim(PathBuf);

impl Drop for Claim {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Claims `entry`, or waits while another shim holds it and then returns `None`: the entry is
/// there to replay (or, if that compile could not store it, this one compiles without a claim).
/// A claim whose process is gone, or that is older than any compile takes, is taken over.
fn claim(entry: &Path) -> Option<Claim> {
    let path = entry.with_extension("claim");
    let _ = fs::create_dir_all(path.parent()?);
    loop {
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                let _ =
                    std::io::Write::write_all(&mut file, std::process::id().to_string().as_bytes());
                return Some(Claim(path));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if entry.join("status").exists() {
                    return None;
                }
                if claim_is_stale(&path) {
                    let _ = fs::remove_file(&path);
                    continue;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(_) => return None,
        }
    }
}

fn claim_is_stale(path: &Path) -> bool {
    let holder = fs::read_to_string(path).unwrap_or_default();
    let proc = Path::new("/proc");
    if proc.is_dir() && !holder.trim().is_empty() && !proc.join(holder.trim()).exists() {
        return true;
    }
    let age = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    age.is_some_and(|age| age.as_secs() > 600)
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

/// skeptic's arguments, changed as the module documentation says.
fn block_args(
    args: Vec<OsString>,
    block: &Block,
    source: &Path,
    program: &Path,
    reader_crates: Option<&str>,
) -> Vec<OsString> {
    let mut out: Vec<OsString> = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == "--extern" {
            let Some(value) = args.next() else { break };
            let name = value.to_string_lossy();
            let name = name.split_once('=').map_or(&*name, |(name, _)| name);
            if reader_crates.is_none_or(|crates| crates.lines().any(|c| c == name)) {
                out.extend([arg, value]);
            }
            continue;
        }
        let emit = block.kind.runs() && text.starts_with("--emit=");
        if !(text.starts_with("--edition=") || emit) {
            out.push(arg);
        }
    }
    out.push(format!("--edition={}", block.edition).into());
    if block.deny_warnings {
        out.push("-Dwarnings".into());
    }
    let mut remap = OsString::from("--remap-path-prefix=");
    remap.push(source);
    remap.push(format!("={BLOCK_FILE}"));
    out.push(remap);
    if block.kind.runs() {
        if let Some(dir) = program.parent() {
            let _ = fs::create_dir_all(dir);
        }
        out.push("-o".into());
        out.push(program.into());
    }
    out
}

/// The executable a full compile writes (`-o PATH`); a check-only compile has none.
fn output_path(args: &[OsString]) -> Option<PathBuf> {
    let at = args.iter().position(|a| a == "-o")?;
    args.get(at + 1).map(PathBuf::from)
}

fn cache_key(real: &OsString, args: &[OsString], source: &Path, program: &Path, code: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    real.hash(&mut hasher);
    // A rebuilt shim may compile or report differently: its own identity is part of the key.
    if let Ok(shim) = env::current_exe().and_then(fs::metadata) {
        shim.len().hash(&mut hasher);
        shim.modified().ok().hash(&mut hasher);
    }
    code.hash(&mut hasher);
    // skeptic's scratch directory is new for every compile; rustc never sees it (the remap).
    let scratch = source.parent().unwrap_or(Path::new("")).to_string_lossy();
    let program = program.to_string_lossy();
    let mut externs = false;
    for arg in args {
        let arg = arg.to_string_lossy();
        let arg = arg
            .replace(&*scratch, "<scratch>")
            .replace(&*program, "<program>");
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

/// An earlier result for the same inputs: its exit status and stderr, with its program copied to
/// `output`.
fn replay(entry: &Path, output: Option<&Path>) -> Option<(i32, String)> {
    let status = fs::read_to_string(entry.join("status")).ok()?;
    let status = status.trim().parse().ok()?;
    let stderr = fs::read_to_string(entry.join("stderr")).ok()?;
    if let Some(output) = output
        && status == 0
    {
        let _ = fs::remove_file(output);
        // A link, not a copy: programs that link tokio weigh megabytes, and every run replays
        // them. The runner removes its link after the run; the entry keeps the program.
        fs::hard_link(entry.join("binary"), output)
            .or_else(|_| fs::copy(entry.join("binary"), output).map(|_| ()))
            .ok()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocks::Kind;
    use crate::expand::Origin;

    fn block(kind: Kind, deny_warnings: bool) -> Block {
        Block {
            name: "c_line_3".into(),
            at: Origin {
                file: "src/c.md".into(),
                line: 3,
            },
            kind,
            codes: vec![],
            edition: "2021".into(),
            deny_warnings,
            code: "fn main() {}\n".into(),
            origins: vec![Origin {
                file: "snippets/x.rs".into(),
                line: 7,
            }],
        }
    }

    #[test]
    fn a_running_block_gets_its_edition_a_program_and_its_remapped_name() {
        let args: Vec<OsString> = [
            "/t/rust-skepticA/test.rs",
            "--edition=2024",
            "--emit=metadata=x",
        ]
        .map(OsString::from)
        .to_vec();
        let out = block_args(
            args,
            &block(Kind::Run, true),
            Path::new("/t/rust-skepticA/test.rs"),
            Path::new("/o/binaries/c_line_3.7-1"),
            None,
        );
        let out: Vec<String> = out
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            out,
            [
                "/t/rust-skepticA/test.rs",
                "--edition=2021",
                "-Dwarnings",
                "--remap-path-prefix=/t/rust-skepticA/test.rs=@book-block",
                "-o",
                "/o/binaries/c_line_3.7-1",
            ]
        );
    }

    #[test]
    fn a_checked_block_keeps_its_emit_and_pinned_warnings_are_not_denied() {
        let args: Vec<OsString> = ["test.rs", "--emit=metadata=x"]
            .map(OsString::from)
            .to_vec();
        let out = block_args(
            args,
            &block(Kind::CompileFail, false),
            Path::new("test.rs"),
            Path::new("/o/p"),
            None,
        );
        assert!(out.contains(&OsString::from("--emit=metadata=x")));
        assert!(!out.contains(&OsString::from("-Dwarnings")));
        assert!(!out.contains(&OsString::from("-o")));
    }

    #[test]
    fn a_block_gets_only_the_crates_of_the_readers_project() {
        let args: Vec<OsString> = [
            "test.rs",
            "--extern",
            "axum=/d/libaxum.rlib",
            "--extern",
            "skeptic=/d/libskeptic.rlib",
            "-L",
            "dependency=/d",
        ]
        .map(OsString::from)
        .to_vec();
        let out = block_args(
            args,
            &block(Kind::NoRun, true),
            Path::new("test.rs"),
            Path::new("/o/p"),
            Some("axum\ntokio\n"),
        );
        let out: Vec<String> = out
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert!(out.contains(&"axum=/d/libaxum.rlib".to_owned()), "{out:?}");
        assert!(!out.iter().any(|a| a.contains("skeptic")), "{out:?}");
        assert!(out.contains(&"dependency=/d".to_owned()), "{out:?}");
    }

    #[test]
    fn locations_map_to_book_lines() {
        let said = " --> @book-block:1:9\n --> @book-block:9:1\n";
        assert_eq!(
            relocate(said, &block(Kind::Run, true)),
            " --> snippets/x.rs:7:9\n --> @book-block:9:1\n",
            "a line the block has moves to the book; one it lacks stays as rustc wrote it"
        );
    }
}
