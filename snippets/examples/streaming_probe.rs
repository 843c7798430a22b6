//! A probe, not a test: starts the streaming server (`snippets/examples/streaming.rs`) as a
//! process of its own, streams a large body (1 GB by default) up to its `/upload` and back down
//! from `/download`, and prints the server's peak memory (VmHWM, from `/proc/PID/status`) before
//! and after each. Linux only.
//!
//! Run: `cargo build -p snippets --example streaming`, then
//! `cargo run -p snippets --example streaming_probe`. Setting: `BYTES` (default 1000000000).
//! The server stores the upload in the temporary directory; the probe removes it at the end.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpStream},
    process::{Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    thread,
    time::Duration,
};

fn main() {
    let bytes = setting("BYTES", 1_000_000_000);
    let program = std::env::current_exe().unwrap().with_file_name("streaming");
    assert!(
        program.is_file(),
        "build the server first: cargo build -p snippets --example streaming"
    );
    let mut server = Command::new(program)
        .env("PORT", "0")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut listening = String::new();
    let stdout = server.stdout.take().unwrap();
    BufReader::new(stdout).read_line(&mut listening).unwrap();
    let addr: SocketAddr = listening
        .trim()
        .strip_prefix("listening on http://")
        .unwrap()
        .parse()
        .unwrap();
    let pid = server.id();
    // Linux updates VmHWM lazily, and may report less than a peak that has passed: a thread
    // reads it every 5 ms and keeps the largest value seen.
    let peak = Arc::new(AtomicU64::new(0));
    thread::spawn({
        let peak = peak.clone();
        move || {
            while let Some(now) = peak_kib(pid) {
                peak.fetch_max(now, Ordering::Relaxed);
                thread::sleep(Duration::from_millis(5));
            }
        }
    });
    let peak_kib = |pid| peak.load(Ordering::Relaxed).max(peak_kib(pid).unwrap());

    // Warm up: one small body each way, so the "before" figure includes what any request needs.
    post(addr, "/upload", 1 << 20);
    get(addr, "/download");
    println!("server's peak memory (VmHWM) before: {} KiB", peak_kib(pid));

    let stored = post(addr, "/upload", bytes);
    assert!(
        stored.ends_with(&format!("stored {bytes} bytes\n")),
        "{stored}"
    );
    println!(
        "uploaded {bytes} bytes, streamed to a file: peak {} KiB",
        peak_kib(pid)
    );

    let received = get(addr, "/download");
    assert!(received >= bytes, "downloaded only {received} bytes");
    println!(
        "downloaded {received} bytes (with chunk framing), streamed from the file: peak {} KiB",
        peak_kib(pid)
    );
    server.kill().unwrap();
    server.wait().unwrap();
    let upload = std::env::temp_dir()
        .join("async-crash-course-uploads")
        .join("upload");
    std::fs::remove_file(upload).ok();
}

// ANCHOR: peak
/// The peak resident memory of process `pid` so far, in KiB: Linux keeps it as `VmHWM`.
/// `None` once the process is gone.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
// ANCHOR_END: peak

/// POSTs `len` bytes to `path`, 64 KiB at a time from one buffer; returns the whole answer.
fn post(addr: SocketAddr, path: &str, len: u64) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: probe\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        stream.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// GETs `path` and counts the bytes of the answer after its head, 64 KiB at a time.
fn get(addr: SocketAddr, path: &str) -> u64 {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!("GET {path} HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut buf = vec![0; 64 * 1024];
    let (mut total, mut head_len) = (0u64, None);
    let mut start = Vec::new();
    loop {
        let n = stream.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        total += n as u64;
        if head_len.is_none() {
            start.extend_from_slice(&buf[..n]);
            head_len = start
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map(|end| end as u64 + 4);
        }
    }
    assert!(
        start.starts_with(b"HTTP/1.1 200 "),
        "{:?}",
        String::from_utf8_lossy(&start)
    );
    total - head_len.unwrap()
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).map_or(default, |value| {
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number of bytes"))
    })
}
