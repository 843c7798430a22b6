//! The tables the chapter includes: one small matrix per measure and condition, variants as rows
//! and K as columns, each cell the median of the runs with their lowest and highest below.

use std::fmt::Write as _;
use std::time::Duration;

use crate::data::Row;
use crate::load::{CHECK_EVERY, CHECKS_PER_PHASE};
use crate::stats::{Spread, spread};
use crate::{IDLE_ONLY, KS, QUIET_LIMIT, Settings};

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

/// The median, with the range of the runs on a line of its own that never wraps; no range
/// when every run shows the same figure.
fn cell(s: Option<Spread>) -> String {
    match s {
        None => "–".to_string(),
        Some(s) if figure(s.min) == figure(s.max) => figure(s.median),
        Some(s) => format!(
            "{}<br><small style=\"white-space:nowrap\">{}–{}</small>",
            figure(s.median),
            figure(s.min),
            figure(s.max)
        ),
    }
}

/// A variant's name as a table shows it: code that may break after an underscore and nowhere
/// else (`<wbr>`), so that on a phone or on paper a narrow first column keeps every part of a
/// name whole, `rayon_idle_` above `pinned`.
fn name(v: &str) -> String {
    format!("<code>{}</code>", v.replace('_', "_<wbr>"))
}

/// The lowest to the highest, or one figure when they round to the same.
fn range(s: Spread) -> String {
    if figure(s.min) == figure(s.max) {
        figure(s.min)
    } else {
        format!("{}–{}", figure(s.min), figure(s.max))
    }
}

/// Across runs: the value `f` takes for (variant, n, k).
pub fn across_runs(
    rows: &[Row],
    condition: &str,
    variant: &str,
    n: u32,
    k: usize,
    f: impl Fn(&Row) -> f64,
) -> Option<Spread> {
    spread(
        rows.iter()
            .filter(|r| r.condition == condition && r.variant == variant && r.n == n && r.k == k)
            .map(f),
    )
}

fn matrix(
    s: &Settings,
    rows: &[Row],
    condition: &str,
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
        if !with_idle && IDLE_ONLY.contains(&v.as_str()) {
            continue;
        }
        let _ = write!(t, "| {} |", name(v));
        for k in &ks {
            let _ = write!(
                t,
                " {} |",
                cell(across_runs(rows, condition, v, s.n, *k, f))
            );
        }
        t.push('\n');
    }
    t.push('\n');
    t
}

/// The tables as the chapter includes them.
/// `all` holds every attempt of every phase; `rows`, the attempts that count.
pub fn markdown(
    s: &Settings,
    all: &[Row],
    rows: &[Row],
    took: Duration,
) -> Vec<(&'static str, String)> {
    let mut tables = vec![
        ("results.table", results(s, all, rows, took)),
        ("controls.table", controls(s, rows)),
    ];
    if s.conditions.contains(&"quiet") {
        tables.push(("check-quiet.table", check_p99(s, rows, "quiet")));
        tables.push(("quiet.table", sweep(s, rows, "quiet")));
        tables.push(("goal.table", goal(s, rows, "quiet")));
    }
    if s.conditions.contains(&"contended") {
        tables.push(("contended.table", contended(s, rows)));
    }
    tables
}

fn floor_of(s: &Settings, rows: &[Row]) -> Spread {
    spread(
        rows.iter()
            .filter(|r| r.n == s.n && r.k == 0)
            .map(|r| r.floor_ms),
    )
    .unwrap()
}

/// How the run went.
fn results(s: &Settings, all: &[Row], rows: &[Row], took: Duration) -> String {
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
    let floor = floor_of(s, rows);
    let all_cores = spread(
        rows.iter()
            .filter(|r| r.n == s.n && r.k == 0)
            .map(|r| r.floor_all_cores_ms),
    )
    .unwrap();
    let sent: usize = rows.iter().map(|r| r.check_sent).sum();
    let answered: usize = rows.iter().map(|r| r.check_answered).sum();
    let failed: usize = rows.iter().map(|r| r.work_failed).sum();
    let fewest = rows
        .iter()
        .filter(|r| r.n == s.n)
        .map(|r| r.check_sent)
        .min()
        .unwrap_or(0);
    let _ = writeln!(
        t,
        "- Command: `{}`, which took {:.0} s.\n\
         - Machine: {} cores ({model}), {os} (Linux {}).",
        s.command,
        took.as_secs_f64(),
        s.cores,
        kernel.trim(),
    );
    for c in &s.conditions {
        let of: Vec<&Row> = rows.iter().filter(|r| r.condition == *c).collect();
        let load = spread(of.iter().map(|r| r.load1)).unwrap();
        let others = spread(of.iter().map(|r| r.other_cores)).unwrap();
        let steal = spread(of.iter().map(|r| r.steal_cores)).unwrap();
        let started = if *c == "quiet" {
            "started nothing but the server and its client".to_string()
        } else {
            let busy = spread(of.iter().map(|r| r.busy_cores)).unwrap();
            format!(
                "also kept a core busy with a process of its own at the ordinary priority, \
                 which got {} of a core (median of the phases; {})",
                figure(busy.median),
                range(busy)
            )
        };
        let phases = of.len();
        let redone = all
            .iter()
            .filter(|r| r.condition == *c && r.attempt == 2)
            .count();
        let most = all
            .iter()
            .filter(|r| r.condition == *c)
            .map(|r| r.attempt)
            .max()
            .unwrap_or(1);
        let _ = writeln!(
            t,
            "- **{c}**: the benchmark {started}. Load average {} as the servers started. \
             Programs it did not start used at most {} of a core during a phase that counts \
             (median {}; of which the hypervisor's steal time at most {}). Phases measured \
             again because other programs used more than {QUIET_LIMIT} of a core: {} of \
             {phases}; the most attempts one phase needed: {most}.",
            range(load),
            figure(others.max),
            figure(others.median),
            figure(steal.max),
            redone,
        );
    }
    let _ = writeln!(
        t,
        "- Floor: generating and sorting 10<sup>{n}</sup> numbers alone takes **{} ms** \
           (median of the runs; {} ms). {} such sorts at once, one per core, take {} ms \
           until the last ends ({} ms).\n\
         - Runs: {}, each server restarted for each. A cell gives the median of the runs, \
           with the lowest and the highest run below it.\n\
         - `/check` sent every {} ms, open loop, for at least {CHECKS_PER_PHASE} checks a \
           phase (fewest in a phase of the sweep: {fewest}): {sent} sent, {answered} answered. \
           `/work` requests that failed: {failed}.\n",
        figure(floor.median),
        range(floor),
        s.cores,
        figure(all_cores.median),
        range(all_cores),
        s.runs,
        CHECK_EVERY.as_millis(),
    );
    t
}

fn check_p99(s: &Settings, rows: &[Row], condition: &str) -> String {
    matrix(
        s,
        rows,
        condition,
        &format!("`/check` p99, ms ({condition})"),
        true,
        |r| r.check_p99_ms,
    )
}

/// The sweep's other matrices for one condition.
fn sweep(s: &Settings, rows: &[Row], condition: &str) -> String {
    let floor = floor_of(s, rows);
    let mut t = matrix(
        s,
        rows,
        condition,
        &format!(
            "Goodput, sorts per second ({condition}; every core sorting: about {})",
            figure(s.cores as f64 * 1e3 / floor.median)
        ),
        false,
        |r| r.goodput_per_s,
    );
    t.push_str(&matrix(
        s,
        rows,
        condition,
        &format!("`/work` median, × floor ({condition})"),
        false,
        |r| r.work_median_ms / r.floor_ms,
    ));
    t.push_str(&matrix(
        s,
        rows,
        condition,
        &format!("Peak memory, MB ({condition})"),
        false,
        |r| r.peak_rss_mb,
    ));
    t
}

/// The contended sweep, at K=8 only: what a shared machine does to each version.
fn contended(s: &Settings, rows: &[Row]) -> String {
    let c = "contended";
    let mut t = format!(
        "**Contended, K=8** (another process keeps a core busy; goodput as a share of {} \
         cores ÷ floor; the share of a core the busy process got)\n\n\
         | Variant | p99 idle, ms | p99 K=8, ms | Goodput share | Busy process |\n\
         |---|--:|--:|--:|--:|\n",
        s.cores
    );
    for v in &s.contended {
        let share = |r: &Row| r.goodput_per_s * r.floor_ms / 1e3 / s.cores as f64;
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} |",
            name(v),
            cell(across_runs(rows, c, v, s.n, 0, |r| r.check_p99_ms)),
            cell(across_runs(rows, c, v, s.n, 8, |r| r.check_p99_ms)),
            cell(across_runs(rows, c, v, s.n, 8, share)),
            cell(across_runs(rows, c, v, s.n, 8, |r| r.busy_cores)),
        );
    }
    t.push('\n');
    t
}

/// Single requests on the inline server: how many stalled `/check`, per runtime and condition.
fn controls(s: &Settings, rows: &[Row]) -> String {
    if s.controls.is_empty() {
        return String::new();
    }
    let mut t = format!(
        "**Single `/work/{}` requests that stalled `/check`** (a check waited more than half a \
         bare sort of 10<sup>{}</sup> numbers, until the sort was over)\n\n\
         | Runtime | Condition | Stalled | `/check` max, ms |\n|---|---|--:|--:|\n",
        s.n - 1,
        s.n - 1
    );
    for c in &s.conditions {
        for v in &s.controls {
            let of: Vec<&Row> = rows
                .iter()
                .filter(|r| r.condition == *c && r.variant == *v && r.n == s.n - 1 && r.k == 1)
                .collect();
            let stalled: usize = of.iter().map(|r| r.stalled_rounds).sum();
            let rounds: usize = of.iter().map(|r| r.rounds).sum();
            let _ = writeln!(
                t,
                "| {} | {c} | {stalled} of {rounds} | {} |",
                name(v),
                cell(spread(of.iter().map(|r| r.check_max_ms)))
            );
        }
    }
    t.push('\n');
    t
}

/// The goal for a CPU pool, run by run: every core sorting, and `/check` close to idle.
fn goal(s: &Settings, rows: &[Row], condition: &str) -> String {
    let mut t = format!(
        "**Goal at K=8, {condition}, run by run**: goodput at least 0.9 × {} cores ÷ floor, \
         and `/check` p99 at most 2 × the idle p99 of the same server in the same run\n\n\
         | Variant | Goodput ÷ (cores ÷ floor) | p99 ÷ idle p99 | Runs meeting both |\n|---|--:|--:|--:|\n",
        s.cores
    );
    let ceiling = spread(
        rows.iter()
            .filter(|r| r.condition == condition && r.n == s.n && r.k == 0)
            .map(|r| r.floor_ms / r.floor_all_cores_ms),
    );
    for v in s.sweep.iter().filter(|v| !IDLE_ONLY.contains(&v.as_str())) {
        let (mut goodput, mut p99, mut met) = (Vec::new(), Vec::new(), 0);
        for run in 1..=s.runs {
            let at = |k: usize| {
                rows.iter().find(|r| {
                    r.condition == condition
                        && r.variant == *v
                        && r.n == s.n
                        && r.k == k
                        && r.run == run
                })
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
            "| {} | {} | {} | {met} of {} |",
            name(v),
            cell(spread(goodput)),
            cell(spread(p99)),
            s.runs
        );
    }
    if let Some(c) = ceiling {
        let _ = writeln!(
            t,
            "\nOne bare sort per core at once, timed in the benchmark before each server \
             started, gives a ratio in the second column of {} (runs: {}): about the most any \
             version can reach on this machine.",
            figure(c.median),
            range(c)
        );
    }
    // The machine's own limit: `/check` beside cores kept busy by a loop of the lowest priority.
    let spin = (1..=s.runs).filter_map(|run| {
        let idle = |r: &&Row| r.condition == condition && r.k == 0 && r.n == s.n && r.run == run;
        let spin = rows
            .iter()
            .filter(idle)
            .find(|r| IDLE_ONLY.contains(&r.variant.as_str()))?;
        let others = rows
            .iter()
            .filter(idle)
            .filter(|r| !IDLE_ONLY.contains(&r.variant.as_str()))
            .map(|r| r.check_p99_ms);
        Some((
            spin.check_p99_ms,
            spin.check_p99_ms / spread(others)?.median,
        ))
    });
    let (ms, times): (Vec<f64>, Vec<f64>) = spin.unzip();
    if let (Some(ms), Some(times)) = (spread(ms), spread(times)) {
        let _ = writeln!(
            t,
            "\nWith every core kept busy by a loop of the lowest priority that touches no memory, \
             and no sort running (`spin_idle_pinned`), `/check` p99 was {} ms (runs: {}): {} × \
             the median idle p99 of the other versions in the same run (runs: {}).",
            figure(ms.median),
            range(ms),
            figure(times.median),
            range(times)
        );
    }
    t.push('\n');
    t
}
