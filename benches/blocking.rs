//! What blocking costs, measured. Serves each version of the work/check server (inline,
//! `spawn_blocking`, bounded, and bounded at one job per core) in a child process of its own,
//! measures `/check` latency idle and while K = 1, 2, 4, 8 `GET /work/N` run, records the
//! server's peak memory per phase, and times the bare generate-and-sort of 10^N numbers as the
//! floor.
//!
//! Run: `cargo bench -p blocking-bench`. It writes `src/measured/results.table` and
//! `src/measured/check-latency.svg`, which the chapter "What blocking costs, measured" shows.
//! Settings (environment): `BENCH_N` (default 7), `BENCH_ROUNDS` (default 5),
//! `BENCH_OUT` (default `src/measured` of this workspace), `BENCH_VARIANTS` (default
//! `inline,spawn_blocking,bounded,bounded_all_cores`).

#[allow(dead_code)]
#[path = "../snippets/examples/work_check.rs"]
mod work_check;

#[allow(dead_code)]
#[path = "../snippets/examples/work_check_inline.rs"]
mod work_check_inline;

#[allow(dead_code)]
#[path = "../snippets/examples/work_check_bounded.rs"]
mod work_check_bounded;

#[allow(dead_code)]
#[path = "../tests/servers/tests/support/http.rs"]
mod http;

use std::{
    fmt::Write as _,
    io::{BufRead, BufReader, Read},
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// `bounded_all_cores` is the bounded server with one job per core instead of one core fewer:
/// it shows why the example leaves a core free.
const VARIANTS: [&str; 4] = ["inline", "spawn_blocking", "bounded", "bounded_all_cores"];
const KS: [usize; 4] = [1, 2, 4, 8];
const POLL_EVERY: Duration = Duration::from_millis(10);
const IDLE_CHECKS: usize = 100;
/// Bare sorts timed before each server starts; the floor is the median of all of them.
const FLOOR_SAMPLES: usize = 3;
/// Bounds every phase, however slow the machine: a phase that hits it is reported as cut short.
const PHASE_LIMIT: Duration = Duration::from_secs(60);
const REQUEST_LIMIT: Duration = Duration::from_secs(60);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("serve") {
        serve(&args[2]);
    } else {
        measure();
    }
}

/// The child process: one variant on the runtime `#[tokio::main]` builds, one worker per core.
fn serve(variant: &str) {
    let app = match variant {
        "inline" => work_check_inline::app(),
        "spawn_blocking" => work_check::app(),
        "bounded" => work_check_bounded::app(),
        "bounded_all_cores" => work_check_bounded::app_with_jobs(cores()),
        other => panic!("unknown variant {other}"),
    };
    // The parent holds our stdin: when it goes away, for whatever reason, so do we.
    std::thread::spawn(|| {
        std::io::stdin().read_to_end(&mut Vec::new()).ok();
        std::process::exit(0);
    });
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{}", listener.local_addr().unwrap());
        axum::serve(listener, app).await.unwrap();
    });
}

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(variant: &str) -> Server {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["serve", variant])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line.trim().parse().expect("the child prints its address");
        Server { child, addr }
    }

    fn status_kb(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with(field)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// Resets the peak RSS (VmHWM) to the current RSS, so the next reading covers one phase.
    fn reset_peak(&self) {
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5").unwrap();
    }

    fn peak_mb(&self) -> f64 {
        self.status_kb("VmHWM:") as f64 / 1024.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

#[derive(Default)]
struct Phase {
    checks: Vec<Duration>,
    checks_failed: usize,
    work_ok: Vec<Duration>,
    work_busy: usize,
    work_failed: usize,
    peak_mb: f64,
    cut_short: bool,
}

impl Phase {
    /// The `quantile` of the answered checks in ms; NaN when none was answered.
    fn check_ms(&self, quantile: f64) -> f64 {
        let mut sorted = self.checks.clone();
        if sorted.is_empty() {
            return f64::NAN;
        }
        sorted.sort();
        let rank = ((quantile * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1].as_secs_f64() * 1e3
    }
}

async fn check(addr: SocketAddr, phase: &mut Phase) {
    let start = Instant::now();
    match tokio::time::timeout(REQUEST_LIMIT, http::get(addr, "/check")).await {
        Ok(Ok(response)) if response.body == "OK\n" => phase.checks.push(start.elapsed()),
        _ => phase.checks_failed += 1,
    }
}

async fn idle(server: &Server) -> Phase {
    let mut phase = Phase::default();
    server.reset_peak();
    for _ in 0..IDLE_CHECKS {
        check(server.addr, &mut phase).await;
        tokio::time::sleep(POLL_EVERY).await;
    }
    phase.peak_mb = server.peak_mb();
    phase
}

/// K concurrent `/work/N`, with `/check` polled every ~10 ms until they have all answered.
async fn under_load(server: &Server, n: u32, k: usize, phase: &mut Phase) {
    server.reset_peak();
    let addr = server.addr;
    let works: Vec<_> = (0..k)
        .map(|_| {
            tokio::spawn(async move {
                let path = format!("/work/{n}");
                let start = Instant::now();
                let response = tokio::time::timeout(PHASE_LIMIT, http::get(addr, &path)).await;
                (response, start.elapsed())
            })
        })
        .collect();
    tokio::task::yield_now().await; // let the work requests go out first
    let deadline = Instant::now() + PHASE_LIMIT;
    while works.iter().any(|w| !w.is_finished()) {
        if Instant::now() > deadline {
            phase.cut_short = true;
            break;
        }
        check(addr, phase).await;
        tokio::time::sleep(POLL_EVERY).await;
    }
    for work in works {
        match work.await.unwrap() {
            (Ok(Ok(response)), took) if response.status == 200 => phase.work_ok.push(took),
            (Ok(Ok(response)), _) if response.status == 503 => phase.work_busy += 1,
            _ => phase.work_failed += 1,
        }
    }
    phase.peak_mb = phase.peak_mb.max(server.peak_mb());
}

struct Results {
    /// The command that reproduces this run, with any setting that is not the default.
    command: String,
    floor_samples: usize,
    n: u32,
    rounds: usize,
    floor: Duration,
    /// Per variant: the idle phase, then one phase per K.
    phases: Vec<(String, Phase, Vec<Phase>)>,
}

fn measure() {
    let n: u32 = env_or("BENCH_N", 7);
    let rounds: usize = env_or("BENCH_ROUNDS", 5);
    assert!(
        n <= work_check::MAX_EXPONENT,
        "BENCH_N is at most {}",
        work_check::MAX_EXPONENT
    );
    let out = std::env::var("BENCH_OUT").map_or_else(
        |_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../src/measured")),
        PathBuf::from,
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let started = Instant::now();

    // The floor is sampled before each server starts, so a change in the machine's load during
    // the run weighs on it as it does on the servers.
    let sort_alone = || {
        let start = Instant::now();
        work_check::sort_random(n);
        start.elapsed()
    };
    let mut floors = Vec::new();

    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let chosen = std::env::var("BENCH_VARIANTS").unwrap_or_else(|_| VARIANTS.join(","));
    let mut phases = Vec::new();
    for variant in chosen.split(',') {
        eprintln!("[bench] floor: bare generate-and-sort of 10^{n}, {FLOOR_SAMPLES} times");
        floors.extend((0..FLOOR_SAMPLES).map(|_| sort_alone()));
        let server = Server::start(variant);
        client.block_on(async {
            // One request of each kind first, so lazily built things are not counted.
            http::get(server.addr, "/check").await.unwrap();
            http::get(server.addr, "/work/3").await.unwrap();
            eprintln!("[bench] {variant}: idle, {IDLE_CHECKS} checks");
            let idle_phase = idle(&server).await;
            let mut loaded: Vec<Phase> = KS.iter().map(|_| Phase::default()).collect();
            for round in 1..=rounds {
                for (k, phase) in KS.iter().zip(&mut loaded) {
                    eprintln!(
                        "[bench] {variant}: K={k} x /work/{n}, round {round}/{rounds} ({:.0} s so far)",
                        started.elapsed().as_secs_f64()
                    );
                    under_load(&server, n, *k, phase).await;
                }
            }
            phases.push((variant.to_string(), idle_phase, loaded));
        });
    }
    let floor = median(&floors).unwrap();
    let mut command = String::new();
    for name in ["BENCH_N", "BENCH_ROUNDS", "BENCH_VARIANTS"] {
        if let Ok(value) = std::env::var(name) {
            let _ = write!(command, "{name}={value} ");
        }
    }
    command.push_str("cargo bench -p blocking-bench");
    let results = Results {
        command,
        floor_samples: floors.len(),
        n,
        rounds,
        floor,
        phases,
    };

    std::fs::create_dir_all(&out).unwrap();
    let table = results.table(&load, started.elapsed());
    std::fs::write(out.join("results.table"), &table).unwrap();
    std::fs::write(out.join("check-latency.svg"), results.chart()).unwrap();
    println!("{table}");
    eprintln!(
        "[bench] wrote {}/results.table and check-latency.svg",
        out.display()
    );
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |c| c.get())
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(durations: &[Duration]) -> Option<Duration> {
    let mut sorted = durations.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied()
}

impl Results {
    fn table(&self, load: &str, took: Duration) -> String {
        let n = self.n;
        let mut t = String::new();
        let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = cpu
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1));
        let os = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
        let os = os
            .lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .unwrap_or("unknown");
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
        let cores = std::thread::available_parallelism().map_or(0, |c| c.get());
        let load = load.split_whitespace().next().unwrap_or("?");
        let _ = writeln!(
            t,
            "- Command: `{}`, which took {:.0} s.\n\
             - Machine: {cores} cores ({}), {} (Linux {}); load average {load} at the start.",
            self.command,
            took.as_secs_f64(),
            model.unwrap_or(" unknown").trim(),
            os.trim_matches('"'),
            kernel.trim()
        );
        let _ = writeln!(
            t,
            "- Floor: generating and sorting 10<sup>{n}</sup> numbers alone takes **{:.0} ms** (median of {} runs, {} before each server).",
            ms(self.floor),
            self.floor_samples,
            FLOOR_SAMPLES
        );
        let _ = writeln!(
            t,
            "- Each K row sums {} rounds; `/check` is polled every 10 ms while the work runs.\n",
            self.rounds
        );
        t.push_str("| Version | K × `/work` | `/check` p50 | p99 | max | checks answered | `/work` 200: median (× floor) | 503 | peak RSS |\n");
        t.push_str("|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
        for (variant, idle, loaded) in &self.phases {
            let rows = std::iter::once(("idle".to_string(), idle))
                .chain(KS.iter().map(|k| k.to_string()).zip(loaded));
            for (k, p) in rows {
                let work = match median(&p.work_ok) {
                    Some(m) => format!("{:.0} ms ({:.2}×)", ms(m), ms(m) / ms(self.floor)),
                    None => "–".to_string(),
                };
                let mut answered = p.checks.len().to_string();
                if p.checks_failed > 0 {
                    let _ = write!(answered, " ({} failed)", p.checks_failed);
                }
                if p.cut_short || p.work_failed > 0 {
                    let _ = write!(
                        answered,
                        " ⚠ {} work failed{}",
                        p.work_failed,
                        if p.cut_short { ", cut short" } else { "" }
                    );
                }
                let busy = if k == "idle" {
                    "–".to_string()
                } else {
                    p.work_busy.to_string()
                };
                let _ = writeln!(
                    t,
                    "| `{variant}` | {k} | {:.2} ms | {:.2} ms | {:.2} ms | {answered} | {work} | {busy} | {:.0} MB |",
                    p.check_ms(0.5),
                    p.check_ms(0.99),
                    p.check_ms(1.0),
                    p.peak_mb
                );
            }
        }
        t.push('\n');
        t.push_str(&self.findings());
        t.push('\n');
        t.push_str(&self.targets());
        t
    }

    /// The headline numbers, in sentences, so the chapter's prose needs none of its own.
    fn findings(&self) -> String {
        let mut f = String::from("In this run:\n\n");
        let n = self.n;
        let work = |p: &Phase| match median(&p.work_ok) {
            Some(m) => format!(
                "{:.0} ms ({:.1} × the floor)",
                ms(m),
                ms(m) / ms(self.floor)
            ),
            None => "–".to_string(),
        };
        for (variant, idle, loaded) in &self.phases {
            let p99: Vec<String> = KS
                .iter()
                .zip(loaded)
                .map(|(k, p)| format!("{:.1} ms at K={k}", p.check_ms(0.99)))
                .collect();
            let (first, last) = (&loaded[0], &loaded[KS.len() - 1]);
            let _ = writeln!(
                f,
                "- `{variant}`: `/check` p99 {:.1} ms idle, {}. `/work/{n}` median {} at K=1, {} at K=8. \
                 Peak memory {:.0} MB at K=1, {:.0} MB at K=8. Turned away with 503 at K=8: {} of {}.",
                idle.check_ms(0.99),
                p99.join(", "),
                work(first),
                work(last),
                first.peak_mb,
                last.peak_mb,
                last.work_busy,
                self.rounds * KS[KS.len() - 1],
            );
        }
        f
    }

    fn targets(&self) -> String {
        let Some((_, _, bounded)) = self.phases.iter().find(|(v, ..)| v == "bounded") else {
            return String::new();
        };
        let p99_at_8 = bounded[3].check_ms(0.99);
        let rss: Vec<f64> = bounded.iter().map(|p| p.peak_mb).collect();
        // From K = the server's job limit on, more requests must not mean more memory.
        let jobs = work_check_bounded::default_jobs();
        let at_limit = KS.iter().position(|&k| k >= jobs).unwrap_or(KS.len() - 1);
        let growth = rss[KS.len() - 1] / rss[at_limit];
        let worst_ratio = bounded
            .iter()
            .filter_map(|p| median(&p.work_ok))
            .map(|m| ms(m) / ms(self.floor))
            .fold(0.0, f64::max);
        // The target speaks of "a response": the slowest one is shown beside the medians.
        let slowest_ratio = bounded
            .iter()
            .flat_map(|p| p.work_ok.iter())
            .map(|&d| ms(d) / ms(self.floor))
            .fold(0.0, f64::max);
        let verdict = |ok: bool| if ok { "met" } else { "**missed**" };
        let n = self.n;
        let rss_list: Vec<String> = KS
            .iter()
            .zip(&rss)
            .map(|(k, r)| format!("K={k}: {r:.0}"))
            .collect();
        format!(
            "| Target (`bounded`) | Measured | Result |\n|---|---|---|\n\
             | `/check` p99 ≤ 5 ms with 8 × `/work/{n}` sent | {p99_at_8:.2} ms | {} |\n\
             | peak RSS flat in K (K=8 vs K={}) | {} MB: {growth:.2} × | {} |\n\
             | `/work/{n}` median ≤ 1.3 × floor, every K | {worst_ratio:.2} × at worst | {} |\n\
             | slowest single `/work/{n}` ≤ 1.3 × floor | {slowest_ratio:.2} × | {} |\n",
            verdict(p99_at_8 <= 5.0),
            KS[at_limit],
            rss_list.join(", "),
            verdict(growth <= 1.1),
            verdict(worst_ratio <= 1.3),
            verdict(slowest_ratio <= 1.3),
        )
    }

    /// `/check` p99 against K, one line per variant, log scale: a hand-written SVG.
    fn chart(&self) -> String {
        let (w, h, left, right, top, bottom) = (680.0, 360.0, 70.0, 170.0, 40.0, 50.0);
        let points: Vec<(&str, Vec<f64>)> = self
            .phases
            .iter()
            .map(|(v, _, loaded)| {
                (
                    v.as_str(),
                    loaded.iter().map(|p| p.check_ms(0.99)).collect(),
                )
            })
            .collect();
        let all = points.iter().flat_map(|(_, ys)| ys.iter().copied());
        let lo = all
            .clone()
            .fold(f64::MAX, f64::min)
            .max(1e-3)
            .log10()
            .floor();
        let hi = all
            .fold(f64::MIN, f64::max)
            .max(1e-3)
            .log10()
            .ceil()
            .max(lo + 1.0);
        let x = |i: usize| left + (w - left - right) * i as f64 / (KS.len() - 1) as f64;
        let y = |ms: f64| top + (h - top - bottom) * (hi - ms.max(1e-3).log10()) / (hi - lo);
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n\
             <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
             <text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">/check p99 latency while K × /work/{} run (log scale)</text>\n",
            (left + w - right) / 2.0,
            self.n
        );
        for decade in lo as i32..=hi as i32 {
            let ms = 10f64.powi(decade);
            let line_y = y(ms);
            let label = if ms >= 1000.0 {
                format!("{} s", ms / 1000.0)
            } else {
                format!("{ms} ms")
            };
            let _ = writeln!(
                s,
                "<line x1=\"{left}\" x2=\"{}\" y1=\"{line_y}\" y2=\"{line_y}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{label}</text>",
                w - right,
                left - 6.0,
                line_y + 4.0,
            );
        }
        let target_y = y(5.0);
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{target_y}\" y2=\"{target_y}\" stroke=\"#888\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{}\" fill=\"#555\">5 ms target</text>",
            w - right,
            w - right + 12.0,
            target_y + 4.0,
        );
        for (i, k) in KS.iter().enumerate() {
            let _ = writeln!(
                s,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{k}</text>",
                x(i),
                h - bottom + 18.0
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">K = concurrent /work requests</text>",
            (left + w - right) / 2.0,
            h - 10.0
        );
        let colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd"];
        for (j, ((variant, ys), color)) in points.iter().zip(colors).enumerate() {
            let path: Vec<String> = ys
                .iter()
                .enumerate()
                .map(|(i, &v)| format!("{:.1},{:.1}", x(i), y(v)))
                .collect();
            let _ = writeln!(
                s,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>",
                path.join(" ")
            );
            for (i, &v) in ys.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{color}\"><title>{variant}, K={}: {v:.2} ms</title></circle>",
                    x(i),
                    y(v),
                    KS[i]
                );
            }
            let ly = top + 20.0 * j as f64 + 10.0;
            let _ = writeln!(
                s,
                "<line x1=\"{}\" x2=\"{}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\">{variant}</text>",
                w - right + 12.0,
                w - right + 32.0,
                w - right + 38.0,
                ly + 4.0
            );
        }
        s.push_str("</svg>\n");
        s
    }
}
