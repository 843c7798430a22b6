//! The chapter "What blocking costs, measured", and the advice in "CPU-bound work" that rests on
//! it, state relationships in the benchmark's data.
//! This test reads the committed data, `src/measured/results.csv`, and checks each of them, so
//! that a rerun whose data contradicts the text fails until the text is changed to match.
//!
//! Each claim quotes the words of the chapter it checks, and the chapter must still contain
//! them: a sentence cannot change without its check changing too.

use std::collections::HashMap;
use std::path::Path;

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
        let rows = lines
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
        Data { rows }
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
        let cores = self.sweep(variant, 8, "cores");
        self.cores_worth(variant)
            .iter()
            .zip(self.p99_over_idle(variant))
            .zip(cores)
            .filter(|((g, p), c)| **g >= 0.9 * *c && *p <= 2.0)
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
    for chapter in ["src/blocking-measured.md", "src/cpu-bound-work.md"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(chapter);
        text.push_str(&std::fs::read_to_string(path).unwrap());
        text.push('\n');
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A sentence of the chapter and the relationship in the data it states.
struct Claim {
    says: &'static str,
    holds: fn(&Data) -> Result<(), String>,
}

fn check(claims: &[Claim], data: &Data, text: &str) -> Vec<String> {
    let mut wrong = Vec::new();
    for claim in claims {
        if !text.contains(claim.says) {
            wrong.push(format!("the chapter no longer says {:?}", claim.says));
        }
        if let Err(why) = (claim.holds)(data) {
            wrong.push(format!("{:?} does not hold: {why}", claim.says));
        }
    }
    wrong
}

/// `/check` p99 at K=8 of `variant` is below that of each of `others`, run by run.
fn below_in_every_run(d: &Data, variant: &str, others: &[&str]) -> Result<(), String> {
    let mine = d.sweep(variant, 8, "check_p99_ms");
    for other in others {
        let theirs = d.sweep(other, 8, "check_p99_ms");
        if !mine.iter().zip(&theirs).all(|(m, t)| m < t) {
            return Err(format!(
                "p99 at K=8 of {variant} {mine:.2?} is not below {other}'s {theirs:.2?} in every run"
            ));
        }
    }
    Ok(())
}

/// Fails with `why` and the values when `ok` is false.
fn expect(ok: bool, why: &str, values: &[f64]) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("{why}: {values:.2?}"))
    }
}

fn claims() -> Vec<Claim> {
    vec![
        // How the benchmark ran: the prose names these figures.
        Claim {
            says: "All of that is one run, and the benchmark does five.",
            holds: |d| {
                let runs = d.sweep("inline", 0, "run");
                expect(runs.len() == 5, "runs", &runs)
            },
        },
        Claim {
            says: "sends `/check` every 10 ms on a fixed schedule",
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
            says: "100 single `/work/6` requests a run",
            holds: |d| {
                let rounds = d.control("inline_eager_handoff", "rounds");
                let n = d.control("inline_eager_handoff", "n");
                expect(
                    rounds.iter().all(|r| *r == 100.0) && n.iter().all(|n| *n == 6.0),
                    "rounds and n of the controls",
                    &[rounds, n].concat(),
                )
            },
        },
        // Inline.
        Claim {
            says: "at K=2 its p99 is about one whole sort",
            holds: |d| {
                let sorts = ratio(&d.sweep("inline", 2, "check_p99_ms"), &d.floor());
                expect(
                    (0.7..=1.6).contains(&median(&sorts)) && min(&sorts) >= 0.7,
                    "inline K=2 p99 in floors",
                    &sorts,
                )
            },
        },
        Claim {
            says: "At K=8 the sorts queue on the two workers, and a `/check` can wait behind several of them.",
            holds: |d| {
                let sorts = ratio(&d.sweep("inline", 8, "check_p99_ms"), &d.floor());
                expect(median(&sorts) >= 2.0, "inline K=8 p99 in floors", &sorts)
            },
        },
        Claim {
            says: "in most runs the p99 stays within a few milliseconds",
            holds: |d| {
                let p99 = d.sweep("inline", 1, "check_p99_ms");
                let few = p99.iter().filter(|p| **p < 10.0).count();
                expect(few * 2 > p99.len(), "inline K=1 p99 under 10 ms", &p99)
            },
        },
        // spawn_blocking.
        Claim {
            says: "`/check` keeps answering at every K, but from K=4 on its p99 is several times the idle figure",
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
            holds: |d| {
                let floors = ratio(&d.sweep("spawn_blocking", 8, "work_median_ms"), &d.floor());
                expect(
                    (3.5..=6.0).contains(&median(&floors)),
                    "spawn_blocking K=8 /work median in floors",
                    &floors,
                )
            },
        },
        Claim {
            says: "memory grows by about 80 MB per sort",
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
        // Bounded.
        Claim {
            says: "Memory stays flat: on two cores, one sort runs at a time",
            holds: |d| {
                let growth = ratio(
                    &d.sweep("bounded", 8, "peak_rss_mb"),
                    &d.sweep("bounded", 1, "peak_rss_mb"),
                );
                expect(max(&growth) <= 1.1, "bounded memory K=8 / K=1", &growth)
            },
        },
        Claim {
            says: "At K=8 its `/check` p99 is below that of `bounded_all_cores` and `rayon` in every run.",
            holds: |d| below_in_every_run(d, "bounded", &["bounded_all_cores", "rayon"]),
        },
        Claim {
            says: "the goodput stays at about one core's worth of sorts",
            holds: |d| {
                let cores = d.cores_worth("bounded");
                expect(
                    cores.iter().all(|c| (0.7..=1.3).contains(c)),
                    "bounded goodput in cores",
                    &cores,
                )
            },
        },
        // One sort per core.
        Claim {
            says: "In this run another program kept about one core busy throughout",
            holds: |d| {
                let others: Vec<f64> = d
                    .rows
                    .iter()
                    .map(|r| r["other_cores"].parse().unwrap())
                    .collect();
                expect(
                    (0.7..=1.3).contains(&median(&others)),
                    "median cores' worth used by other programs during a phase",
                    &[median(&others)],
                )
            },
        },
        Claim {
            says: "`bounded_all_cores` and `rayon` still finish more sorts per second than `bounded` in every run, and pay for it in `/check`.",
            holds: |d| {
                let bounded = d.sweep("bounded", 8, "goodput_per_s");
                let more = ["bounded_all_cores", "rayon"].iter().all(|v| {
                    d.sweep(v, 8, "goodput_per_s")
                        .iter()
                        .zip(&bounded)
                        .all(|(g, b)| g > b)
                });
                expect(more, "goodput at K=8 above bounded's, run by run", &bounded)?;
                below_in_every_run(d, "bounded", &["bounded_all_cores", "rayon"])
            },
        },
        Claim {
            says: "in every run they answer `/check` faster at K=8 than `bounded_all_cores` and `rayon`",
            holds: |d| {
                below_in_every_run(d, "rayon_idle", &["bounded_all_cores", "rayon"])?;
                below_in_every_run(d, "rayon_idle_reuse", &["bounded_all_cores", "rayon"])
            },
        },
        Claim {
            says: "their sorts give the contested core to the other program, for about one core's worth of goodput",
            holds: |d| {
                let mut values = Vec::new();
                for v in ["rayon_idle", "rayon_idle_reuse"] {
                    let mine = median(&d.cores_worth(v));
                    let others = median(&d.sweep(v, 8, "other_cores"));
                    values.extend([mine, others]);
                }
                expect(
                    values
                        .chunks(2)
                        .all(|c| (0.7..=1.3).contains(&c[0]) && c[0] + c[1] >= 1.6),
                    "goodput in cores, then other programs' cores, per SCHED_IDLE pool",
                    &values,
                )
            },
        },
        Claim {
            says: "`rayon_idle_reuse` sorts faster than the floor",
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
        // The controls.
        Claim {
            says: "Turning off the LIFO slot does not remove the stalls; eager hand-off of the I/O driver removes nearly all of them.",
            holds: |d| {
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
            },
        },
        Claim {
            says: "With a core kept busy, most single requests on the stock runtime stall.",
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
        Claim {
            says: "this is rare: in most runs the K=1 column above shows no such wait",
            holds: |d| {
                let sorts = ratio(&d.sweep("inline", 1, "check_p99_ms"), &d.floor());
                let none = sorts.iter().filter(|s| **s < 0.5).count();
                expect(none * 2 > sorts.len(), "inline K=1 p99 in floors", &sorts)
            },
        },
        // The advice in "CPU-bound work".
        Claim {
            says: "one sort per core finishes more sorts per second, and `/check` answers more slowly in every run",
            holds: |d| {
                let bounded = d.sweep("bounded", 8, "goodput_per_s");
                let all = d.sweep("bounded_all_cores", 8, "goodput_per_s");
                expect(
                    all.iter().zip(&bounded).all(|(a, b)| a > b),
                    "goodput at K=8: bounded_all_cores, bounded",
                    &[all.clone(), bounded.clone()].concat(),
                )?;
                below_in_every_run(d, "bounded", &["bounded_all_cores"])
            },
        },
        Claim {
            says: "`/check` then answered as quickly as with a core left free",
            holds: |d| {
                let bounded = d.sweep("bounded", 8, "check_p99_ms");
                let slower: Vec<&str> = ["rayon_idle", "rayon_idle_reuse"]
                    .into_iter()
                    .filter(|v| min(&d.sweep(v, 8, "check_p99_ms")) > max(&bounded))
                    .collect();
                if slower.is_empty() {
                    Ok(())
                } else {
                    Err(format!("slower than bounded in every run: {slower:?}"))
                }
            },
        },
        // The goal.
        Claim {
            says: "No version meets both in most runs of this benchmark",
            holds: |d| {
                let met: Vec<f64> = [
                    "bounded",
                    "bounded_all_cores",
                    "rayon",
                    "rayon_idle",
                    "rayon_idle_reuse",
                ]
                .iter()
                .map(|v| d.goal_met(v) as f64)
                .collect();
                expect(met.iter().all(|m| *m <= 2.0), "runs meeting the goal", &met)
            },
        },
    ]
}

#[test]
fn every_relationship_the_chapter_states_holds_in_the_committed_data() {
    let wrong = check(&claims(), &Data::load(), &chapter());
    assert!(
        wrong.is_empty(),
        "src/blocking-measured.md and src/measured/results.csv disagree (rerun the benchmark \
         and change the text, or the text):\n{}",
        wrong.join("\n")
    );
}

/// The test above can fail: the same claims, on the committed data with one relationship made
/// false, report it.
#[test]
fn a_claim_the_data_contradicts_fails() {
    let text = chapter();
    let mut data = Data::load();
    for row in &mut data.rows {
        if row["variant"] == "inline_eager_handoff" && row["k"] == "1" {
            row.insert("stalled_rounds".to_string(), "90".to_string());
        }
    }
    let wrong = check(&claims(), &data, &text);
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert!(wrong[0].contains("eager hand-off"), "{wrong:?}");
}

#[test]
fn a_claim_the_chapter_no_longer_makes_fails() {
    let text = chapter().replace(
        "eager hand-off of the I/O driver removes",
        "nothing removes",
    );
    let wrong = check(&claims(), &Data::load(), &text);
    assert_eq!(wrong.len(), 1, "{wrong:?}");
}
