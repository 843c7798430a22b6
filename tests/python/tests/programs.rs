//! Runs each program in `tests/python/programs/` with the Python of `target/python-venv`, the
//! virtualenv `.ci/run` makes from `tests/python/requirements.txt`. A program exits 0 when the
//! behaviour it shows holds, and otherwise prints one line saying what did not.
//!
//! Without that virtualenv, a local run says so once and passes without checking; in CI
//! (`CI=true`) that is a failure. A virtualenv whose packages are not the pinned versions fails.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const INSTALL: &str = "python3 -m venv target/python-venv && \
     target/python-venv/bin/pip install --no-deps -r tests/python/requirements.txt";

fn here() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The pinned `(name, version)` pairs of `requirements.txt`.
fn pinned() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(here().join("requirements.txt")).unwrap();
    text.lines()
        .map(|line| line.split('#').next().unwrap().trim())
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, version) = line
                .split_once("==")
                .unwrap_or_else(|| panic!("requirements.txt: {line:?} is not pinned with =="));
            (name.to_string(), version.to_string())
        })
        .collect()
}

/// The virtualenv's Python, once it is known to hold the pinned packages; `None` (said once)
/// where there is no virtualenv and `CI` is not `true`.
fn python() -> Option<&'static Path> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let python = here().join("../../target/python-venv/bin/python");
            if !python.exists() {
                let missing = format!("no target/python-venv; to run them: {INSTALL}");
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "CI=true, so the Python checks must run, but there is {missing}"
                );
                // Straight to stderr: the test harness would swallow a println! of a passing test.
                let _ = writeln!(std::io::stderr(), "Python checks skipped: {missing}");
                return None;
            }
            let pins = pinned();
            let output = Command::new(&python)
                .arg("-c")
                .arg("import sys, importlib.metadata as m\nfor name in sys.argv[1:]:\n    try: print(m.version(name))\n    except m.PackageNotFoundError: print('missing')")
                .args(pins.iter().map(|(name, _)| name))
                .output()
                .expect("the virtualenv's python runs");
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            let installed = String::from_utf8(output.stdout).unwrap();
            for ((name, version), found) in pins.iter().zip(installed.lines()) {
                assert_eq!(
                    found, version,
                    "target/python-venv has {name} {found}, requirements.txt pins {version}; \
                     reinstall: rm -rf target/python-venv && {INSTALL}"
                );
            }
            Some(python)
        })
        .as_deref()
}

/// Runs `programs/NAME.py` with `python`: what it printed, as an error, unless it exits 0.
fn outcome(python: &Path, name: &str) -> Result<(), String> {
    let program = here().join("programs").join(format!("{name}.py"));
    let mut child = Command::new(python)
        .arg(&program)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program starts");
    // The programs bound each of their own waits; this only keeps a hung one from hanging the
    // test run. It says nothing about how long a behaviour takes.
    let limit = Instant::now() + Duration::from_secs(600);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > limit {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "programs/{name}.py ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// Runs `programs/NAME.py`; panics with what it printed unless it exits 0.
fn run(name: &str) {
    let Some(python) = python() else { return };
    if let Err(failure) = outcome(python, name) {
        panic!("{failure}");
    }
}

macro_rules! programs {
    ($($name:ident),* $(,)?) => {
        const PROGRAMS: &[&str] = &[$(stringify!($name)),*];
        $(#[test] fn $name() { run(stringify!($name)) })*
    };
}

programs! {
    a_coroutine_never_awaited_runs_nothing_and_warns,
    anyio_runs_40_threads_and_the_41st_call_waits,
    asyncio_run_refuses_a_running_loop,
    cancel_raises_cancelled_error,
    coroutines_take_turns_on_one_thread,
    fastapi_runs_def_in_the_threadpool_and_async_def_on_the_loop,
    gather_schedules_at_once,
    run_coroutine_threadsafe_runs_on_the_loop,
    taskgroup_cancels_the_rest,
    time_sleep_holds_the_loop,
    uvicorn_stops_on_sigterm,
    wait_first_completed_leaves_others_running,
    wait_for_cancels_the_coroutine,
}

#[test]
fn a_program_whose_claim_fails_fails_with_one_line() {
    let Some(python) = python() else { return };
    let failure = outcome(python, "_a_claim_that_fails").expect_err("a failed check fails");
    let printed: Vec<&str> = failure.lines().skip(1).collect();
    assert_eq!(
        printed,
        ["_a_claim_that_fails.py: 1 + 1 is not 3"],
        "{failure}"
    );
}

#[test]
fn every_program_is_run() {
    let mut found: Vec<String> = std::fs::read_dir(here().join("programs"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|file| !file.starts_with('_'))
        .filter_map(|file| file.strip_suffix(".py").map(str::to_string))
        .collect();
    found.sort();
    assert_eq!(
        found, PROGRAMS,
        "every programs/*.py (but the _helpers) is listed in programs!"
    );
}
