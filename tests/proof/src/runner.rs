//! Compiles a registered block through the `rustc` shim, runs it if its fence says so, and says
//! what went wrong the way a reader needs it: the chapter line of the block, the file its code came
//! from, and rustc's (or the program's) own words with their locations mapped back to the book.
//!
//! The compile itself is handed in by the test (`compile`): skeptic knows where the dependency
//! rlibs are, and this crate stays free of dependencies. The shim writes what rustc did for the
//! block to `OUT_DIR/diagnostics/NAME.{status,txt}`, and a program to `OUT_DIR/binaries/NAME`;
//! this module reads them.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::blocks::{Block, Kind};
use crate::output;

/// How the compile of one block ended.
pub struct Compiled {
    pub success: bool,
    /// rustc's messages, with `@book-block:LINE` mapped to the book's files.
    pub stderr: String,
    /// The program, for blocks that run.
    pub program: PathBuf,
}

/// The line that ends every source handed to the shim: the block's name, by which the shim finds
/// it, and a token naming this one compile, so that tests compiling the same block at once each
/// get their own results. It comes last, so that line N of what rustc compiles is line N of the
/// block.
pub fn marker(name: &str, token: &str) -> String {
    format!("// @book-block {name} {token}\n")
}

/// The name and token in a source's marker line, if it has one.
pub fn read_marker(source: &str) -> Option<(&str, &str)> {
    let last = source.trim_end_matches('\n').rsplit('\n').next()?;
    last.strip_prefix("// @book-block ")?.split_once(' ')
}

/// A token no other compile of this or any other test process uses.
fn token() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let next = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{}-{next}", std::process::id())
}

/// The file name rustc is told the block has; [`relocate`] maps its lines back.
pub const BLOCK_FILE: &str = "@book-block";

/// Rewrites each `@book-block:LINE` to the file and line that line came from.
pub fn relocate(text: &str, block: &Block) -> String {
    let needle = format!("{BLOCK_FILE}:");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&needle) {
        out.push_str(&rest[..at]);
        let after = &rest[at + needle.len()..];
        let digits = &after[..after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len())];
        let origin = digits
            .parse::<usize>()
            .ok()
            .and_then(|line| block.origins.get(line.checked_sub(1)?));
        match origin {
            Some(origin) => {
                out.push_str(&origin.to_string());
                rest = &after[digits.len()..];
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

/// Compiles `block` with `compile`, which must run the shim on the source it is given.
pub fn compile_block(out_dir: &Path, block: &Block, compile: fn(&str)) -> Result<Compiled, String> {
    let token = token();
    let id = format!("{}.{token}", block.name);
    let mut source = block.code.clone();
    if !source.ends_with('\n') {
        source.push('\n');
    }
    source.push_str(&marker(&block.name, &token));
    crate::quiet_skeptic_failures();
    compile(&source);
    let diagnostics = out_dir.join("diagnostics");
    let status_file = diagnostics.join(format!("{id}.status"));
    let messages_file = diagnostics.join(format!("{id}.txt"));
    let status = fs::read_to_string(&status_file).map_err(|_| {
        format!(
            "{}: the book's rustc shim did not compile this block; is RUSTC pointing at it?",
            block.at
        )
    })?;
    let stderr = fs::read_to_string(&messages_file).unwrap_or_default();
    let _ = fs::remove_file(status_file);
    let _ = fs::remove_file(messages_file);
    Ok(Compiled {
        success: status.trim() == "0",
        stderr,
        program: program_path(out_dir, &id),
    })
}

/// Where the shim writes the program of the compile `id` (`NAME.TOKEN`).
pub fn program_path(out_dir: &Path, id: &str) -> PathBuf {
    out_dir.join("binaries").join(id)
}

/// The error codes in rustc's messages (`error[E0277]`), each once, in order of appearance.
pub fn error_codes(stderr: &str) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for (at, _) in stderr.match_indices("error[E") {
        let code = &stderr[at + 6..];
        if let Some(end) = code.find(']') {
            let code = code[..end].to_owned();
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
    }
    codes
}

fn first_error(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|line| line.starts_with("error"))
        .unwrap_or("(no error line)")
}

/// Checks the block `name` as its fence asks; `Err` says why it fails, naming the chapter line.
pub fn check_block(out_dir: &Path, name: &str, compile: fn(&str)) -> Result<(), String> {
    let block = Block::load(&out_dir.join("blocks"), name)?;
    let from = match block.code_from() {
        from if from.is_empty() => String::new(),
        from => format!(" (its code comes from {from})"),
    };
    let at = &block.at;
    let compiled = compile_block(out_dir, &block, compile)?;
    if block.kind == Kind::CompileFail {
        if compiled.success {
            return Err(format!(
                "{at}: this compile_fail block compiles{from}; it must not"
            ));
        }
        let got = error_codes(&compiled.stderr);
        let missing: Vec<&String> = block.codes.iter().filter(|c| !got.contains(c)).collect();
        if !missing.is_empty() {
            let got = match got.is_empty() {
                true => "no error code".to_owned(),
                false => got.join(", "),
            };
            return Err(format!(
                "{at}: this compile_fail block must fail with {}, but rustc gave {got}{from}. \
                 Its first error: {}\n\nrustc says:\n\n{}",
                block.codes.join(", "),
                first_error(&compiled.stderr),
                compiled.stderr
            ));
        }
        return Ok(());
    }
    if !compiled.success {
        return Err(format!(
            "{at}: this code block does not compile{from}. rustc says:\n\n{}",
            compiled.stderr
        ));
    }
    // Warnings that a checked `.stderr` pins are expected; anything else would have failed.
    if !block.kind.runs() {
        return Ok(());
    }
    let ran = run_program(out_dir, &block, &compiled.program);
    let _ = fs::remove_file(&compiled.program);
    let ran = ran?;
    let output = format!("Its output:\n{}{}", ran.stdout, ran.stderr);
    let panic_at = ran
        .stderr
        .split_once("panicked at ")
        .map(|(_, rest)| rest.split(":\n").next().unwrap_or(rest).to_owned());
    match (block.kind, ran.exit, panic_at) {
        (Kind::Run, Some(0), _) => Ok(()),
        (Kind::ShouldPanic, Some(101), Some(_)) => Ok(()),
        (Kind::Run, _, Some(place)) => Err(format!(
            "{at}: this code block panicked at {place}{from}.\n{output}"
        )),
        (Kind::ShouldPanic, Some(0), _) => Err(format!(
            "{at}: this should_panic block ran to the end without panicking{from}.\n{output}"
        )),
        (_, exit, _) => Err(format!(
            "{at}: this code block {}{from}.\n{output}",
            match exit {
                Some(code) => format!("exited with status {code}, not by a panic"),
                None => "was killed by a signal".to_owned(),
            }
        )),
    }
}

struct Ran {
    exit: Option<i32>,
    stdout: String,
    stderr: String,
}

/// A program that runs longer than this is stopped and reported: a test must not hang.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// Runs the block's program in a directory of its own; its panics name the book's lines.
fn run_program(out_dir: &Path, block: &Block, binary: &Path) -> Result<Ran, String> {
    let cwd: PathBuf = out_dir
        .join("runs")
        .join(binary.file_name().unwrap_or_default());
    let _ = fs::remove_dir_all(&cwd);
    fs::create_dir_all(&cwd).map_err(|e| e.to_string())?;
    let mut child = Command::new(binary)
        .current_dir(&cwd)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: cannot run {}: {e}", block.at, binary.display()))?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{}: this code block was still running after {} s and was stopped; mark a \
                 program that never ends `no_run`",
                block.at,
                RUN_LIMIT.as_secs()
            ));
        }
        thread::sleep(Duration::from_millis(5));
    };
    let _ = fs::remove_dir_all(&cwd);
    Ok(Ran {
        exit: status.code(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: relocate(&stderr.join().unwrap_or_default(), block),
    })
}

/// Checks a file whose compiler output the book quotes (`snippets/compile_fail/NAME.rs` must fail,
/// `snippets/warnings/NAME.rs` must compile) against the `NAME.stderr` beside it, or rewrites
/// that file when `bless` is set. `root` is the book's root.
pub fn check_output(
    out_dir: &Path,
    root: &Path,
    name: &str,
    bless: bool,
    compile: fn(&str),
) -> Result<(), String> {
    let block = Block::load(&out_dir.join("blocks"), name)?;
    let source = block.at.file.clone();
    let compiled = compile_block(out_dir, &block, compile)?;
    match (block.kind, compiled.success) {
        (Kind::CompileFail, true) => {
            return Err(format!(
                "{source}: compiles, but code under compile_fail/ must not"
            ));
        }
        (Kind::NoRun, false) => {
            return Err(format!(
                "{source}: does not compile, but code under warnings/ must. rustc says:\n\n{}",
                compiled.stderr
            ));
        }
        _ => {}
    }
    let said = output::normalize(&compiled.stderr, root);
    if said.trim().is_empty() {
        return Err(format!(
            "{source}: rustc prints nothing for it, so there is nothing to quote"
        ));
    }
    output::compare(root, &source, &said, bless)
}
