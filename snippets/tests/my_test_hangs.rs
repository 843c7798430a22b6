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

/// Runs `worker_reports_back` as a child process of this test binary, waits until it is stuck
/// (see `stuck`), and stops it by its process id.
#[test]
fn hanging_test_is_still_running_when_stopped() {
    use std::{
        io::{BufRead, BufReader, Read},
        process::{Command, Stdio},
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
    // The test has started. Its one job takes microseconds.
    let stuck = stuck(child.id());
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().ok();
    child.wait().unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(still_running, "it ended: {rest}");
    assert!(stuck, "it kept using the CPU: it is busy, not stuck");
    assert!(!rest.contains("test result"), "{rest}");
}

/// Waits until process `pid` is stuck: every thread asleep, and no CPU time used between two
/// looks at it, so nothing in it is running that could still finish the test. `false` if it
/// still uses the CPU after a while. Linux shows this in `/proc/PID/task/*/stat`.
#[cfg(target_os = "linux")]
fn stuck(pid: u32) -> bool {
    use std::{fs, thread, time::Duration};
    // Each thread's state and CPU time so far, in clock ticks: `pid (name) state ...`, with
    // user and system time the 12th and 13th fields after the name.
    let look = || -> Vec<(String, u64)> {
        let tasks = fs::read_dir(format!("/proc/{pid}/task"))
            .into_iter()
            .flatten();
        let mut threads: Vec<(String, u64)> = tasks
            .flatten()
            .filter_map(|task| fs::read_to_string(task.path().join("stat")).ok())
            .map(|stat| {
                let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 1..]
                    .split_whitespace()
                    .collect();
                let ticks = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
                (fields[0].to_string(), ticks)
            })
            .collect();
        threads.sort();
        threads
    };
    let mut before = look();
    for _ in 0..50 {
        thread::sleep(Duration::from_millis(100));
        let now = look();
        let asleep = !now.is_empty() && now.iter().all(|(state, _)| state == "S");
        if asleep && now == before {
            return true;
        }
        before = now;
    }
    false
}

/// Elsewhere: give it a few seconds, thousands of times what its job takes.
#[cfg(not(target_os = "linux"))]
fn stuck(_pid: u32) -> bool {
    std::thread::sleep(std::time::Duration::from_secs(3));
    true
}

fn main() {}
