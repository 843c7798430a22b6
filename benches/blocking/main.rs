//! What blocking costs, measured. Serves each version of the work/check server in a process of
//! its own (`benches/server`), restarted for every run, and measures, under each condition:
//!
//! - a sweep: `/check` latency idle (K = 0) and while bursts of K = 1, 2, 4, 8 `GET /work/N`
//!   run, with the sorts completed per second (goodput) and the server's peak memory;
//! - the controls: many single `/work/{N-1}` requests on the inline server, on stable tokio and
//!   on two runtimes built with `--cfg tokio_unstable`, counting the ones that stall `/check`.
//!
//! The conditions (a column of every row): `quiet`, where the benchmark starts nothing but the
//! server and its own client, and `contended`, where it also keeps one core busy with another
//! process at the ordinary priority for the whole phase. Under both, every row records how much
//! CPU other programs on the machine used (`other_cores`) and the load average.
//!
//! The floor is the bare generate-and-sort, timed in this process before each server starts,
//! with nothing started beside it.
//!
//! Run: `cargo bench -p blocking-bench` (5 runs of both conditions, about 15 minutes on 2
//! cores). It writes `src/measured/results.csv`, the tables (`*.table`) and
//! `check-latency.svg`, which the chapter "What blocking costs, measured" shows. `-- --quick`
//! does one run and writes to `target/blocking-bench-quick` instead, as does any run with fewer
//! runs, variants or conditions.
//! Settings (environment): `BENCH_N` (default 7), `BENCH_RUNS` (default 5), `BENCH_OUT`,
//! `BENCH_VARIANTS` (sweep; default all), `BENCH_CONTROLS` (default all; empty for none),
//! `BENCH_CONDITIONS` (default `quiet,contended`), `BENCH_CLIENT_NICE` (unset; a negative
//! value, as root, puts the client ahead of the servers).

#[allow(dead_code)]
#[path = "../../snippets/examples/work_check.rs"]
mod work_check;

#[allow(dead_code)]
#[path = "../../tests/servers/tests/support/http.rs"]
mod http;

mod chart;
mod data;
mod load;
mod report;
mod server;
mod stats;

use std::{
    io::{IsTerminal, Write},
    path::PathBuf,
    time::{Duration, Instant},
};

use data::Row;
use load::Until;
use server::Server;

pub const SWEEP: [&str; 9] = [
    "inline",
    "spawn_blocking",
    "bounded",
    "bounded_all_cores",
    "rayon",
    "rayon_idle",
    "rayon_idle_pinned",
    "rayon_idle_pinned_reuse",
    "spin_idle_pinned",
];
/// Measured idle only: every core is already busy, at the lowest priority, with a loop that
/// touches no memory. Its `/check` p99 is what keeping every core busy costs, with no sort's
/// memory and no ordinary priority to blame.
pub const IDLE_ONLY: [&str; 1] = ["spin_idle_pinned"];
/// The versions measured under `contended`, at K = 8 only: one of each kind a reader can
/// choose (inline's stalls under contention are what the controls measure).
pub const CONTENDED: [&str; 6] = [
    "spawn_blocking",
    "bounded",
    "bounded_all_cores",
    "rayon",
    "rayon_idle",
    "rayon_idle_pinned",
];
pub const CONTROLS: [&str; 3] = ["inline", "inline_no_lifo", "inline_eager_handoff"];
pub const KS: [usize; 4] = [1, 2, 4, 8];
pub const CONTENDED_KS: [usize; 1] = [8];
/// `quiet`: the benchmark starts nothing but the server and its own client. `contended`: it
/// also starts one CPU-bound process at the ordinary priority for the whole phase, as another
/// program on a shared machine would be.
pub const CONDITIONS: [&str; 2] = ["quiet", "contended"];
/// A phase during which programs the benchmark did not start used more than this many cores'
/// worth of CPU is disturbed: it is measured again, up to `MAX_ATTEMPTS` times in all.
pub const QUIET_LIMIT: f64 = 0.25;
pub const MAX_ATTEMPTS: usize = 4;
/// Between two attempts, so that a short burst of other work can end.
const AFTER_DISTURBED: Duration = Duration::from_secs(2);
const CONTROL_ROUNDS: usize = 100;
/// Lets the server go idle before each control round, as between real requests.
const CONTROL_PAUSE: Duration = Duration::from_millis(10);
const CONTROL_FLOOR_SAMPLES: usize = 3;

#[derive(Clone)]
pub struct Settings {
    pub n: u32,
    pub runs: usize,
    pub sweep: Vec<String>,
    /// The versions of the sweep that are also measured under contended.
    pub contended: Vec<String>,
    pub controls: Vec<String>,
    pub conditions: Vec<&'static str>,
    pub command: String,
    pub cores: usize,
}

impl Settings {
    /// The versions measured under `condition`.
    fn variants(&self, condition: &str) -> &[String] {
        if condition == "contended" {
            &self.contended
        } else {
            &self.sweep
        }
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // For finding out how much the client's own turn on a core weighs: a negative nice value
    // (root only) puts the client ahead of the servers, which take back the ordinary priority.
    if let Some(nice) = std::env::var("BENCH_CLIENT_NICE")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        // SAFETY: plain system call; on Linux, who = 0 means the calling thread.
        let rc = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, nice) };
        assert_eq!(rc, 0, "BENCH_CLIENT_NICE={nice} needs root");
    }
    let n: u32 = env_or("BENCH_N", 7);
    assert!(
        (1..=work_check::MAX_EXPONENT).contains(&n),
        "BENCH_N is from 1 to {}",
        work_check::MAX_EXPONENT
    );
    let list = |name: &str, all: &[&str]| match std::env::var(name) {
        Ok(v) => v
            .split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        Err(_) => all.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    };
    let settings = Settings {
        n,
        runs: if quick { 1 } else { env_or("BENCH_RUNS", 5) },
        sweep: list("BENCH_VARIANTS", &SWEEP),
        contended: list("BENCH_VARIANTS", &SWEEP)
            .into_iter()
            .filter(|v| CONTENDED.contains(&v.as_str()))
            .collect(),
        controls: list("BENCH_CONTROLS", &CONTROLS),
        conditions: {
            let named = list("BENCH_CONDITIONS", &CONDITIONS);
            for c in &named {
                assert!(CONDITIONS.contains(&c.as_str()), "unknown condition {c}");
            }
            CONDITIONS
                .into_iter()
                .filter(|c| named.iter().any(|n| n == c))
                .collect()
        },
        command: command_line(quick),
        cores: std::thread::available_parallelism().map_or(1, |c| c.get()),
    };
    // Data the chapter cannot rest on goes elsewhere, unless BENCH_OUT says where.
    let partial = settings.runs < 5
        || settings.sweep.len() < SWEEP.len()
        || settings.controls.len() < CONTROLS.len()
        || settings.conditions.len() < CONDITIONS.len()
        || std::env::var_os("BENCH_CLIENT_NICE").is_some();
    let out = match std::env::var("BENCH_OUT") {
        Ok(dir) => PathBuf::from(dir),
        Err(_) if partial => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target/blocking-bench-quick"
        )),
        Err(_) => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../src/measured")),
    };

    if std::env::args().any(|a| a == "--report") {
        rewrite_report(&settings, &out);
        return;
    }

    let stable = server::stable_binary();
    let needs_unstable = settings.controls.iter().any(|v| v.starts_with("inline_"));
    let unstable = needs_unstable.then(server::unstable_binary);
    let binary = |variant: &str| {
        if variant.starts_with("inline_") {
            unstable.clone().unwrap()
        } else {
            stable.clone()
        }
    };

    let started = Instant::now();
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut progress = Progress::new(&settings);
    let mut rows = Vec::new();
    for run in 1..=settings.runs {
        // Each row with its phase, kept until the run's floor is known.
        let mut run_rows: Vec<(Row, load::Phase)> = Vec::new();
        let (mut floors, mut control_floors) = (Vec::new(), Vec::new());
        let mut floors_all_cores = Vec::new();
        for &condition in &settings.conditions {
            for variant in settings.variants(condition) {
                let ks = match () {
                    _ if IDLE_ONLY.contains(&variant.as_str()) => &[][..],
                    _ if condition == "contended" => &CONTENDED_KS[..],
                    _ => &KS[..],
                };
                floors.push(sort_alone(n));
                floors_all_cores.push(sort_on_every_core(n, settings.cores));
                let server = Server::start(&binary(variant), variant);
                let load1 = load_average();
                let busy = (condition == "contended").then(server::Spinner::start);
                client.block_on(async {
                    warm_up(&server).await;
                    for k in std::iter::once(0).chain(ks.iter().copied()) {
                        let what = if k == 0 {
                            "idle".to_string()
                        } else {
                            format!("K={k}")
                        };
                        let phase = || {
                            progress.show(run, condition, variant, &what);
                            async move {
                                if k == 0 {
                                    load::idle(server.addr).await
                                } else {
                                    let until = Until::Time(load::PHASE_LENGTH);
                                    load::bursts(server.addr, n, k, until).await
                                }
                            }
                        };
                        let attempts = until_quiet(&server, busy.as_ref(), &progress, phase).await;
                        run_rows.extend(
                            attempts
                                .into_iter()
                                .map(|a| row(variant, condition, n, k, run, load1, a)),
                        );
                    }
                });
                progress.done();
            }
            for variant in &settings.controls {
                for _ in 0..CONTROL_FLOOR_SAMPLES {
                    control_floors.push(sort_alone(n - 1));
                }
                let server = Server::start(&binary(variant), variant);
                let load1 = load_average();
                let busy = (condition == "contended").then(server::Spinner::start);
                client.block_on(async {
                    warm_up(&server).await;
                    let what = format!("{CONTROL_ROUNDS} single requests");
                    let phase = || {
                        progress.show(run, condition, variant, &what);
                        let until = Until::Rounds(CONTROL_ROUNDS, CONTROL_PAUSE);
                        load::bursts(server.addr, n - 1, 1, until)
                    };
                    let attempts = until_quiet(&server, busy.as_ref(), &progress, phase).await;
                    run_rows.extend(
                        attempts
                            .into_iter()
                            .map(|a| row(variant, condition, n - 1, 1, run, load1, a)),
                    );
                });
                progress.done();
            }
        }
        let floor = |size: u32, samples: &[Duration]| {
            let ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
            (size, stats::spread(ms).map_or(f64::NAN, |s| s.median))
        };
        let floors = [floor(n, &floors), floor(n - 1, &control_floors)];
        let all_cores = floor(n, &floors_all_cores).1;
        for (mut row, phase) in run_rows {
            row.floor_ms = floors.iter().find(|f| f.0 == row.n).unwrap().1;
            if row.n == n {
                row.floor_all_cores_ms = all_cores;
            }
            // A stall: a check that waited more than half a bare sort, until the sorts ended.
            row.count_stalls(&phase, Duration::from_secs_f64(row.floor_ms / 2e3));
            rows.push(row);
        }
    }
    progress.finish();

    std::fs::create_dir_all(&out).unwrap();
    let took = started.elapsed();
    std::fs::write(out.join("results.csv"), data::csv(&rows)).unwrap();
    write_report(&settings, &out, &rows, took);
    eprintln!(
        "[bench] wrote results.csv, the tables (*.table) and check-latency.svg to {} in {:.0} s",
        out.display(),
        took.as_secs_f64()
    );
}

/// The tables and the chart, from every attempt of every phase: they show the attempt of each
/// phase that counts; the data keeps all.
fn write_report(settings: &Settings, out: &std::path::Path, rows: &[Row], took: Duration) {
    let counted: Vec<Row> = rows.iter().filter(|r| r.counts).cloned().collect();
    for (name, text) in report::markdown(settings, rows, &counted, took) {
        std::fs::write(out.join(name), text).unwrap();
    }
    if settings.conditions.contains(&"quiet") {
        let chart = chart::svg(settings, &counted, "quiet");
        std::fs::write(out.join("check-latency.svg"), chart).unwrap();
    }
}

/// `-- --report`: rewrites the tables and the chart from the data in `out`, without measuring.
/// The command and the time it took are the ones the data was measured with, as the earlier
/// `results.table` says.
fn rewrite_report(settings: &Settings, out: &std::path::Path) {
    let data = std::fs::read_to_string(out.join("results.csv")).expect("results.csv to report on");
    let rows = data::parse(&data);
    let table = std::fs::read_to_string(out.join("results.table")).unwrap_or_default();
    let between = |from: &str, to: &str| {
        let start = table.find(from)? + from.len();
        Some(table[start..].split(to).next()?.to_string())
    };
    let settings = Settings {
        command: between("Command: `", "`").unwrap_or_else(|| settings.command.clone()),
        runs: rows.iter().map(|r| r.run).max().unwrap_or(0),
        ..settings.clone()
    };
    let took = between("which took ", " s")
        .and_then(|s| s.parse().ok())
        .map_or(Duration::ZERO, Duration::from_secs);
    write_report(&settings, out, &rows, took);
    eprintln!(
        "[bench] rewrote the tables and check-latency.svg in {}",
        out.display()
    );
}

/// What the server and the machine did during a phase, beside what the client saw.
struct Readings {
    peak_mb: f64,
    minor_faults: u64,
    other: server::OtherCpu,
    server_runq_ms: f64,
}

/// One measurement of a phase: its number among the attempts, from 1, and whether it is the
/// one that counts (the last).
struct Attempt {
    number: usize,
    counts: bool,
    phase: load::Phase,
    readings: Readings,
}

/// Runs the phase that `phase` starts until programs the benchmark did not start used at most
/// `QUIET_LIMIT` cores during it, `MAX_ATTEMPTS` times at most: every attempt, the last one the
/// one that counts.
async fn until_quiet<F, P>(
    server: &Server,
    busy: Option<&server::Spinner>,
    progress: &Progress,
    mut phase: F,
) -> Vec<Attempt>
where
    F: FnMut() -> P,
    P: std::future::Future<Output = load::Phase>,
{
    let mut attempts: Vec<Attempt> = Vec::new();
    for number in 1..=MAX_ATTEMPTS {
        let (phase, readings) = measured(server, busy, phase()).await;
        let others = readings.other.cores;
        let quiet = others <= QUIET_LIMIT;
        attempts.push(Attempt {
            number,
            counts: quiet || number == MAX_ATTEMPTS,
            phase,
            readings,
        });
        if quiet {
            break;
        }
        progress.disturbed(others);
        if number < MAX_ATTEMPTS {
            tokio::time::sleep(AFTER_DISTURBED).await;
        }
    }
    attempts
}

/// Runs a phase with the server's peak memory reset before it, and reads the memory, page
/// faults and other programs' CPU time after it.
async fn measured(
    server: &Server,
    busy: Option<&server::Spinner>,
    phase: impl std::future::Future<Output = load::Phase>,
) -> (load::Phase, Readings) {
    server.reset_peak();
    let faults = server.minor_faults();
    let (others, start) = (server::Others::now(server, busy), Instant::now());
    let server_runq = server.runqueue_wait_ms();
    let p = phase.await;
    let server_runq_ms = server.runqueue_wait_ms() - server_runq;
    let seconds = start.elapsed().as_secs_f64();
    let other = others.until(&server::Others::now(server, busy), seconds);
    let readings = Readings {
        peak_mb: server.peak_mb(),
        minor_faults: server.minor_faults() - faults,
        other,
        server_runq_ms,
    };
    (p, readings)
}

fn row(
    variant: &str,
    condition: &'static str,
    n: u32,
    k: usize,
    run: usize,
    load1: f64,
    Attempt {
        number,
        counts,
        phase,
        readings,
    }: Attempt,
) -> (Row, load::Phase) {
    let mut row = Row::new(variant, condition, n, k, run, load1, &phase);
    row.attempt = number;
    row.counts = counts;
    row.peak_rss_mb = readings.peak_mb;
    row.minor_faults = readings.minor_faults;
    row.other_cores = readings.other.cores;
    row.steal_cores = readings.other.steal;
    row.busy_cores = readings.other.busy;
    row.server_runq_ms = readings.server_runq_ms;
    (row, phase)
}

/// One request of each kind first, so lazily built things are not counted.
async fn warm_up(server: &Server) {
    http::get(server.addr, "/check").await.unwrap();
    http::get(server.addr, "/work/3").await.unwrap();
}

fn sort_alone(n: u32) -> Duration {
    let start = Instant::now();
    work_check::sort_random(n);
    start.elapsed()
}

/// One sort per core at once, each on a thread of its own: the time until the last one ends.
fn sort_on_every_core(n: u32, cores: usize) -> Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..cores {
            s.spawn(|| work_check::sort_random(n));
        }
    });
    start.elapsed()
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The command that reproduces this run, with every setting that is not the default.
fn command_line(quick: bool) -> String {
    let mut command = String::new();
    for name in [
        "BENCH_N",
        "BENCH_RUNS",
        "BENCH_VARIANTS",
        "BENCH_CONTROLS",
        "BENCH_CONDITIONS",
        "BENCH_CLIENT_NICE",
    ] {
        if let Ok(value) = std::env::var(name) {
            command.push_str(&format!("{name}={value} "));
        }
    }
    command.push_str("cargo bench -p blocking-bench");
    if quick {
        command.push_str(" -- --quick");
    }
    command
}

/// One line on stderr, rewritten in place on a terminal.
struct Progress {
    started: Instant,
    servers_done: usize,
    servers: usize,
    runs: usize,
    terminal: bool,
}

impl Progress {
    fn new(s: &Settings) -> Progress {
        Progress {
            started: Instant::now(),
            servers_done: 0,
            servers: s.runs
                * s.conditions
                    .iter()
                    .map(|c| s.variants(c).len() + s.controls.len())
                    .sum::<usize>(),
            runs: s.runs,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn show(&self, run: usize, condition: &str, variant: &str, phase: &str) {
        let elapsed = self.started.elapsed().as_secs_f64();
        let left = if self.servers_done == 0 {
            String::new()
        } else {
            let per = elapsed / self.servers_done as f64;
            format!(
                ", about {:.0} s left",
                per * (self.servers - self.servers_done) as f64
            )
        };
        let line = format!(
            "[bench] run {run}/{}, {condition}: {variant}, {phase} ({:.0} s{left})",
            self.runs, elapsed
        );
        if self.terminal {
            eprint!("\r\x1b[2K{line}");
            std::io::stderr().flush().ok();
        } else {
            eprintln!("{line}");
        }
    }

    /// Says that the phase just measured is measured again, and why.
    fn disturbed(&self, others: f64) {
        let line = format!(
            "[bench] other programs used {others:.2} cores (more than {QUIET_LIMIT}): measuring that phase again"
        );
        if self.terminal {
            eprint!("\r\x1b[2K{line}\n");
        } else {
            eprintln!("{line}");
        }
    }

    fn done(&mut self) {
        self.servers_done += 1;
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}
