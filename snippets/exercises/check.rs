//! The check a reader runs on an exercise: `cargo test --test exercise NAME`.
//!
//! The first run copies the exercise's starter to `snippets/exercises/yours/NAME.rs`, the
//! reader's own copy (git ignores it); every run compiles that copy as the book compiles its
//! code, and checks what it does. The test passes when the exercise is solved; when it is not,
//! it fails with what is still wrong. Delete the copy to start over from the starter.
//!
//! This target is not run by a plain `cargo test` (`test = false` in `Cargo.toml`): the book's
//! own check of the exercises is `tests/exercises.rs`, which reads the committed starters.

use std::fs;
use std::io::Write;

book_proof::harness!();

#[allow(dead_code)]
#[path = "checks.rs"]
mod checks;

fn check(name: &str) {
    let root = checks::repository();
    let yours = format!("snippets/exercises/yours/{name}.rs");
    if !root.join(&yours).exists() {
        let starter = root.join(checks::starter(name));
        fs::create_dir_all(root.join("snippets/exercises/yours")).unwrap();
        fs::copy(&starter, root.join(&yours)).unwrap();
        println!("Your copy of the exercise is {yours}: edit it, then run this check again.");
    }
    let exercise = checks::exercise(name);
    match checks::try_file(exercise, &yours, false, compile) {
        Err(problem) => fail(format!("{yours}: cannot check it: {problem}")),
        Ok(checks::Outcome::DoesNotCompile { said, .. }) => fail(format!(
            "{yours} does not compile yet. rustc says:\n\n{said}"
        )),
        Ok(checks::Outcome::Checked(Err(problem))) => {
            fail(format!("{yours}: not solved yet: {problem}"))
        }
        Ok(checks::Outcome::Checked(Ok(seen))) => {
            let seen = seen.replace('\n', "\n    ");
            // Written past the test harness, which shows what a test prints only if it fails.
            let said = format!("{yours}: solved. The check saw:\n    {seen}\n");
            let _ = std::io::stdout().write_all(said.as_bytes());
        }
    }
}

/// Fails the test with `message` alone: no place in this file, and no backtrace even when
/// `RUST_BACKTRACE` is set. The harness shows what the test printed under its name.
/// `resume_unwind` fails the test as a panic does, without the panic hook, which would print them.
fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::panic::resume_unwind(Box::new(message))
}

macro_rules! exercises {
    ($($name:ident)*) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name));
            }
        )*
    };
}

exercises! {
    async_greeting join_breakfast hello_route check_while_work word_count remind_later
    guard_across_await shutdown_deadline select_loses_data
}
