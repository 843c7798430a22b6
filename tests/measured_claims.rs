//! The chapter "What blocking costs, measured", and the advice in "CPU-bound work" that rests on
//! it, state relationships in the benchmark's data.
//! This test reads the committed data, `src/measured/results.csv`, and checks each of them, so
//! that a rerun whose data contradicts the text fails until the text is changed to match.
//!
//! Each claim quotes the words of the chapter it checks, and the chapter must still contain
//! them: a sentence cannot change without its check changing too.

use std::collections::HashMap;
use std::path::Path;

/// The conditions a row can be measured under (its `condition` column).
const CONDITIONS: [&str; 2] = ["quiet", "contended"];

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

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::MIN, f64::max)
}

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::MAX, f64::min)
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

/// A sentence of the chapter, the condition whose figures it quotes, and the relationship in
/// the data it states.
struct Claim {
    says: &'static str,
    condition: &'static str,
    holds: fn(&Data) -> Result<(), String>,
}

/// Checks each claim against the rows of its own condition only.
fn check(claims: &[Claim], data: &Data, text: &str) -> Vec<String> {
    let mut wrong = Vec::new();
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
        if let Err(why) = (claim.holds)(&data.only(claim.condition)) {
            wrong.push(format!(
                "{:?} ({}) does not hold: {why}",
                claim.says, claim.condition
            ));
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

/// Single inline requests stall `/check` on the stock runtime and without the LIFO slot, and
/// (nearly) never with eager hand-off of the driver.
fn eager_handoff_removes_stalls(d: &Data) -> Result<(), String> {
    let stalls = |v| sum(&d.control(v, "stalled_rounds"));
    let counts = [
        stalls("inline"),
        stalls("inline_no_lifo"),
        stalls("inline_eager_handoff"),
    ];
    expect(
        counts[0] >= 5.0
            && counts[1] >= counts[0] / 2.0
            && counts[2] * 5.0 <= counts[0].min(counts[1]),
        "stalls: inline, inline_no_lifo, inline_eager_handoff",
        &counts,
    )
}

/// The sweep's pools, every version that bounds its sorts.
const POOLS: [&str; 7] = [
    "bounded",
    "bounded_all_cores",
    "rayon",
    "rayon_pinned",
    "rayon_idle",
    "rayon_idle_pinned",
    "rayon_idle_reuse",
];

/// The lowest-to-highest ranges of `column` at K=8 of `a` and `b` overlap.
fn overlap(d: &Data, a: &str, b: &str, column: &str) -> Result<(), String> {
    let (x, y) = (d.sweep(a, 8, column), d.sweep(b, 8, column));
    expect(
        min(&x) <= max(&y) && min(&y) <= max(&x),
        &format!("{column} at K=8 of {a}, then {b}, do not overlap"),
        &[x, y].concat(),
    )
}

/// Median goodput at K=8 of each of `variants` at least `times` that of `other`.
fn median_goodput_above(
    d: &Data,
    variants: &[&str],
    other: &str,
    times: f64,
) -> Result<(), String> {
    let theirs = median(&d.sweep(other, 8, "goodput_per_s"));
    let mine: Vec<f64> = variants
        .iter()
        .map(|v| median(&d.sweep(v, 8, "goodput_per_s")))
        .collect();
    expect(
        mine.iter().all(|m| *m >= times * theirs),
        &format!("median goodput at K=8 of {variants:?}, then {other}'s"),
        &[&mine[..], &[theirs]].concat(),
    )
}

/// `/check` p99 at K=1 over the idle p99 of the same run, median of the runs.
fn k1_over_idle(d: &Data, variant: &str) -> f64 {
    median(&ratio(
        &d.sweep(variant, 1, "check_p99_ms"),
        &d.sweep(variant, 0, "check_p99_ms"),
    ))
}

/// bounded sorts about as much as rayon, with a lower `/check` p99 at K=8.
fn bounded_pays_off(d: &Data) -> Result<(), String> {
    overlap(d, "bounded", "rayon", "goodput_per_s")?;
    let p99 = |v| median(&d.sweep(v, 8, "check_p99_ms"));
    let values = [p99("bounded"), p99("rayon")];
    expect(
        values[0] < values[1],
        "median p99 at K=8: bounded, rayon",
        &values,
    )
}

fn claims() -> Vec<Claim> {
    vec![
        // How the benchmark ran: the prose names these figures.
        Claim {
            says: "All of that is one run, and the benchmark does five.",
            condition: "quiet",
            holds: five_runs,
        },
        Claim {
            says: "All of that is one run, and the benchmark does five.",
            condition: "contended",
            holds: five_runs,
        },
        Claim {
            says: "sends `/check` every 10 ms on a fixed schedule",
            condition: "quiet",
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
            holds: hundred_single_requests,
        },
        Claim {
            says: "100 single `/work/6` requests a run, 10 ms apart, under both conditions",
            condition: "contended",
            holds: hundred_single_requests,
        },
        Claim {
            says: "in the first two runs, programs the benchmark did not start used up to two cores in the quiet condition; in the last three, the quiet condition was quiet (a tenth of a core or less, median of each run's phases)",
            condition: "quiet",
            holds: |d| {
                let of_run = |run: &str| -> Vec<f64> {
                    d.rows
                        .iter()
                        .filter(|r| r["run"] == run)
                        .map(|r| r["other_cores"].parse().unwrap())
                        .collect()
                };
                let values: Vec<f64> = ["1", "2", "3", "4", "5"]
                    .iter()
                    .map(|run| {
                        let v = of_run(run);
                        if *run <= "2" { max(&v) } else { median(&v) }
                    })
                    .collect();
                expect(
                    values[..2].iter().all(|m| *m >= 1.5) && values[2..].iter().all(|m| *m <= 0.1),
                    "runs 1-2: most other programs' cores in a phase; runs 3-5: median",
                    &values,
                )
            },
        },
        // The verdict.
        Claim {
            says: "its `/check` p99 at K=8 reaches tens of milliseconds",
            condition: "quiet",
            holds: |d| {
                let p99 = median(&d.sweep("spawn_blocking", 8, "check_p99_ms"));
                expect(
                    (10.0..100.0).contains(&p99),
                    "spawn_blocking median p99 at K=8",
                    &[p99],
                )
            },
        },
        Claim {
            says: "With one sort per core rather than a core left free, it sorts about twice as many per second, and its `/check` p99 stays within the range of runs of the version with a core left free.",
            condition: "quiet",
            holds: |d| {
                let b = median(&d.sweep("bounded", 8, "goodput_per_s"));
                let all = median(&d.sweep("bounded_all_cores", 8, "goodput_per_s"));
                expect(
                    (1.5..=2.5).contains(&(all / b)),
                    "median goodput at K=8 of bounded_all_cores over bounded's",
                    &[all / b],
                )?;
                let range = d.sweep("bounded", 8, "check_p99_ms");
                let p99 = median(&d.sweep("bounded_all_cores", 8, "check_p99_ms"));
                expect(
                    p99 >= min(&range) && p99 <= max(&range),
                    "median p99 at K=8 of bounded_all_cores, then bounded's range",
                    &[p99, min(&range), max(&range)],
                )
            },
        },
        Claim {
            says: "most versions lose about that core, and most single inline sorts stall every task in the server",
            condition: "contended",
            holds: |d| {
                let losing = POOLS
                    .iter()
                    .chain(&["inline"])
                    .filter(|v| median(&d.goodput_share(v)) <= 0.65)
                    .count();
                let share = sum(&d.control("inline", "stalled_rounds"))
                    / sum(&d.control("inline", "rounds"));
                expect(
                    losing * 2 > POOLS.len() + 1 && share > 0.5,
                    "versions whose median goodput share is at most 0.65, share of stalled single requests",
                    &[losing as f64, share],
                )
            },
        },
        // Inline, quiet.
        Claim {
            says: "at K=2 its p99 is about one whole sort",
            condition: "quiet",
            holds: |d| {
                let sorts = ratio(&d.sweep("inline", 2, "check_p99_ms"), &d.floor());
                expect(
                    (0.7..=1.6).contains(&median(&sorts)) && min(&sorts) >= 0.5,
                    "inline K=2 p99 in floors",
                    &sorts,
                )
            },
        },
        Claim {
            says: "At K=8 the sorts queue on the two workers, and a `/check` can wait behind several of them.",
            condition: "quiet",
            holds: |d| {
                let sorts = ratio(&d.sweep("inline", 8, "check_p99_ms"), &d.floor());
                expect(median(&sorts) >= 2.0, "inline K=8 p99 in floors", &sorts)
            },
        },
        // spawn_blocking, quiet.
        Claim {
            says: "`/check` keeps answering at every K, but from K=4 on its p99 is several times the idle figure",
            condition: "quiet",
            holds: |d| {
                let at = |k| median(&d.sweep("spawn_blocking", k, "check_p99_ms"));
                let times = [at(4) / at(0), at(8) / at(0)];
                let unanswered: f64 = [0, 1, 2, 4, 8]
                    .iter()
                    .map(|k| {
                        sum(&d.sweep("spawn_blocking", *k, "check_sent"))
                            - sum(&d.sweep("spawn_blocking", *k, "check_answered"))
                    })
                    .sum();
                expect(
                    unanswered == 0.0 && times.iter().all(|t| *t >= 3.0),
                    "unanswered checks, then median p99 at K=4 and K=8 over idle",
                    &[&[unanswered][..], &times].concat(),
                )
            },
        },
        Claim {
            says: "eight sorts on two cores finish about four times later than one alone",
            condition: "quiet",
            holds: |d| {
                let floors = ratio(&d.sweep("spawn_blocking", 8, "work_median_ms"), &d.floor());
                expect(
                    (3.0..=6.0).contains(&median(&floors)),
                    "spawn_blocking K=8 /work median in floors",
                    &floors,
                )
            },
        },
        Claim {
            says: "memory grows by about 80 MB per sort",
            condition: "quiet",
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
            says: "Taking the median of five runs, each finishes more sorts per second than `bounded`",
            condition: "quiet",
            holds: |d| median_goodput_above(d, &["bounded_all_cores", "rayon"], "bounded", 1.3),
        },
        Claim {
            says: "the ranges of their `/check` p99 at K=8 overlap with `bounded`'s",
            condition: "quiet",
            holds: |d| {
                overlap(d, "bounded", "bounded_all_cores", "check_p99_ms")?;
                overlap(d, "bounded", "rayon", "check_p99_ms")
            },
        },
        Claim {
            says: "Pinning each sorting thread to a core of its own (`rayon_pinned`) changes nothing the runs can tell apart either.",
            condition: "quiet",
            holds: |d| {
                overlap(d, "rayon", "rayon_pinned", "check_p99_ms")?;
                overlap(d, "rayon", "rayon_pinned", "goodput_per_s")
            },
        },
        Claim {
            says: "at K=8 the client sent its checks late by less than with `rayon` (median of the runs)",
            condition: "quiet",
            holds: |d| {
                let lag = |v| median(&d.sweep(v, 8, "client_lag_p99_ms"));
                let values = [lag("rayon_idle"), lag("rayon")];
                expect(
                    values[0] < values[1],
                    "client lag p99 at K=8: rayon_idle, rayon",
                    &values,
                )
            },
        },
        Claim {
            says: "Yet `/check` p99 at K=8 stays in the range of `rayon`'s.",
            condition: "quiet",
            holds: |d| overlap(d, "rayon", "rayon_idle", "check_p99_ms"),
        },
        Claim {
            says: "(`rayon`, or `bounded` with one job per core) finished about twice as many sorts per second as a core left free (median of five runs)",
            condition: "quiet",
            holds: |d| {
                let b = median(&d.sweep("bounded", 8, "goodput_per_s"));
                let times: Vec<f64> = ["rayon", "bounded_all_cores"]
                    .iter()
                    .map(|v| median(&d.sweep(v, 8, "goodput_per_s")) / b)
                    .collect();
                expect(
                    times.iter().all(|t| (1.5..=2.5).contains(t)),
                    "median goodput at K=8 over bounded's: rayon, bounded_all_cores",
                    &times,
                )
            },
        },
        Claim {
            says: "and `/check` p99 at K=8 stayed within the range of runs of the version with a core left free",
            condition: "quiet",
            holds: |d| {
                let b = d.sweep("bounded", 8, "check_p99_ms");
                let medians: Vec<f64> = ["rayon", "bounded_all_cores"]
                    .iter()
                    .map(|v| median(&d.sweep(v, 8, "check_p99_ms")))
                    .collect();
                expect(
                    medians.iter().all(|m| *m >= min(&b) && *m <= max(&b)),
                    "median p99 at K=8 of rayon and bounded_all_cores, in bounded's range",
                    &[&medians[..], &[min(&b), max(&b)]].concat(),
                )
            },
        },
        Claim {
            says: "(`SCHED_IDLE`), changed neither figure beyond the spread of the runs",
            condition: "quiet",
            holds: |d| {
                for v in ["rayon_pinned", "rayon_idle"] {
                    overlap(d, "rayon", v, "check_p99_ms")?;
                    overlap(d, "rayon", v, "goodput_per_s")?;
                }
                Ok(())
            },
        },
        Claim {
            says: "`rayon_idle_reuse` sorts faster than the floor",
            condition: "quiet",
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
            says: "Timed alone, before each server started, one sort per core took longer than one sort by itself (median of the runs).",
            condition: "quiet",
            holds: |d| {
                let all = median(&d.sweep("bounded", 0, "floor_all_cores_ms"));
                let one = median(&d.floor());
                expect(
                    all > one,
                    "floor of one sort per core, of one sort",
                    &[all, one],
                )
            },
        },
        Claim {
            says: "No version meets both in three runs of five.",
            condition: "quiet",
            holds: |d| {
                let met: Vec<f64> = POOLS.iter().map(|v| d.goal_met(v) as f64).collect();
                expect(met.iter().all(|m| *m < 3.0), "runs meeting the goal", &met)
            },
        },
        Claim {
            says: "Even at K=1, with one sort running and a core free, the median `/check` p99 is above the idle one for `bounded`, `rayon` and `rayon_idle`.",
            condition: "quiet",
            holds: |d| {
                let values: Vec<f64> = ["bounded", "rayon", "rayon_idle"]
                    .iter()
                    .map(|v| k1_over_idle(d, v))
                    .collect();
                expect(
                    values.iter().all(|t| *t > 1.0),
                    "median K=1 p99 over idle: bounded, rayon, rayon_idle",
                    &values,
                )
            },
        },
        Claim {
            says: "It rises less for `rayon_idle_reuse`, which keeps its buffers, than for `rayon_idle`.",
            condition: "quiet",
            holds: |d| {
                let values = [
                    k1_over_idle(d, "rayon_idle_reuse"),
                    k1_over_idle(d, "rayon_idle"),
                ];
                expect(
                    values[0] < values[1],
                    "median K=1 p99 over idle: rayon_idle_reuse, rayon_idle",
                    &values,
                )
            },
        },
        Claim {
            says: "Every version but `spawn_blocking` loses about the busy core: the median goodput share of each stays at 0.65 or less.",
            condition: "contended",
            holds: |d| {
                let shares: Vec<f64> = [
                    "inline",
                    "bounded",
                    "bounded_all_cores",
                    "rayon",
                    "rayon_pinned",
                    "rayon_idle",
                    "rayon_idle_pinned",
                    "rayon_idle_reuse",
                ]
                .iter()
                .map(|v| median(&d.goodput_share(v)))
                .collect();
                let sb = median(&d.goodput_share("spawn_blocking"));
                expect(
                    shares.iter().all(|s| *s <= 0.65) && sb > 0.65,
                    "median goodput shares, then spawn_blocking's",
                    &[&shares[..], &[sb]].concat(),
                )
            },
        },
        Claim {
            says: "The `SCHED_IDLE` pools leave that core to the other program entirely and sort on the other one.",
            condition: "contended",
            holds: |d| {
                let mut values = Vec::new();
                for v in ["rayon_idle", "rayon_idle_pinned", "rayon_idle_reuse"] {
                    values.extend([
                        median(&d.cores_worth(v)),
                        median(&d.sweep(v, 8, "other_cores")),
                    ]);
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
            says: "it sorts about as much as `rayon` (the ranges overlap), and its `/check` p99 at K=8 is lower (median of the runs)",
            condition: "contended",
            holds: bounded_pays_off,
        },
        Claim {
            says: "one thread per core sorted no more than one job per core but one (the ranges overlap), and `/check` p99 at K=8 was higher (median of the runs)",
            condition: "contended",
            holds: bounded_pays_off,
        },
        // The controls.
        Claim {
            says: "Turning off the LIFO slot does not remove the stalls; eager hand-off of the I/O driver removes nearly all of them, under both conditions.",
            condition: "quiet",
            holds: eager_handoff_removes_stalls,
        },
        Claim {
            says: "Turning off the LIFO slot does not remove the stalls; eager hand-off of the I/O driver removes nearly all of them, under both conditions.",
            condition: "contended",
            holds: eager_handoff_removes_stalls,
        },
        Claim {
            says: "On the quiet machine, a few single requests in a hundred stall",
            condition: "quiet",
            holds: |d| {
                let share = sum(&d.control("inline", "stalled_rounds"))
                    / sum(&d.control("inline", "rounds"));
                expect(
                    (0.01..0.2).contains(&share),
                    "share of single inline requests that stalled",
                    &[share],
                )
            },
        },
        Claim {
            says: "with a core kept busy, most do",
            condition: "contended",
            holds: |d| {
                let share = sum(&d.control("inline", "stalled_rounds"))
                    / sum(&d.control("inline", "rounds"));
                expect(
                    share > 0.5,
                    "share of single inline requests that stalled",
                    &[share],
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
    // bounded's memory at K=8 twice its K=1 figure, in one run.
    (
        "quiet",
        "Memory stays flat",
        |r| r["variant"] == "bounded" && r["k"] == "8" && r["run"] == "1",
        |r| {
            let doubled = 2.0 * r["peak_rss_mb"].parse::<f64>().unwrap();
            r.insert("peak_rss_mb".to_string(), doubled.to_string());
        },
    ),
    // Other programs leaving the SCHED_IDLE pool's core alone.
    (
        "contended",
        "The `SCHED_IDLE` pools leave that core to the other program",
        |r| r["variant"] == "rayon_idle" && r["k"] == "8",
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

#[test]
fn a_claim_the_chapter_no_longer_makes_fails() {
    let claims = claims();
    let says = "eight sorts on two cores finish about four times later than one alone";
    let text = chapter().replace(says, "something else");
    let wrong = check(&claims, &Data::load(), &text);
    assert_eq!(wrong, [format!("the chapter no longer says {says:?}")]);
}
