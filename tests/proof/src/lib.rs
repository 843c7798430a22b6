//! The proof that the book's code does what the book says.
//!
//! - [`expand`]: expands `{{#include}}` and friends exactly as mdBook 0.5 does, and turns what
//!   mdBook lets slip (a missing file or anchor, an include from outside the book) into errors.
//! - [`blocks`]: finds the Rust blocks of an expanded chapter and what their fences ask for
//!   (`no_run`, `should_panic`, `compile_fail,E0277`, `edition2021`), rejecting unknown words.
//! - [`runner`]: compiles a block, runs it if it should run, and reports a failure at the
//!   chapter line, with rustc's or the program's words mapped back to the book.
//! - [`output`]: compiler output the book quotes, checked against `.stderr` files.
//! - [`book`]: a whole book read with the two above, plus the files whose output it quotes.
//! - [`shim`]: the `rustc` the blocks are compiled with.
//!
//! `build.rs` uses [`book`] to register every block; the tests use the rest through
//! [`harness!`].

// Compiled by `build.rs` as the shim binary, nothing here but `shim::main` is called.
#![cfg_attr(book_rustc_main, allow(dead_code))]

pub mod blocks;
pub mod book;
pub mod expand;
pub mod output;
pub mod runner;
pub mod shim;

#[cfg(book_rustc_main)]
fn main() -> std::process::ExitCode {
    shim::main()
}

/// skeptic reports a failed command by panicking with the whole command line, thousands of
/// characters of `--extern` flags. Keep the panic, not its message: the runner says what failed.
pub fn quiet_skeptic_failures() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info.payload().downcast_ref::<String>();
            if !message.is_some_and(|m| m.starts_with("Command failed:")) {
                default(info);
            }
        }));
    });
}

/// Sets a test target up to compile book blocks: defines `compile(source)`, which has skeptic
/// compile `source` with the package's dependencies through the shim, and points skeptic at the
/// shim before `main`; and runs two tests per core at a time ([`two_tests_per_core!`]).
///
/// skeptic reads `RUSTC` when it compiles, and there is no other way to hand it the shim. Setting
/// a variable is only sound while no other thread can read the environment, so it happens before
/// `main`, from the platform's list of initialisers, while the test process has one thread.
#[macro_export]
macro_rules! harness {
    () => {
        /// Compiles `source` through the book's rustc shim, which records the outcome.
        fn compile(source: &str) {
            let _ = ::std::panic::catch_unwind(|| {
                ::skeptic::rt::compile_test(
                    env!("CARGO_MANIFEST_DIR"),
                    env!("OUT_DIR"),
                    env!("BOOK_TARGET"),
                    source,
                )
            });
        }

        extern "C" fn use_book_rustc() {
            // SAFETY: called before `main`, while the process is single-threaded.
            unsafe {
                ::std::env::set_var("RUSTC", env!("BOOK_RUSTC_SHIM"));
                ::std::env::set_var("BOOK_REAL_RUSTC", env!("BOOK_REAL_RUSTC"));
                ::std::env::set_var("BOOK_OUT_DIR", env!("OUT_DIR"));
            }
        }

        $crate::before_main!(USE_BOOK_RUSTC = use_book_rustc);
        $crate::two_tests_per_core!();
    };
}

/// Runs two tests per core at a time in the test target it is called in, unless
/// `RUST_TEST_THREADS` or `--test-threads` says how many: most of what these tests run waits on
/// timers and child processes, not on the CPU. (The test harness runs one per core.) Checks that
/// must not share the CPU take turns on their own.
///
/// The harness reads `RUST_TEST_THREADS` when it starts, so the variable is set before `main`,
/// from the platform's list of initialisers, while the test process has one thread.
#[macro_export]
macro_rules! two_tests_per_core {
    () => {
        extern "C" fn two_tests_per_core() {
            if ::std::env::var_os("RUST_TEST_THREADS").is_none() {
                let cores = ::std::thread::available_parallelism().map_or(1, |n| n.get());
                // SAFETY: called before `main`, while the process is single-threaded.
                unsafe { ::std::env::set_var("RUST_TEST_THREADS", (2 * cores).to_string()) };
            }
        }

        $crate::before_main!(TWO_TESTS_PER_CORE = two_tests_per_core);
    };
}

/// Puts `function` in the platform's list of initialisers, which run before `main`.
#[doc(hidden)]
#[macro_export]
macro_rules! before_main {
    ($name:ident = $function:ident) => {
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
        static $name: extern "C" fn() = $function;
    };
}
