//! The server under test: a child process of its own, so its memory is its own, restarted for
//! every run. Reads what Linux reports about it in `/proc`.

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

/// The server binary as `cargo bench` built it, for every variant on stable tokio.
pub fn stable_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_blocking-server"))
}

/// Builds the server with `--cfg tokio_unstable`, for the runtime controls. It gets a target
/// directory of its own: with other RUSTFLAGS in the usual one, cargo would rebuild every
/// crate back and forth between this build and the normal one.
pub fn unstable_binary() -> PathBuf {
    // This bench runs as <target>/<profile>/deps/blocking-HASH.
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).unwrap().join("bench-unstable");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    eprintln!(
        "[bench] building the runtime controls (--cfg tokio_unstable) in {}",
        target.display()
    );
    let status = Command::new(cargo)
        .args(["build", "--release", "--locked", "--bin", "blocking-server"])
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env("RUSTFLAGS", "--cfg tokio_unstable")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the unstable server failed");
    target.join("release").join("blocking-server")
}

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

/// One core kept busy by another process while it lives.
pub struct Spinner(Child);

impl Spinner {
    pub fn start() -> Spinner {
        let mut child = Command::new(stable_binary())
            .arg("spin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the spinner starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "spinning");
        Spinner(child)
    }

    /// CPU time the busy process has used so far, in clock ticks.
    fn cpu_ticks(&self) -> u64 {
        stat_fields(&format!("/proc/{}/stat", self.0.id()), &[14, 15])
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

impl Server {
    pub fn start(binary: &Path, variant: &str) -> Server {
        let mut command = Command::new(binary);
        if std::env::var_os("BENCH_CLIENT_NICE").is_some() {
            command.env("BENCH_SERVER_NICE", "0");
        }
        let mut child = command
            .arg(variant)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{variant}: no address on stdout"));
        Server { child, addr }
    }

    /// Resets the peak resident set size (VmHWM) to the current one, so that the next
    /// reading covers one phase.
    pub fn reset_peak(&self) {
        std::fs::write(self.proc("clear_refs"), "5").unwrap();
    }

    pub fn peak_mb(&self) -> f64 {
        let status = std::fs::read_to_string(self.proc("status")).unwrap();
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap();
        kb / 1024.0
    }

    /// Minor page faults of all the server's threads so far (field 10 of /proc/PID/stat).
    pub fn minor_faults(&self) -> u64 {
        stat_fields(&self.proc("stat"), &[10])
    }

    /// CPU time of all the server's threads so far, in clock ticks.
    pub fn cpu_ticks(&self) -> u64 {
        stat_fields(&self.proc("stat"), &[14, 15])
    }

    /// Time the server's threads spent runnable but waiting for a core, so far, in ms: all of
    /// them but a rayon pool's sorting threads (`sort-N`).
    pub fn runqueue_wait_ms(&self) -> f64 {
        runqueue_wait_ms(&self.proc("task"), |name| !name.starts_with("sort-"))
    }

    fn proc(&self, file: &str) -> String {
        format!("/proc/{}/{file}", self.child.id())
    }
}

/// The second field of /proc/PID/task/TID/schedstat (ns on a run queue), summed over the
/// threads whose name `counts`.
fn runqueue_wait_ms(tasks: &str, counts: impl Fn(&str) -> bool) -> f64 {
    let mut ns = 0u64;
    for task in std::fs::read_dir(tasks).into_iter().flatten().flatten() {
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !counts(name.trim()) {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
        ns += stat
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
    }
    ns as f64 / 1e6
}

/// The sum of the numbered fields (from 1, as proc(5) numbers them) of a /proc/PID/stat file.
fn stat_fields(path: &str, fields: &[usize]) -> u64 {
    let stat = std::fs::read_to_string(path).unwrap();
    // The command name, field 2, is in parentheses and may hold spaces: count from after it.
    let after_name: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    fields
        .iter()
        .map(|f| after_name[f - 3].parse::<u64>().unwrap())
        .sum()
}

/// CPU time that neither the server, nor this benchmark, nor the busy process it may have
/// started used: other programs on the machine, and time the hypervisor gave to other machines
/// (steal). In clock ticks, all cores together.
pub struct Others {
    busy: u64,
    ours: u64,
    steal: u64,
    spinner: u64,
}

/// Cores' worth of CPU time over a phase.
#[derive(Clone, Copy)]
pub struct OtherCpu {
    /// Other programs and other machines: what makes a phase disturbed.
    pub cores: f64,
    /// The part of `cores` the hypervisor gave to other machines.
    pub steal: f64,
    /// The busy process the benchmark started under contended.
    pub busy: f64,
}

impl Others {
    pub fn now(server: &Server, spinner: Option<&Spinner>) -> Others {
        let stat = std::fs::read_to_string("/proc/stat").unwrap();
        // cpu  user nice system idle iowait irq softirq steal ...
        let cpu: Vec<u64> = stat
            .lines()
            .next()
            .unwrap()
            .split_whitespace()
            .skip(1)
            .map(|v| v.parse().unwrap())
            .collect();
        let busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + cpu[7];
        let spinner = spinner.map_or(0, Spinner::cpu_ticks);
        let ours = server.cpu_ticks() + stat_fields("/proc/self/stat", &[14, 15]) + spinner;
        Others {
            busy,
            ours,
            steal: cpu[7],
            spinner,
        }
    }

    /// Cores' worth of other work between `self` and `later`, over `seconds`.
    pub fn until(&self, later: &Others, seconds: f64) -> OtherCpu {
        // SAFETY: sysconf has no preconditions.
        let ticks_per_s = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        let cores = |ticks: u64| ticks as f64 / ticks_per_s / seconds;
        let others = (later.busy - self.busy).saturating_sub(later.ours - self.ours);
        OtherCpu {
            cores: cores(others),
            steal: cores(later.steal - self.steal),
            busy: cores(later.spinner - self.spinner),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
