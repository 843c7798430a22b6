//! A test that hangs on `#[tokio::test]`'s one thread, and the same test fixed.
//! Run: `cargo test -p snippets --test my_test_hangs`. The hanging test is `#[ignore]`d: the test
//! `hanging_test_is_still_running_when_stopped` runs it in a child process and stops it.
// As a program (the book compiles every file it shows), this file is only its `main`.
#![cfg_attr(not(test), allow(dead_code, unused_imports))]

#[ignore = "hangs forever: run it only in a child process that is stopped"]
// ANCHOR: hangs
#[tokio::test]
async fn worker_reports_back() {
    let (sender, receiver) = std::sync::mpsc::channel();
    tokio::spawn(async move {
        sender.send("done").unwrap();
    });

    // Blocks the runtime's only thread: the spawned task never gets to run.
    assert_eq!(receiver.recv().unwrap(), "done");
}
// ANCHOR_END: hangs

// ANCHOR: fixed
#[tokio::test]
async fn worker_reports_back_fixed() {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        sender.send("done").unwrap();
    });

    // Waits with `.await`: the thread is free to run the task meanwhile.
    assert_eq!(receiver.await.unwrap(), "done");
}
// ANCHOR_END: fixed

/// Runs `worker_reports_back` as a child process of this test binary, and stops it, by its
/// process id, once it has been given time enough to finish many times over.
#[test]
fn hanging_test_is_still_running_when_stopped() {
    use std::{
        io::{BufRead, BufReader, Read},
        process::{Command, Stdio},
        thread,
        time::Duration,
    };
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "worker_reports_back",
            "--exact",
            "--ignored",
            "--test-threads=1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while line.trim().is_empty() {
        line.clear();
        stdout.read_line(&mut line).unwrap();
    }
    assert_eq!(line.trim(), "running 1 test");
    // The test has started. Its one job takes microseconds; give it far more than that.
    thread::sleep(Duration::from_secs(3));
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().ok();
    child.wait().unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(still_running, "it ended: {rest}");
    assert!(!rest.contains("test result"), "{rest}");
}

fn main() {}
