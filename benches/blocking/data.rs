//! One row of `results.csv`: one variant, one K, one run. K = 0 is the idle phase.

use std::fmt::Write as _;
use std::time::Duration;

use crate::load::{Outcome, Phase};
use crate::stats::quantile;

#[derive(Clone)]
pub struct Row {
    pub variant: String,
    /// `quiet`: nothing but the server and this client started by the benchmark; `contended`:
    /// also one CPU-bound process at the ordinary priority, for the whole phase.
    pub condition: &'static str,
    /// `/work/{n}` sorts 10^n numbers.
    pub n: u32,
    pub k: usize,
    pub run: usize,
    /// A phase disturbed by other programs is measured again: this row's attempt, from 1.
    pub attempt: usize,
    /// Whether this attempt is the one the tables count: the last of its phase.
    pub counts: bool,
    /// The machine's cores, and its 1-minute load average when this server started.
    pub cores: usize,
    pub load1: f64,
    pub seconds: f64,
    pub check_sent: usize,
    pub check_answered: usize,
    pub check_p50_ms: f64,
    pub check_p99_ms: f64,
    pub check_max_ms: f64,
    pub client_lag_p99_ms: f64,
    pub rounds: usize,
    /// Bursts during which a `/check` waited longer than half the floor and until the burst
    /// was over: a stall.
    pub stalled_rounds: usize,
    pub work_ok: usize,
    pub work_503: usize,
    pub work_failed: usize,
    pub goodput_per_s: f64,
    pub work_median_ms: f64,
    /// The bare sort of 10^n numbers, median of this run's samples.
    pub floor_ms: f64,
    /// One bare sort per core, all at once, on threads of this process: how long until the last
    /// ends, median of this run's samples. Above `floor_ms` when the cores slow each other down
    /// (shared caches, memory bandwidth, hyperthreads).
    pub floor_all_cores_ms: f64,
    pub peak_rss_mb: f64,
    pub minor_faults: u64,
    /// Cores' worth of CPU time that other programs (and other virtual machines) used
    /// during the phase: how far the machine was from quiet.
    pub other_cores: f64,
    /// The part of `other_cores` that the hypervisor gave to other machines (steal time).
    pub steal_cores: f64,
    /// Under contended, the CPU the busy process got, in cores.
    pub busy_cores: f64,
    /// Time the server's async side (every thread but a rayon pool's) and the client spent
    /// runnable but waiting for a core during the phase, in ms, all threads together.
    pub server_runq_ms: f64,
    pub client_runq_ms: f64,
}

const COLUMNS: &str = "variant,condition,n,k,run,attempt,counts,cores,load1,seconds,check_sent,check_answered,check_p50_ms,\
check_p99_ms,check_max_ms,client_lag_p99_ms,rounds,stalled_rounds,work_ok,work_503,work_failed,\
goodput_per_s,work_median_ms,floor_ms,peak_rss_mb,minor_faults,other_cores,server_runq_ms,client_runq_ms,\
floor_all_cores_ms,steal_cores,busy_cores";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

impl Row {
    /// Everything but the floor, which is known once the run is over.
    pub fn new(
        variant: &str,
        condition: &'static str,
        n: u32,
        k: usize,
        run: usize,
        load1: f64,
        p: &Phase,
    ) -> Row {
        let latencies: Vec<f64> = p
            .checks
            .iter()
            .map(|c| c.latency.map_or(f64::INFINITY, ms))
            .collect();
        let lag: Vec<f64> = p.client_lag.iter().copied().map(ms).collect();
        let ok: Vec<f64> = p
            .work
            .iter()
            .filter(|w| w.outcome == Outcome::Ok)
            .map(|w| ms(w.took))
            .collect();
        let count = |o: Outcome| p.work.iter().filter(|w| w.outcome == o).count();
        Row {
            variant: variant.to_string(),
            condition,
            n,
            k,
            run,
            attempt: 1,
            counts: true,
            cores: std::thread::available_parallelism().map_or(1, |c| c.get()),
            load1,
            seconds: p.elapsed.as_secs_f64(),
            check_sent: p.checks.len(),
            check_answered: p.checks.iter().filter(|c| c.latency.is_some()).count(),
            check_p50_ms: quantile(&latencies, 0.5),
            check_p99_ms: quantile(&latencies, 0.99),
            check_max_ms: quantile(&latencies, 1.0),
            client_lag_p99_ms: quantile(&lag, 0.99),
            rounds: p.bursts.len(),
            stalled_rounds: 0,
            work_ok: ok.len(),
            work_503: count(Outcome::Busy),
            work_failed: count(Outcome::Failed),
            goodput_per_s: if k == 0 {
                0.0
            } else {
                ok.len() as f64 / p.elapsed.as_secs_f64()
            },
            work_median_ms: crate::stats::spread(ok).map_or(f64::NAN, |s| s.median),
            floor_ms: f64::NAN,
            floor_all_cores_ms: f64::NAN,
            peak_rss_mb: 0.0,
            minor_faults: 0,
            other_cores: 0.0,
            steal_cores: 0.0,
            busy_cores: 0.0,
            server_runq_ms: 0.0,
            client_runq_ms: ms(p.client_runq),
        }
    }

    /// Counts the bursts that stalled `/check`: a check due during the burst waited longer
    /// than `limit` and was answered only once the burst was over, or never. A check that is
    /// merely slow (the client late, say) is answered while the sorts still run.
    pub fn count_stalls(&mut self, p: &Phase, limit: Duration) {
        let slack = Duration::from_millis(1);
        self.stalled_rounds = p
            .bursts
            .iter()
            .filter(|(start, end)| {
                p.checks.iter().any(|c| {
                    c.due >= *start
                        && c.due <= *end
                        && c.latency
                            .is_none_or(|l| l > limit && c.due + l + slack >= *end)
                })
            })
            .count();
    }
}

/// A number as the CSV writes it: empty when there is none.
fn num(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        String::new()
    } else if x.is_infinite() {
        "inf".to_string()
    } else {
        format!("{x:.decimals$}")
    }
}

pub fn csv(rows: &[Row]) -> String {
    let mut s = format!("{COLUMNS}\n");
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.variant,
            r.condition,
            r.n,
            r.k,
            r.run,
            r.attempt,
            u8::from(r.counts),
            r.cores,
            num(r.load1, 2),
            num(r.seconds, 3),
            r.check_sent,
            r.check_answered,
            num(r.check_p50_ms, 3),
            num(r.check_p99_ms, 3),
            num(r.check_max_ms, 3),
            num(r.client_lag_p99_ms, 3),
            r.rounds,
            r.stalled_rounds,
            r.work_ok,
            r.work_503,
            r.work_failed,
            num(r.goodput_per_s, 3),
            num(r.work_median_ms, 1),
            num(r.floor_ms, 1),
            num(r.peak_rss_mb, 1),
            r.minor_faults,
            num(r.other_cores, 2),
            num(r.server_runq_ms, 1),
            num(r.client_runq_ms, 1),
            num(r.floor_all_cores_ms, 1),
            num(r.steal_cores, 2),
            num(r.busy_cores, 2),
        );
    }
    s
}

/// The rows of a `results.csv` that `csv` wrote, for rewriting the tables and the chart
/// without measuring again (`-- --report`).
pub fn parse(text: &str) -> Vec<Row> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    assert_eq!(
        header.join(","),
        COLUMNS,
        "results.csv has other columns than this benchmark"
    );
    lines
        .filter(|l| !l.is_empty())
        .map(|line| {
            let fields: std::collections::HashMap<&str, &str> =
                header.iter().copied().zip(line.split(',')).collect();
            let f = |c: &str| match fields[c] {
                "" => f64::NAN,
                "inf" => f64::INFINITY,
                v => v.parse().unwrap(),
            };
            let u = |c: &str| fields[c].parse::<usize>().unwrap();
            Row {
                variant: fields["variant"].to_string(),
                condition: crate::CONDITIONS
                    .into_iter()
                    .find(|c| *c == fields["condition"])
                    .expect("a known condition"),
                n: u("n") as u32,
                k: u("k"),
                run: u("run"),
                attempt: u("attempt"),
                counts: fields["counts"] == "1",
                cores: u("cores"),
                load1: f("load1"),
                seconds: f("seconds"),
                check_sent: u("check_sent"),
                check_answered: u("check_answered"),
                check_p50_ms: f("check_p50_ms"),
                check_p99_ms: f("check_p99_ms"),
                check_max_ms: f("check_max_ms"),
                client_lag_p99_ms: f("client_lag_p99_ms"),
                rounds: u("rounds"),
                stalled_rounds: u("stalled_rounds"),
                work_ok: u("work_ok"),
                work_503: u("work_503"),
                work_failed: u("work_failed"),
                goodput_per_s: f("goodput_per_s"),
                work_median_ms: f("work_median_ms"),
                floor_ms: f("floor_ms"),
                floor_all_cores_ms: f("floor_all_cores_ms"),
                peak_rss_mb: f("peak_rss_mb"),
                minor_faults: u("minor_faults") as u64,
                other_cores: f("other_cores"),
                steal_cores: f("steal_cores"),
                busy_cores: f("busy_cores"),
                server_runq_ms: f("server_runq_ms"),
                client_runq_ms: f("client_runq_ms"),
            }
        })
        .collect()
}
