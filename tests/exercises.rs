//! The exercises, checked both ways: every committed starter (`snippets/exercises/NAME.rs`) fails
//! the way its exercise says (its check fails, or rustc refuses it with the exercise's error
//! code), and every solution (`snippets/exercises/solutions/NAME.rs`) passes the same check a
//! reader runs (`cargo test --test exercise NAME`, in `snippets/exercises/check.rs`).
//! A reader's own copies (`snippets/exercises/yours/`) are never read here.

book_proof::harness!();

#[allow(dead_code)]
#[path = "../snippets/exercises/checks.rs"]
mod checks;

use checks::Outcome;

fn starter_fails(name: &str) -> Result<(), String> {
    let exercise = checks::exercise(name);
    let file = checks::starter(name);
    let outcome = checks::try_file(exercise, &file, true, compile)?;
    match (exercise.starter_error, outcome) {
        (Some(code), Outcome::DoesNotCompile { codes, .. }) if codes.iter().any(|c| c == code) => {
            Ok(())
        }
        (Some(code), Outcome::DoesNotCompile { codes, said }) => Err(format!(
            "{file}: the starter of exercise {name} must fail to compile with {code}, but rustc \
             gave {codes:?}:\n\n{said}"
        )),
        (Some(code), Outcome::Checked(_)) => Err(format!(
            "{file}: the starter of exercise {name} compiles; it must fail with {code}"
        )),
        (None, Outcome::DoesNotCompile { said, .. }) => Err(format!(
            "{file}: the starter of exercise {name} must compile and fail its check, but rustc \
             refuses it:\n\n{said}"
        )),
        (None, Outcome::Checked(Ok(_))) => Err(format!(
            "{file}: the starter of exercise {name} passes its check \
             (`cargo test --test exercise {name}`); a starter must fail it"
        )),
        (None, Outcome::Checked(Err(_))) => Ok(()),
    }
}

fn solution_passes(name: &str) -> Result<(), String> {
    let exercise = checks::exercise(name);
    let file = checks::solution(name);
    match checks::try_file(exercise, &file, true, compile)? {
        Outcome::DoesNotCompile { said, .. } => Err(format!(
            "{file}: the solution of exercise {name} does not compile:\n\n{said}"
        )),
        Outcome::Checked(Err(problem)) => Err(format!(
            "{file}: the solution of exercise {name} fails its check \
             (`cargo test --test exercise {name}`): {problem}"
        )),
        Outcome::Checked(Ok(_)) => Ok(()),
    }
}

macro_rules! exercises {
    ($($name:ident)*) => {
        $(
            mod $name {
                #[test]
                fn starter_fails_as_the_exercise_says() {
                    super::starter_fails(stringify!($name)).unwrap_or_else(|e| panic!("{e}"));
                }

                #[test]
                fn solution_passes_the_check() {
                    super::solution_passes(stringify!($name)).unwrap_or_else(|e| panic!("{e}"));
                }
            }
        )*
    };
}

exercises! {
    async_greeting join_breakfast hello_route check_while_work word_count remind_later
    guard_across_await shutdown_deadline select_loses_data
}

#[test]
fn every_exercise_is_checked_here_and_by_the_readers_command() {
    let listed: Vec<&str> = checks::EXERCISES.iter().map(|e| e.name).collect();
    let here = include_str!("exercises.rs");
    let readers = include_str!("../snippets/exercises/check.rs");
    for name in &listed {
        for (file, text) in [
            ("tests/exercises.rs", here),
            ("snippets/exercises/check.rs", readers),
        ] {
            assert!(
                text.contains(&format!(" {name}")),
                "{file} does not list exercise {name}"
            );
        }
    }
    let mut files: Vec<String> = std::fs::read_dir(checks::repository().join("snippets/exercises"))
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter_map(|file| file.strip_suffix(".md").map(String::from))
        .collect();
    files.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(
        files, sorted,
        "each exercise has a fragment NAME.md, and each fragment an exercise"
    );
}

/// What the book compiles of each fragment, once the chapter includes it: the proof's own
/// expander and block finder, run on the fragment, find the starter and then the solution, each
/// whole, with fences that agree with the exercise (a starter that must not compile is
/// `compile_fail` with its error code; nothing else is).
#[test]
fn each_fragment_shows_its_starter_and_solution_under_the_right_fences() {
    use book_proof::blocks::Kind;
    let root = checks::repository();
    let edition = book_proof::book::edition(&root.join("book.toml")).unwrap();
    for exercise in &checks::EXERCISES {
        let name = exercise.name;
        let fragment = format!("snippets/exercises/{name}.md");
        let expanded = book_proof::expand::expand_chapter(&root, fragment.as_ref());
        assert!(
            expanded.problems.is_empty(),
            "{fragment}: {:?}",
            expanded.problems
        );
        let (blocks, problems) =
            book_proof::blocks::find_blocks(name, &expanded.text, &expanded.origins, &edition);
        assert!(problems.is_empty(), "{fragment}: {problems:?}");
        let [starter, solution] = &blocks[..] else {
            panic!("{fragment}: must show two Rust blocks, the starter and the solution");
        };
        for (block, file) in [
            (starter, checks::starter(name)),
            (solution, checks::solution(name)),
        ] {
            // The whole file is compiled; anchor lines only mark the part a reader sees first.
            let text = std::fs::read_to_string(root.join(&file)).unwrap();
            let text: Vec<&str> = text.lines().filter(|l| !l.contains("// ANCHOR")).collect();
            assert_eq!(
                block.code.trim_end(),
                text.join("\n").trim_end(),
                "{}: must compile all of {file}",
                block.at
            );
        }
        match exercise.starter_error {
            Some(code) => assert!(
                starter.kind == Kind::CompileFail && starter.codes == [code],
                "{}: the starter's fence must be rust,compile_fail,{code}",
                starter.at
            ),
            None => assert!(
                matches!(starter.kind, Kind::Run | Kind::NoRun),
                "{}: the starter compiles: its fence must be rust or rust,no_run",
                starter.at
            ),
        }
        assert!(
            matches!(solution.kind, Kind::Run | Kind::NoRun),
            "{}: the solution's fence must be rust or rust,no_run",
            solution.at
        );
        // mdBook renders Markdown inside HTML only after a blank line: around the code, too.
        let fold = expanded
            .text
            .split_once("<details>\n<summary>Solution</summary>\n\n");
        let folded = fold.is_some_and(|(_, inside)| {
            inside.contains("\n\n```rust") && inside.trim_end().ends_with("\n\n</details>")
        });
        assert!(
            folded,
            "{fragment}: the solution must be folded: `<details>`, `<summary>Solution</summary>`, \
             a blank line, the code block between blank lines, a blank line, `</details>`"
        );
    }
}

/// What the solutions' paragraphs say about other answers, tried on edited copies of the
/// committed files (written under `target/`): each edit and what must come of it.
#[test]
fn other_answers_fare_as_the_solutions_say() {
    // (exercise, file edited, text replaced, replacement, rustc's error code or None: passes)
    let variants: [(&str, String, &str, &str, Option<&str>); 3] = [
        // "Forget that second `.await` and rustc says a future is not `Display` (E0277)."
        (
            "async_greeting",
            checks::solution("async_greeting"),
            "greeting().await",
            "greeting()",
            Some("E0277"),
        ),
        // "Adding only `move` is not enough."
        (
            "word_count",
            checks::starter("word_count"),
            "spawn_blocking(|| count_words(text))",
            "spawn_blocking(move || count_words(text))",
            Some("E0521"),
        ),
        // "Spawning each with `tokio::spawn` and awaiting both handles passes the check too."
        (
            "join_breakfast",
            checks::starter("join_breakfast"),
            "    make_coffee().await;\n    make_toast().await;",
            "    let coffee = tokio::spawn(make_coffee());\n    \
             let toast = tokio::spawn(make_toast());\n    \
             coffee.await.unwrap();\n    toast.await.unwrap();",
            None,
        ),
    ];
    let root = checks::repository();
    for (name, file, from, to, expected) in variants {
        let text = std::fs::read_to_string(root.join(&file)).unwrap();
        assert!(text.contains(from), "{file} no longer contains {from:?}");
        let variant = format!("target/exercise-variants/{name}.rs");
        std::fs::create_dir_all(root.join("target/exercise-variants")).unwrap();
        std::fs::write(root.join(&variant), text.replace(from, to)).unwrap();
        let outcome = checks::try_file(checks::exercise(name), &variant, true, compile).unwrap();
        match (expected, outcome) {
            (Some(code), Outcome::DoesNotCompile { codes, .. })
                if codes.iter().any(|c| c == code) => {}
            (None, Outcome::Checked(Ok(_))) => {}
            (_, Outcome::DoesNotCompile { said, .. }) => {
                panic!("{file} with {to:?}: expected {expected:?}, rustc said:\n{said}")
            }
            (_, Outcome::Checked(verdict)) => {
                panic!("{file} with {to:?}: expected {expected:?}, the check said {verdict:?}")
            }
        }
    }
}
