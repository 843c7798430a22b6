//! The chapter "What blocking costs, measured", and the advice in "CPU-heavy work in production"
//! that rests on it, state relationships in the benchmark's data.
//! This test reads the committed data, `src/measured/results.csv`, and checks each of them, so
//! that a rerun whose data contradicts the text fails until the text is changed to match.
//!
//! Each claim quotes the words of the chapter it checks, and the chapter must still contain
//! them: a sentence cannot change without its check changing too.
//!
//! A claim about a condition is checked against each quiet run on its own, never against the
//! runs pooled: a run in which other programs used more than a quarter of a core during its quiet
//! condition is not quiet, and counts for nothing. Only claims about how the quiet runs differ
//! (or how many of them did something) read the quiet runs together, and only claims about what
//! the benchmark did read every run.

use std::collections::HashMap;
use std::path::Path;

/// The conditions a row can be measured under (its `condition` column).
const CONDITIONS: [&str; 2] = ["quiet", "contended"];

/// The most CPU, in cores, that programs the benchmark did not start may use during a run's
/// quiet condition for the run to count as quiet.
const QUIET_AT_MOST: f64 = 0.25;

#[derive(Clone)]
struct Data {
    rows: Vec<HashMap<String, String>>,
}

impl Data {
    fn load() -> Data {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/measured/results.csv");
        let text = std::fs::read_to_string(&path).expect("src/measured/results.csv is committed");
        Data::parse(&text)
    }

    fn parse(text: &str) -> Data {
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .expect("a header line")
            .split(',')
            .map(String::from)
            .collect();
        let rows: Vec<HashMap<String, String>> = lines
            .filter(|l| !l.is_empty())
            .map(|l| {
                let fields: Vec<&str> = l.split(',').collect();
                assert_eq!(
                    fields.len(),
                    header.len(),
                    "every row has every column: {l}"
                );
                header
                    .iter()
                    .cloned()
                    .zip(fields.iter().map(|f| f.to_string()))
                    .collect()
            })
            .collect();
        for row in &rows {
            assert!(
                CONDITIONS.contains(&row["condition"].as_str()),
                "a row of an unknown condition: {row:?}"
            );
        }
        Data { rows }
    }

    /// The rows measured under `condition`, and no others.
    fn only(&self, condition: &str) -> Data {
        Data {
            rows: self
                .rows
                .iter()
                .filter(|r| r["condition"] == condition)
                .cloned()
                .collect(),
        }
    }

    /// The runs, in order.
    fn runs(&self) -> Vec<String> {
        let mut runs: Vec<String> = self.rows.iter().map(|r| r["run"].clone()).collect();
        runs.sort_by_key(|run| run.parse::<u32>().unwrap());
        runs.dedup();
        runs
    }

    /// The rows of `runs`, and no others.
    fn of_runs(&self, runs: &[String]) -> Data {
        Data {
            rows: self
                .rows
                .iter()
                .filter(|r| runs.contains(&r["run"]))
                .cloned()
                .collect(),
        }
    }

    /// How many cores' worth of CPU programs the benchmark did not start used during `run` under
    /// `condition`: their CPU time over all its phases, divided by the phases' time.
    fn others_during(&self, condition: &str, run: &str) -> f64 {
        let (mut cpu, mut seconds) = (0.0, 0.0);
        for r in self
            .rows
            .iter()
            .filter(|r| r["condition"] == condition && r["run"] == run)
        {
            let phase: f64 = r["seconds"].parse().unwrap();
            cpu += phase * r["other_cores"].parse::<f64>().unwrap();
            seconds += phase;
        }
        cpu / seconds
    }

    /// The quiet runs: those in which other programs used at most a quarter of a core during
    /// the quiet condition.
    fn quiet_runs(&self) -> Vec<String> {
        self.runs()
            .into_iter()
            .filter(|run| self.others_during("quiet", run) <= QUIET_AT_MOST)
            .collect()
    }

    /// The sweep's work size: the n of the idle rows.
    fn sweep_n(&self) -> String {
        let idle = self
            .rows
            .iter()
            .find(|r| r["k"] == "0")
            .expect("an idle row");
        idle["n"].clone()
    }

    /// `column` of `variant` at K = `k` in the sweep, one value per run, in run order.
    fn sweep(&self, variant: &str, k: u32, column: &str) -> Vec<f64> {
        let n = self.sweep_n();
        self.of(variant, &n, k, column)
    }

    /// `column` of `variant` at K = `k` in the controls (the sweep's n - 1), one value per run.
    fn control(&self, variant: &str, column: &str) -> Vec<f64> {
        let n = (self.sweep_n().parse::<u32>().unwrap() - 1).to_string();
        self.of(variant, &n, 1, column)
    }

    fn of(&self, variant: &str, n: &str, k: u32, column: &str) -> Vec<f64> {
        let mut found: Vec<(u32, f64)> = self
            .rows
            .iter()
            .filter(|r| r["variant"] == variant && r["n"] == n && r["k"] == k.to_string())
            .map(|r| {
                let value = r[column].parse().unwrap_or(f64::NAN);
                (r["run"].parse().unwrap(), value)
            })
            .collect();
        assert!(
            !found.is_empty(),
            "no rows for {variant} at n={n}, K={k} in results.csv"
        );
        found.sort_by_key(|(run, _)| *run);
        found.into_iter().map(|(_, v)| v).collect()
    }

    /// The floor in ms, run by run.
    fn floor(&self) -> Vec<f64> {
        self.sweep("bounded", 0, "floor_ms")
    }

    /// Goodput at K=8 in cores' worth of sorts (goodput × floor), run by run.
    fn cores_worth(&self, variant: &str) -> Vec<f64> {
        let goodput = self.sweep(variant, 8, "goodput_per_s");
        goodput
            .iter()
            .zip(self.floor())
            .map(|(g, f)| g * f / 1e3)
            .collect()
    }

    /// Goodput at K=8 as a share of every core sorting (cores ÷ floor), run by run.
    fn goodput_share(&self, variant: &str) -> Vec<f64> {
        let cores = self.sweep(variant, 8, "cores");
        ratio(&self.cores_worth(variant), &cores)
    }

    /// `/check` p99 at K=8 divided by the idle p99 of the same server in the same run.
    fn p99_over_idle(&self, variant: &str) -> Vec<f64> {
        ratio(
            &self.sweep(variant, 8, "check_p99_ms"),
            &self.sweep(variant, 0, "check_p99_ms"),
        )
    }

    /// Runs in which `variant` met the goal: goodput of at least 0.9 × cores ÷ floor, and p99
    /// at most 2 × idle.
    fn goal_met(&self, variant: &str) -> usize {
        self.goodput_share(variant)
            .iter()
            .zip(self.p99_over_idle(variant))
            .filter(|(g, p)| **g >= 0.9 && *p <= 2.0)
            .count()
    }
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::MIN, f64::max)
}

fn sum(values: &[f64]) -> f64 {
    values.iter().sum()
}

/// Ratios run by run: `a[i] / b[i]`.
fn ratio(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a / b).collect()
}

/// The chapters that state measured results, with all runs of white space made one space.
fn chapter() -> String {
    let mut text = String::new();
    for chapter in [
        "src/blocking-measured.md",
        "src/how-the-benchmark-works.md",
        "src/cpu-pools.md",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(chapter);
        text.push_str(&std::fs::read_to_string(path).unwrap());
        text.push('\n');
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The runs a claim is checked against.
#[derive(Clone, Copy)]
enum Against {
    /// Each quiet run on its own: the claim must hold in every one of them.
    EachQuietRun,
    /// The quiet runs together: for a claim about how they differ, or how many of them did
    /// something.
    QuietRuns,
    /// Every run, quiet or not: for what the benchmark did, and which runs were quiet.
    EveryRun,
}

/// A sentence of the chapter, the condition whose figures it quotes, the runs it rests on, and
/// the relationship in the data it states.
struct Claim {
    says: &'static str,
    condition: &'static str,
    against: Against,
    holds: fn(&Data) -> Result<(), String>,
}

/// Checks each claim against the rows of its own condition only, in the runs it rests on.
fn check(claims: &[Claim], data: &Data, text: &str) -> Vec<String> {
    let mut wrong = Vec::new();
    let quiet = data.quiet_runs();
    if quiet.is_empty() {
        wrong.push("no run in the data is quiet".to_string());
    }
    for claim in claims {
        if !text.contains(claim.says) {
            wrong.push(format!("the chapter no longer says {:?}", claim.says));
        }
        if !CONDITIONS.contains(&claim.condition) {
            wrong.push(format!(
                "{:?}: no condition {:?}",
                claim.says, claim.condition
            ));
            continue;
        }
        let rows = data.only(claim.condition);
        let each: Vec<(String, Vec<String>)> = match claim.against {
            Against::EachQuietRun => quiet
                .iter()
                .map(|run| (format!("quiet run {run}"), vec![run.clone()]))
                .collect(),
            Against::QuietRuns => vec![("the quiet runs".to_string(), quiet.clone())],
            Against::EveryRun => vec![("every run".to_string(), rows.runs())],
        };
        for (which, runs) in each {
            if let Err(why) = (claim.holds)(&rows.of_runs(&runs)) {
                wrong.push(format!(
                    "{:?} ({}, {which}) does not hold: {why}",
                    claim.says, claim.condition
                ));
            }
        }
    }
    wrong
}

/// Fails with `why` and the values when `ok` is false.
fn expect(ok: bool, why: &str, values: &[f64]) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("{why}: {values:.2?}"))
    }
}

fn five_runs(d: &Data) -> Result<(), String> {
    let runs = d.sweep("inline", 0, "run");
    expect(runs.len() == 5, "runs", &runs)
}

fn hundred_single_requests(d: &Data) -> Result<(), String> {
    let rounds = d.control("inline_eager_handoff", "rounds");
    let n = d.control("inline_eager_handoff", "n");
    expect(
        rounds.iter().all(|r| *r == 100.0) && n.iter().all(|n| *n == 6.0),
        "rounds and n of the controls",
        &[rounds, n].concat(),
    )
}

/// Every version of the sweep.
const SWEEP: [&str; 9] = [
    "inline",
    "spawn_blocking",
    "bounded",
    "bounded_all_cores",
    "rayon",
    "rayon_pinned",
    "rayon_idle",
    "rayon_idle_pinned",
    "rayon_idle_reuse",
];

/// `column` at K=8 of `a` above that of `b`, in every run of `d`.
fn above(d: &Data, a: &str, b: &str, column: &str) -> Result<(), String> {
    let (x, y) = (d.sweep(a, 8, column), d.sweep(b, 8, column));
    expect(
        x.iter().zip(&y).all(|(x, y)| x > y),
        &format!("{column} at K=8 of {a}, then {b}"),
        &[x, y].concat(),
    )
}

/// Goodput at K=8 of `a` over that of `b`, run by run.
fn goodput_over(d: &Data, a: &str, b: &str) -> Vec<f64> {
    ratio(
        &d.sweep(a, 8, "goodput_per_s"),
        &d.sweep(b, 8, "goodput_per_s"),
    )
}

/// `/check` p99 at K=8 of `a` minus that of `b`, in ms, run by run.
fn p99_above(d: &Data, a: &str, b: &str) -> Vec<f64> {
    d.sweep(a, 8, "check_p99_ms")
        .iter()
        .zip(d.sweep(b, 8, "check_p99_ms"))
        .map(|(a, b)| a - b)
        .collect()
}

/// `/check` p99 at K=1 over the idle p99 of the same run, run by run.
fn k1_over_idle(d: &Data, variant: &str) -> Vec<f64> {
    ratio(
        &d.sweep(variant, 1, "check_p99_ms"),
        &d.sweep(variant, 0, "check_p99_ms"),
    )
}

/// Under contention, rayon sorts more than bounded, but less than a third more, and its
/// `/check` p99 at K=8 is higher, in every run of `d`.
fn rayon_sorts_a_little_more_with_a_higher_p99(d: &Data) -> Result<(), String> {
    let times = goodput_over(d, "rayon", "bounded");
    expect(
        times.iter().all(|t| (1.0..4.0 / 3.0).contains(t)),
        "goodput at K=8 of rayon over bounded's",
        &times,
    )?;
    above(d, "rayon", "bounded", "check_p99_ms")
}

/// Single inline requests that stalled `/check`, run by run.
fn stalls(d: &Data, runtime: &str) -> Vec<f64> {
    d.control(runtime, "stalled_rounds")
}

/// Which runs were quiet under `condition`: at most `limit` cores of other programs in runs 3
/// to 5, more than `more_than` in runs 1 and 2.
fn runs_3_to_5_quiet(d: &Data, condition: &str, limit: f64, more_than: f64) -> Result<(), String> {
    let others: Vec<f64> = ["1", "2", "3", "4", "5"]
        .iter()
        .map(|run| d.others_during(condition, run))
        .collect();
    expect(
        others[..2].iter().all(|c| *c > more_than) && others[2..].iter().all(|c| *c <= limit),
        &format!("other programs' cores during {condition}, runs 1 to 5"),
        &others,
    )
}

fn claims() -> Vec<Claim> {
    use Against::{EachQuietRun, EveryRun, QuietRuns};
    vec![
        // How the benchmark ran: the prose names these figures.
        Claim {
            says: "All of that is one run, and the benchmark does five.",
            condition: "quiet",
            against: EveryRun,
            holds: five_runs,
        },
        Claim {
            says: "All of that is one run, and the benchmark does five.",
            condition: "contended",
            against: EveryRun,
            holds: five_runs,
        },
        Claim {
            says: "sends `/check` every 10 ms on a fixed schedule",
            condition: "quiet",
            against: EveryRun,
            holds: |d| {
                let per_s = ratio(
                    &d.sweep("bounded", 0, "check_sent"),
                    &d.sweep("bounded", 0, "seconds"),
                );
                expect(
                    per_s.iter().all(|r| (95.0..=105.0).contains(r)),
                    "checks sent per second while idle",
                    &per_s,
                )
            },
        },
        Claim {
            says: "100 single `/work/6` requests a run, 10 ms apart, under both conditions",
            condition: "quiet",
            against: EveryRun,
            holds: hundred_single_requests,
        },
        Claim {
            says: "100 single `/work/6` requests a run, 10 ms apart, under both conditions",
            condition: "contended",
            against: EveryRun,
            holds: hundred_single_requests,
        },
        // Which runs were quiet.
        Claim {
            says: "Runs 3, 4 and 5 were quiet; in runs 1 and 2, other programs used more than a core.",
            condition: "quiet",
            against: EveryRun,
            holds: |d| runs_3_to_5_quiet(d, "quiet", QUIET_AT_MOST, 1.0),
        },
        Claim {
            says: "Runs 3, 4 and 5 were quiet (less than a tenth of a core). In runs 1 and 2, other programs used more than a core during the quiet condition.",
            condition: "quiet",
            against: EveryRun,
            holds: |d| {
                runs_3_to_5_quiet(d, "quiet", 0.1, 1.0)?;
                let quiet = d.quiet_runs();
                expect(
                    quiet == ["3", "4", "5"],
                    "the quiet runs",
                    &quiet
                        .iter()
                        .map(|r| r.parse().unwrap())
                        .collect::<Vec<f64>>(),
                )
            },
        },
        Claim {
            says: "Under contended, all other programs together, the busy process included, used at most 1.25 cores in runs 3 to 5, and more in runs 1 and 2.",
            condition: "contended",
            against: EveryRun,
            holds: |d| runs_3_to_5_quiet(d, "contended", 1.25, 1.25),
        },
        // The verdict.
        Claim {
            says: "its `/check` p99 at K=8 reaches tens of milliseconds",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let p99 = d.sweep("spawn_blocking", 8, "check_p99_ms");
                expect(
                    p99.iter().all(|p| (10.0..100.0).contains(p)),
                    "spawn_blocking p99 at K=8",
                    &p99,
                )
            },
        },
        Claim {
            says: "With one sort per core rather than a core left free, it sorts about twice as many per second, and its `/check` p99 at K=8 is higher by less than 4 ms.",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let times = goodput_over(d, "bounded_all_cores", "bounded");
                expect(
                    times.iter().all(|t| (1.5..=2.5).contains(t)),
                    "goodput at K=8 of bounded_all_cores over bounded's",
                    &times,
                )?;
                let ms = p99_above(d, "bounded_all_cores", "bounded");
                expect(
                    ms.iter().all(|m| (0.0..4.0).contains(m)),
                    "p99 at K=8 of bounded_all_cores above bounded's, ms",
                    &ms,
                )
            },
        },
        Claim {
            says: "most versions lose about that core, and most single inline sorts stall every task in the server",
            condition: "contended",
            against: EachQuietRun,
            holds: |d| {
                let losing = SWEEP
                    .iter()
                    .filter(|v| d.goodput_share(v).iter().all(|s| *s < 2.0 / 3.0))
                    .count();
                let stalled = stalls(d, "inline");
                expect(
                    losing * 2 > SWEEP.len() && stalled.iter().all(|s| *s > 50.0),
                    "versions whose goodput share is under two thirds, single requests that stalled of 100",
                    &[&[losing as f64][..], &stalled].concat(),
                )
            },
        },
        // Inline, quiet.
        Claim {
            says: "at K=2 its p99 is about one whole sort",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let sorts = ratio(&d.sweep("inline", 2, "check_p99_ms"), &d.floor());
                expect(
                    sorts.iter().all(|s| (0.7..=1.6).contains(s)),
                    "inline K=2 p99 in floors",
                    &sorts,
                )
            },
        },
        Claim {
            says: "At K=8 the sorts queue on the two workers, and a `/check` can wait behind several of them.",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let sorts = ratio(&d.sweep("inline", 8, "check_p99_ms"), &d.floor());
                expect(
                    sorts.iter().all(|s| *s >= 2.0),
                    "inline K=8 p99 in floors",
                    &sorts,
                )
            },
        },
        // spawn_blocking, quiet.
        Claim {
            says: "`/check` keeps answering at every K, but its p99 grows with K: already at K=1 it is several times the idle figure, and from K=4 on more than ten times.",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let idle = d.sweep("spawn_blocking", 0, "check_p99_ms");
                let times = |k| ratio(&d.sweep("spawn_blocking", k, "check_p99_ms"), &idle);
                let (low, high) = ([times(1), times(2)].concat(), [times(4), times(8)].concat());
                let unanswered: f64 = [0, 1, 2, 4, 8]
                    .iter()
                    .map(|k| {
                        sum(&d.sweep("spawn_blocking", *k, "check_sent"))
                            - sum(&d.sweep("spawn_blocking", *k, "check_answered"))
                    })
                    .sum();
                expect(
                    unanswered == 0.0
                        && low.iter().all(|t| *t >= 3.0)
                        && high.iter().all(|t| *t > 10.0),
                    "unanswered checks, then p99 over idle at K=1, 2, 4 and 8",
                    &[&[unanswered][..], &low, &high].concat(),
                )
            },
        },
        Claim {
            says: "eight sorts on two cores finish about four times later than one alone",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let floors = ratio(&d.sweep("spawn_blocking", 8, "work_median_ms"), &d.floor());
                expect(
                    floors.iter().all(|f| (3.0..=6.0).contains(f)),
                    "spawn_blocking K=8 /work median in floors",
                    &floors,
                )
            },
        },
        Claim {
            says: "memory grows by about 80 MB per sort",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let per_sort: Vec<f64> = d
                    .sweep("spawn_blocking", 8, "peak_rss_mb")
                    .iter()
                    .zip(d.sweep("spawn_blocking", 1, "peak_rss_mb"))
                    .map(|(k8, k1)| (k8 - k1) / 7.0)
                    .collect();
                expect(
                    per_sort.iter().all(|m| (65.0..=95.0).contains(m)),
                    "MB per extra sort",
                    &per_sort,
                )
            },
        },
        // Bounded, quiet.
        Claim {
            says: "Memory stays flat: on two cores, one sort runs at a time",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let growth = ratio(
                    &d.sweep("bounded", 8, "peak_rss_mb"),
                    &d.sweep("bounded", 1, "peak_rss_mb"),
                );
                expect(max(&growth) <= 1.1, "bounded memory K=8 / K=1", &growth)
            },
        },
        Claim {
            says: "the goodput stays at about one core's worth of sorts",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let cores = d.cores_worth("bounded");
                expect(
                    cores.iter().all(|c| (0.7..=1.3).contains(c)),
                    "bounded goodput in cores",
                    &cores,
                )
            },
        },
        // One sort per core, quiet.
        Claim {
            says: "In each quiet run, each finishes more sorts per second than `bounded`",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let times: Vec<f64> = ["bounded_all_cores", "rayon"]
                    .iter()
                    .flat_map(|v| goodput_over(d, v, "bounded"))
                    .collect();
                expect(
                    times.iter().all(|t| *t >= 1.3),
                    "goodput at K=8 over bounded's: bounded_all_cores, rayon",
                    &times,
                )
            },
        },
        Claim {
            says: "its `/check` p99 at K=8 is at most 4 ms above `bounded`'s",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let ms: Vec<f64> = ["bounded_all_cores", "rayon"]
                    .iter()
                    .flat_map(|v| p99_above(d, v, "bounded"))
                    .collect();
                expect(
                    ms.iter().all(|m| *m <= 4.0),
                    "p99 at K=8 above bounded's, ms: bounded_all_cores, rayon",
                    &ms,
                )
            },
        },
        Claim {
            says: "Pinning each sorting thread to a core of its own (`rayon_pinned`) sorts more per second than `rayon`, in each quiet run.",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| above(d, "rayon_pinned", "rayon", "goodput_per_s"),
        },
        Claim {
            says: "In each quiet run, at K=8 the client sent its checks less late than with `rayon`, and `/check` p99 was lower than `rayon`'s.",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                above(d, "rayon", "rayon_idle", "client_lag_p99_ms")?;
                above(d, "rayon", "rayon_idle", "check_p99_ms")
            },
        },
        // CPU-heavy work in production, quiet.
        Claim {
            says: "(`rayon`, or `bounded` with one job per core) finished about twice as many sorts per second as a core left free, and its `/check` p99 at K=8 was at most 4 ms higher.",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let mut times = Vec::new();
                let mut ms = Vec::new();
                for v in ["rayon", "bounded_all_cores"] {
                    times.extend(goodput_over(d, v, "bounded"));
                    ms.extend(p99_above(d, v, "bounded"));
                }
                expect(
                    times.iter().all(|t| (1.5..=2.5).contains(t)) && ms.iter().all(|m| *m <= 4.0),
                    "goodput at K=8 over bounded's, then p99 above bounded's in ms: rayon, bounded_all_cores",
                    &[times, ms].concat(),
                )
            },
        },
        Claim {
            says: "the pool's threads to cores sorted more per second than `rayon` unpinned.",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| above(d, "rayon_pinned", "rayon", "goodput_per_s"),
        },
        Claim {
            says: "running them under Linux's `SCHED_IDLE` lowered `/check` p99 at K=8.",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| above(d, "rayon", "rayon_idle", "check_p99_ms"),
        },
        Claim {
            says: "`rayon_idle_reuse` sorts faster than the floor",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let floors = ratio(
                    &d.sweep("rayon_idle_reuse", 1, "work_median_ms"),
                    &d.floor(),
                );
                expect(
                    max(&floors) < 1.0,
                    "rayon_idle_reuse K=1 /work median in floors",
                    &floors,
                )
            },
        },
        // The goal, quiet.
        Claim {
            says: "Timed alone, before each server started, one sort per core took longer than one sort by itself, in each quiet run.",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let all = d.sweep("bounded", 0, "floor_all_cores_ms");
                let one = d.floor();
                expect(
                    all.iter().zip(&one).all(|(all, one)| all > one),
                    "floor of one sort per core, then of one sort",
                    &[all, one].concat(),
                )
            },
        },
        Claim {
            says: "No version meets both in every quiet run; `rayon_idle_pinned` meets both in one of them.",
            condition: "quiet",
            against: QuietRuns,
            holds: |d| {
                let runs = d.runs().len();
                let met: Vec<f64> = SWEEP.iter().map(|v| d.goal_met(v) as f64).collect();
                expect(
                    met.iter().all(|m| *m < runs as f64) && d.goal_met("rayon_idle_pinned") == 1,
                    "quiet runs meeting the goal, per version",
                    &met,
                )
            },
        },
        Claim {
            says: "Even at K=1, with one sort running and a core free, `/check` p99 is above the idle one for `bounded` and `rayon`, in each quiet run.",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let values = [k1_over_idle(d, "bounded"), k1_over_idle(d, "rayon")].concat();
                expect(
                    values.iter().all(|t| *t > 1.0),
                    "K=1 p99 over idle: bounded, rayon",
                    &values,
                )
            },
        },
        Claim {
            says: "It rises less for `rayon_idle_reuse`, which keeps its buffers, than for `rayon`.",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let values = [
                    k1_over_idle(d, "rayon_idle_reuse"),
                    k1_over_idle(d, "rayon"),
                ];
                expect(
                    values[0].iter().zip(&values[1]).all(|(a, b)| a < b),
                    "K=1 p99 over idle: rayon_idle_reuse, then rayon",
                    &values.concat(),
                )
            },
        },
        // Contended, runs 3 to 5.
        Claim {
            says: "In each of runs 3 to 5, every version but `spawn_blocking` loses about the busy core: the goodput share of each stays under two thirds.",
            condition: "contended",
            against: EachQuietRun,
            holds: |d| {
                let shares: Vec<f64> = SWEEP
                    .iter()
                    .filter(|v| **v != "spawn_blocking")
                    .flat_map(|v| d.goodput_share(v))
                    .collect();
                let sb = d.goodput_share("spawn_blocking");
                expect(
                    shares.iter().all(|s| *s < 2.0 / 3.0) && sb.iter().all(|s| *s > 2.0 / 3.0),
                    "goodput shares, then spawn_blocking's",
                    &[&shares[..], &sb].concat(),
                )
            },
        },
        Claim {
            says: "The `SCHED_IDLE` pools leave that core to the other program entirely and sort on the other one.",
            condition: "contended",
            against: EachQuietRun,
            holds: |d| {
                let mut values = Vec::new();
                for v in ["rayon_idle", "rayon_idle_pinned", "rayon_idle_reuse"] {
                    values.extend(d.cores_worth(v));
                    values.extend(d.sweep(v, 8, "other_cores"));
                }
                expect(
                    values
                        .chunks(2)
                        .all(|c| (0.6..=1.2).contains(&c[0]) && c[1] >= 0.9),
                    "cores' worth of sorts, then other programs' cores, per SCHED_IDLE pool",
                    &values,
                )
            },
        },
        Claim {
            says: "`bounded` now costs less: in each of these runs, `rayon` sorts less than a third more than it, and `bounded`'s `/check` p99 at K=8 is lower.",
            condition: "contended",
            against: EachQuietRun,
            holds: rayon_sorts_a_little_more_with_a_higher_p99,
        },
        Claim {
            says: "one thread per core sorted less than a third more than one job per core but one, and its `/check` p99 at K=8 was higher, in each of runs 3 to 5.",
            condition: "contended",
            against: EachQuietRun,
            holds: rayon_sorts_a_little_more_with_a_higher_p99,
        },
        // The controls.
        Claim {
            says: "With a core kept busy, turning off the LIFO slot does not remove the stalls, and eager hand-off of the I/O driver removes them all, in each of runs 3 to 5.",
            condition: "contended",
            against: EachQuietRun,
            holds: |d| {
                let counts = [
                    stalls(d, "inline"),
                    stalls(d, "inline_no_lifo"),
                    stalls(d, "inline_eager_handoff"),
                ]
                .concat();
                expect(
                    counts[0] > 50.0 && counts[1] > 50.0 && counts[2] == 0.0,
                    "single requests that stalled of 100: inline, inline_no_lifo, inline_eager_handoff",
                    &counts,
                )
            },
        },
        Claim {
            says: "On the quiet runs, stock tokio stalled on at most one single request in a hundred: too few to tell the three runtimes apart.",
            condition: "quiet",
            against: EachQuietRun,
            holds: |d| {
                let stalled = stalls(d, "inline");
                expect(
                    stalled.iter().all(|s| *s <= 1.0),
                    "single inline requests that stalled of 100",
                    &stalled,
                )
            },
        },
    ]
}

#[test]
fn every_relationship_the_chapter_states_holds_in_the_committed_data() {
    let wrong = check(&claims(), &Data::load(), &chapter());
    assert!(
        wrong.is_empty(),
        "src/blocking-measured.md, src/how-the-benchmark-works.md and src/cpu-pools.md disagree with src/measured/results.csv \
         (rerun the benchmark and change the text, or the text):\n{}",
        wrong.join("\n")
    );
}

/// The committed data with `change` made to the rows of `condition` that `which` picks.
fn changed(
    condition: &str,
    which: impl Fn(&HashMap<String, String>) -> bool,
    change: impl Fn(&mut HashMap<String, String>),
) -> Data {
    let mut data = Data::load();
    for row in &mut data.rows {
        if row["condition"] == condition && which(row) {
            change(row);
        }
    }
    data
}

/// One change that contradicts a claim about the quiet machine, and one that contradicts a
/// claim about the contended one: (condition, the claim's words, the change).
type Contradiction = (
    &'static str,
    &'static str,
    fn(&HashMap<String, String>) -> bool,
    fn(&mut HashMap<String, String>),
);

const CONTRADICTIONS: [Contradiction; 2] = [
    // bounded's memory at K=8 twice its K=1 figure, in one quiet run.
    (
        "quiet",
        "Memory stays flat",
        |r| r["variant"] == "bounded" && r["k"] == "8" && r["run"] == "3",
        |r| {
            let doubled = 2.0 * r["peak_rss_mb"].parse::<f64>().unwrap();
            r.insert("peak_rss_mb".to_string(), doubled.to_string());
        },
    ),
    // Other programs leaving the SCHED_IDLE pool's core alone, in one quiet run.
    (
        "contended",
        "The `SCHED_IDLE` pools leave that core to the other program",
        |r| r["variant"] == "rayon_idle" && r["k"] == "8" && r["run"] == "4",
        |r| {
            r.insert("other_cores".to_string(), "0.1".to_string());
        },
    ),
];

/// The test above can fail: a row changed to contradict a claim, in that claim's condition,
/// is reported, for a claim of each condition.
#[test]
fn a_claim_the_rows_of_its_condition_contradict_fails() {
    for (condition, says, which, change) in CONTRADICTIONS {
        let wrong = check(&claims(), &changed(condition, which, change), &chapter());
        assert_eq!(wrong.len(), 1, "{condition}: {wrong:?}");
        assert!(wrong[0].contains(says), "{condition}: {wrong:?}");
    }
}

/// Each claim rests on its own condition only: the same change made to the rows of the other
/// condition is not reported.
#[test]
fn the_same_change_in_the_other_condition_counts_for_nothing() {
    for (condition, _, which, change) in CONTRADICTIONS {
        let other = CONDITIONS.iter().find(|c| **c != condition).unwrap();
        let wrong = check(&claims(), &changed(other, which, change), &chapter());
        assert!(wrong.is_empty(), "{other}: {wrong:?}");
    }
}

/// A run that is not quiet counts for nothing: the change that contradicts a claim in a quiet
/// run is not reported when it is made to a run in which other programs were busy.
#[test]
fn a_run_that_is_not_quiet_counts_for_nothing() {
    let (condition, _, _, change) = CONTRADICTIONS[0];
    let noisy =
        |r: &HashMap<String, String>| r["variant"] == "bounded" && r["k"] == "8" && r["run"] == "1";
    let wrong = check(&claims(), &changed(condition, noisy, change), &chapter());
    assert!(wrong.is_empty(), "{wrong:?}");
}

/// A run in which other programs used more than a quarter of a core is not quiet: making run 3
/// busy takes it out of the quiet runs, and the sentences that name the quiet runs fail.
#[test]
fn a_busy_run_is_not_quiet() {
    let busy = changed(
        "quiet",
        |r| r["run"] == "3",
        |r| {
            r.insert("other_cores".to_string(), "1.00".to_string());
        },
    );
    assert_eq!(busy.quiet_runs(), ["4", "5"]);
    let wrong = check(&claims(), &busy, &chapter());
    assert!(!wrong.is_empty());
    assert!(wrong.iter().all(|w| w.contains("were quiet")), "{wrong:?}");
}

#[test]
fn a_claim_the_chapter_no_longer_makes_fails() {
    let claims = claims();
    let says = "eight sorts on two cores finish about four times later than one alone";
    let text = chapter().replace(says, "something else");
    let wrong = check(&claims, &Data::load(), &text);
    assert_eq!(wrong, [format!("the chapter no longer says {says:?}")]);
}
