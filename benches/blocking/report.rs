//! The tables the chapter includes (`results.table`): one small matrix per measure, variants as
//! rows and K as columns, each cell the median of the runs with their lowest and highest below.

use std::fmt::Write as _;
use std::time::Duration;

use crate::data::Row;
use crate::stats::{Spread, spread};
use crate::{KS, Settings};

/// Two significant figures or so: enough to compare, short enough for a phone.
pub fn figure(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    match x.abs() {
        a if a >= 10.0 => format!("{x:.0}"),
        a if a >= 1.0 => format!("{x:.1}"),
        _ => format!("{x:.2}"),
    }
}

fn cell(s: Option<Spread>) -> String {
    match s {
        None => "–".to_string(),
        Some(s) if s.min == s.max => figure(s.median),
        Some(s) => format!(
            "{}<br><small>{}–{}</small>",
            figure(s.median),
            figure(s.min),
            figure(s.max)
        ),
    }
}

/// Across runs: the value `f` takes for (variant, n, k).
pub fn across_runs(
    rows: &[Row],
    variant: &str,
    n: u32,
    k: usize,
    f: impl Fn(&Row) -> f64,
) -> Option<Spread> {
    spread(
        rows.iter()
            .filter(|r| r.variant == variant && r.n == n && r.k == k)
            .map(f),
    )
}

fn matrix(
    s: &Settings,
    rows: &[Row],
    title: &str,
    with_idle: bool,
    f: impl Fn(&Row) -> f64 + Copy,
) -> String {
    let ks: Vec<usize> = with_idle.then_some(0).into_iter().chain(KS).collect();
    let mut t = format!("**{title}**\n\n| Variant |");
    for k in &ks {
        if *k == 0 {
            t.push_str(" idle |");
        } else {
            let _ = write!(t, " K={k} |");
        }
    }
    t.push_str("\n|---|");
    t.push_str(&"--:|".repeat(ks.len()));
    t.push('\n');
    for v in &s.sweep {
        let _ = write!(t, "| `{v}` |");
        for k in &ks {
            let _ = write!(t, " {} |", cell(across_runs(rows, v, s.n, *k, f)));
        }
        t.push('\n');
    }
    t.push('\n');
    t
}

/// The tables as the chapter includes them: `results.table`, `controls.table` and `goal.table`.
pub fn markdown(s: &Settings, rows: &[Row], took: Duration) -> [(&'static str, String); 3] {
    [
        ("results.table", results(s, rows, took)),
        ("controls.table", controls(s, rows)),
        ("goal.table", goal(s, rows)),
    ]
}

/// How the run went, then the sweep's matrices.
fn results(s: &Settings, rows: &[Row], took: Duration) -> String {
    let n = s.n;
    let mut t = String::new();
    let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpu
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or(" unknown")
        .trim()
        .to_string();
    let os = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let os = os
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .unwrap_or("unknown")
        .trim_matches('"')
        .to_string();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let load = spread(rows.iter().map(|r| r.load1)).unwrap();
    let floor = spread(
        rows.iter()
            .filter(|r| r.n == n && r.k == 0)
            .map(|r| r.floor_ms),
    )
    .unwrap();
    let sent: usize = rows.iter().map(|r| r.check_sent).sum();
    let answered: usize = rows.iter().map(|r| r.check_answered).sum();
    let failed: usize = rows.iter().map(|r| r.work_failed).sum();
    let others = spread(rows.iter().map(|r| r.other_cores)).unwrap();
    let _ = writeln!(
        t,
        "- Command: `{}`, which took {:.0} s.\n\
         - Machine: {} cores ({model}), {os} (Linux {}); load average {}–{} as the servers started; \
           other programs used {} cores' worth of CPU during a phase (median; up to {}).\n\
         - Floor: generating and sorting 10<sup>{n}</sup> numbers alone takes **{} ms** \
           (median of the runs; {}–{} ms).\n\
         - {} runs, each server restarted for each. A cell gives the median of the runs, \
           with the lowest and the highest run below it.\n\
         - `/check` sent every 10 ms, open loop: {sent} sent, {answered} answered. \
           `/work` requests that failed: {failed}.\n",
        s.command,
        took.as_secs_f64(),
        s.cores,
        kernel.trim(),
        figure(load.min),
        figure(load.max),
        figure(others.median),
        figure(others.max),
        figure(floor.median),
        figure(floor.min),
        figure(floor.max),
        s.runs,
    );
    t.push_str(&matrix(s, rows, "`/check` p99, ms", true, |r| {
        r.check_p99_ms
    }));
    t.push_str(&matrix(
        s,
        rows,
        &format!(
            "Goodput: sorts completed per second (all cores busy: about {})",
            figure(s.cores as f64 * 1e3 / floor.median)
        ),
        false,
        |r| r.goodput_per_s,
    ));
    t.push_str(&matrix(s, rows, "`/work` median, × floor", false, |r| {
        r.work_median_ms / r.floor_ms
    }));
    t.push_str(&matrix(s, rows, "Peak memory, MB", false, |r| {
        r.peak_rss_mb
    }));
    t
}

/// Single requests on the inline server: how many stalled `/check`, per runtime.
fn controls(s: &Settings, rows: &[Row]) -> String {
    if s.controls.is_empty() {
        return String::new();
    }
    let mut t = format!(
        "**Single `/work/{}` requests that stalled `/check`** (a check waited more than half a \
         bare sort of 10<sup>{}</sup> numbers, until the sort was over)\n\n\
         | Runtime | Stalled | Per run | `/check` max, ms |\n|---|--:|--:|--:|\n",
        s.n - 1,
        s.n - 1
    );
    for v in &s.controls {
        let of: Vec<&Row> = rows
            .iter()
            .filter(|r| r.variant == *v && r.n == s.n - 1 && r.k == 1)
            .collect();
        let stalled: usize = of.iter().map(|r| r.stalled_rounds).sum();
        let rounds: usize = of.iter().map(|r| r.rounds).sum();
        let per_run = spread(of.iter().map(|r| r.stalled_rounds as f64)).unwrap();
        let _ = writeln!(
            t,
            "| `{v}` | {stalled} of {rounds} | {}–{} | {} |",
            per_run.min,
            per_run.max,
            cell(spread(of.iter().map(|r| r.check_max_ms)))
        );
    }
    t.push('\n');
    t
}

/// The goal for a CPU pool, run by run: every core sorting, and `/check` close to idle.
fn goal(s: &Settings, rows: &[Row]) -> String {
    let mut t = format!(
        "**Goal at K=8, run by run**: goodput at least 0.9 × {} cores ÷ floor, and `/check` p99 \
         at most 2 × the idle p99 of the same server in the same run\n\n\
         | Variant | Goodput ÷ (cores ÷ floor) | p99 ÷ idle p99 | Runs meeting both |\n|---|--:|--:|--:|\n",
        s.cores
    );
    for v in &s.sweep {
        let (mut goodput, mut p99, mut met) = (Vec::new(), Vec::new(), 0);
        for run in 1..=s.runs {
            let at = |k: usize| {
                rows.iter()
                    .find(|r| r.variant == *v && r.n == s.n && r.k == k && r.run == run)
            };
            let (Some(idle), Some(busy)) = (at(0), at(8)) else {
                continue;
            };
            let g = busy.goodput_per_s * busy.floor_ms / 1e3 / s.cores as f64;
            let p = busy.check_p99_ms / idle.check_p99_ms;
            met += usize::from(g >= 0.9 && p <= 2.0);
            goodput.push(g);
            p99.push(p);
        }
        let _ = writeln!(
            t,
            "| `{v}` | {} | {} | {met} of {} |",
            cell(spread(goodput)),
            cell(spread(p99)),
            s.runs
        );
    }
    t.push('\n');
    t
}
