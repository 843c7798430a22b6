//! Runs one book code block through skeptic, and reports a failure the way a reader needs it:
//! the chapter and line of the block, the file its code came from, and rustc's own message with
//! its lines mapped back to the book; not skeptic's multi-kilobyte rustc command line.

use std::env;
use std::fs;
use std::panic;
use std::path::Path;
use std::sync::Once;

/// A code block, as `build.rs` describes it in the generated tests.
pub struct Block {
    /// The test's name, which is also the name `build.rs` registered the block under.
    pub name: &'static str,
    /// `src/CHAPTER.md:LINE` of the opening fence.
    pub at: &'static str,
    /// Where its included lines came from (`snippets/examples/x.rs:1-40`), if any.
    pub code_from: &'static str,
    /// `false` for `no_run` blocks: compiled, not run.
    pub run: bool,
}

/// Compiles the block, and runs it unless it is `no_run`; panics with a located message if that
/// fails.
pub fn check(block: &Block, code: &str) {
    assert_eq!(
        env::var_os("RUSTC").as_deref(),
        Some(env!("BOOK_RUSTC_SHIM").as_ref()),
        "RUSTC must point at the book's rustc shim; this platform did not run `use_book_rustc`"
    );
    quiet_skeptic_failures();
    let out_dir = env!("OUT_DIR");
    let diagnostics = Path::new(out_dir)
        .join("diagnostics")
        .join(format!("{}.txt", block.name));
    let _ = fs::remove_file(&diagnostics);

    // skeptic's template puts a newline before the code: line 1 of its test.rs is blank.
    let source = format!("\n{code}");
    let root = env!("CARGO_MANIFEST_DIR");
    let target = env!("BOOK_TARGET");
    let outcome = panic::catch_unwind(|| {
        if block.run {
            skeptic::rt::run_test(root, out_dir, target, &source);
        } else {
            skeptic::rt::compile_test(root, out_dir, target, &source);
        }
    });
    if outcome.is_ok() {
        return;
    }
    let from = if block.code_from.is_empty() {
        String::new()
    } else {
        format!(" (its code comes from {})", block.code_from)
    };
    match fs::read_to_string(&diagnostics) {
        Ok(rustc_says) => panic!(
            "{}: this code block does not compile{from}. rustc says:\n\n{rustc_says}",
            block.at
        ),
        Err(_) => panic!(
            "{}: this code block compiles, but running it failed{from}; its output is above.\n\
             Its test.rs lines are {}",
            block.at,
            line_map(block.name)
        ),
    }
}

/// Where the lines of skeptic's `test.rs` came from, as ranges: `2-4 src/a.md:8-10, ...`.
fn line_map(name: &str) -> String {
    let map = Path::new(env!("OUT_DIR"))
        .join("blocks")
        .join(format!("{name}.map"));
    let map = fs::read_to_string(map).unwrap_or_default();
    // (first test.rs line, last, file, first line in file, last)
    let mut ranges: Vec<(usize, usize, &str, usize, usize)> = Vec::new();
    for (index, origin) in map.lines().enumerate().skip(1) {
        let Some((file, line)) = origin.rsplit_once(':') else {
            continue;
        };
        let Ok(line) = line.parse::<usize>() else {
            continue;
        };
        let test_line = index + 1;
        match ranges.last_mut() {
            Some(range) if range.2 == file && range.4 + 1 == line => {
                range.1 = test_line;
                range.4 = line;
            }
            _ => ranges.push((test_line, test_line, file, line, line)),
        }
    }
    let ranges: Vec<String> = ranges
        .iter()
        .map(|(first, last, file, from, to)| {
            if first == last {
                format!("{first} = {file}:{from}")
            } else {
                format!("{first}-{last} = {file}:{from}-{to}")
            }
        })
        .collect();
    ranges.join(", ")
}

/// skeptic reports a failed command by panicking with the whole command line, thousands of
/// characters of `--extern` flags. Keep that panic, but not its message: `check` says what failed.
fn quiet_skeptic_failures() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let message = info.payload().downcast_ref::<String>();
            if !message.is_some_and(|m| m.starts_with("Command failed:")) {
                default(info);
            }
        }));
    });
}

/// skeptic reads `RUSTC` when it compiles a snippet, and there is no other way to hand it the
/// shim. Setting a variable is only sound while no other thread can read the environment, so it
/// happens before `main`, from the platform's list of initialisers, while the test process still
/// has one thread.
extern "C" fn use_book_rustc() {
    // SAFETY: called before `main`, while the process is single-threaded.
    unsafe { env::set_var("RUSTC", env!("BOOK_RUSTC_SHIM")) };
}

#[used]
#[cfg_attr(
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly",
        target_os = "illumos"
    ),
    unsafe(link_section = ".init_array")
)]
#[cfg_attr(
    target_vendor = "apple",
    unsafe(link_section = "__DATA,__mod_init_func")
)]
#[cfg_attr(windows, unsafe(link_section = ".CRT$XCU"))]
static USE_BOOK_RUSTC: extern "C" fn() = use_book_rustc;
