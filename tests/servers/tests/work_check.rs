//! Drives the work/check servers over real sockets on 127.0.0.1, with their own `app()`.
//!
//! Most servers here run on a current-thread runtime of their own thread, with one blocking
//! thread: the harshest setup, where one blocked worker stalls everything. The comparison of the
//! inline sort with `spawn_blocking` runs on the runtime `#[tokio::main]` builds, a multi-thread
//! one, with two workers. A middleware records, in the server, the order in which requests come
//! in and go out. Orderings are forced, never raced: a sort cannot finish early while a "gate"
//! task holds the only blocking thread, and a handler that sorts inline keeps its worker from
//! the moment its request is logged `in` until it is logged `out`.
//! No assertion is about how long anything takes.

#[path = "support/http.rs"]
mod http;

#[allow(dead_code)]
#[path = "../../../snippets/examples/work_check.rs"]
mod work_check;

#[allow(dead_code)]
#[path = "../../../snippets/examples/work_check_inline.rs"]
mod work_check_inline;

#[allow(dead_code)]
#[path = "../../../snippets/examples/work_check_bounded.rs"]
mod work_check_bounded;

#[allow(dead_code)]
#[path = "../../../snippets/examples/work_check_rayon.rs"]
mod work_check_rayon;

use axum::{
    Router,
    extract::{Request, State},
    middleware::{self, Next},
    response::Response,
};
use std::{
    net::SocketAddr,
    sync::{Arc, mpsc},
    thread,
    time::Duration,
};
use tokio::{
    sync::{oneshot, watch},
    task::JoinHandle,
};

/// A safety net against a hung test, not a measurement.
const PATIENCE: Duration = Duration::from_secs(120);

type Log = watch::Sender<Vec<String>>;

/// Logs `PATH in` when a request reaches the app, then `PATH out` when its response is
/// ready, or `PATH dropped` if the server drops the handler first (the client hung up).
async fn record(State(log): State<Log>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    log.send_modify(|events| events.push(format!("{path} in")));
    let mut last_word = LastWord(log, format!("{path} dropped"));
    let response = next.run(request).await;
    last_word.1 = format!("{path} out");
    response
}

struct LastWord(Log, String);

impl Drop for LastWord {
    fn drop(&mut self) {
        let event = std::mem::take(&mut self.1);
        self.0.send_modify(|events| events.push(event));
    }
}

struct Server {
    addr: SocketAddr,
    log: watch::Receiver<Vec<String>>,
    runtime: tokio::runtime::Handle,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

/// Serves `app` on a current-thread runtime with one blocking thread.
fn serve(app: Router) -> Server {
    let mut runtime = tokio::runtime::Builder::new_current_thread();
    serve_on(&mut runtime, app)
}

/// Serves `app` as `#[tokio::main]` does, on a multi-thread runtime, with `workers` worker
/// threads (`#[tokio::main]` starts one per core) and one blocking thread. As in a `main`, the
/// server's accept loop runs on a thread of its own, in `block_on`, and each connection is a
/// task on the workers.
fn serve_multi_thread(workers: usize, app: Router) -> Server {
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    serve_on(runtime.worker_threads(workers), app)
}

fn serve_on(runtime: &mut tokio::runtime::Builder, app: Router) -> Server {
    let runtime = runtime
        .enable_all()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let (log_tx, log) = watch::channel(Vec::new());
    let app = app.layer(middleware::from_fn_with_state(log_tx, record));
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = runtime.handle().clone();
    let thread = thread::spawn(move || {
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    stopped.await.ok();
                })
                .await
                .unwrap();
        });
    });
    Server {
        addr,
        log,
        runtime: handle,
        stop: Some(stop),
        thread: Some(thread),
    }
}

impl Server {
    async fn get(&self, path: &str) -> http::Response {
        tokio::time::timeout(PATIENCE, http::get(self.addr, path))
            .await
            .expect("no response in time")
            .unwrap()
    }

    /// Occupies the server's only blocking thread until the returned sender is dropped.
    fn close_gate(&self) -> mpsc::Sender<()> {
        let (open, gate) = mpsc::channel::<()>();
        self.runtime.spawn_blocking(move || gate.recv().ok());
        open
    }

    /// Waits until every blocking task queued so far has run: the pool has one thread and
    /// runs its queue in order, so a task queued now runs after them.
    async fn drain_blocking_pool(&self) {
        self.runtime.spawn_blocking(|| ()).await.unwrap();
    }

    /// Sends `count` requests for `path` at once, each from a task of its own.
    fn send_gets(&self, path: &'static str, count: usize) -> Vec<JoinHandle<http::Response>> {
        let addr = self.addr;
        (0..count)
            .map(|_| tokio::spawn(async move { http::get(addr, path).await.unwrap() }))
            .collect()
    }

    /// Waits until the server has logged `event` (for a request `in`, its handler has been
    /// called, and runs on the worker that logged it until its first pending `.await`).
    async fn wait_for(&self, event: &str) {
        self.wait_for_times(event, 1).await;
    }

    /// Waits until the server has logged `event` `times` times.
    async fn wait_for_times(&self, event: &str, times: usize) {
        let mut log = self.log.clone();
        let logged = |events: &Vec<String>| events.iter().filter(|e| *e == event).count() >= times;
        tokio::time::timeout(PATIENCE, log.wait_for(logged))
            .await
            .expect("event never logged")
            .unwrap();
    }

    fn events(&self) -> Vec<String> {
        self.log.borrow().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        // After a failed assertion a gated sort may still hold the server: don't wait for it.
        if let (Some(server), false) = (self.thread.take(), thread::panicking()) {
            server.join().unwrap();
        }
    }
}

/// A `/work` answer: 200 and the line that says how many numbers were sorted.
fn assert_sorted(response: &http::Response, count: usize) {
    assert_eq!(response.status, 200, "{}", response.body);
    let line = format!("sorted {count} random numbers in ");
    assert!(response.body.starts_with(&line), "{}", response.body);
}

/// As many `/work` requests as the runtime has worker threads.
const WORKERS: usize = 2;

/// How many times the inline test may start over when the sorts did not both run at once.
const ATTEMPTS: usize = 5;

#[tokio::test]
async fn check_answers_while_a_sort_per_worker_waits_on_the_blocking_pool() {
    let server = serve_multi_thread(WORKERS, work_check::app());
    // The sorts queue behind the gate, which holds the only blocking thread.
    let gate = server.close_gate();
    let work = server.send_gets("/work/3", WORKERS);
    server.wait_for_times("/work/3 in", WORKERS).await;

    let check = server.get("/check").await;
    assert_eq!((check.status, check.body.as_str()), (200, "OK\n"));
    assert!(
        work.iter().all(|work| !work.is_finished()),
        "/work answered before /check"
    );

    drop(gate);
    for work in work {
        assert_sorted(&work.await.unwrap(), 1000);
    }
    let expected = [
        "/work/3 in",
        "/work/3 in",
        "/check in",
        "/check out",
        "/work/3 out",
        "/work/3 out",
    ];
    assert_eq!(server.events(), expected);
}

#[tokio::test]
async fn inline_sort_on_every_worker_holds_up_check_until_a_sort_ends() {
    // 10^6 numbers: long enough in a test build that both sorts run at once. If one ended
    // before the other began (logged `in`, `out`, `in`), the run shows nothing: start over.
    for _ in 0..ATTEMPTS {
        let server = serve_multi_thread(WORKERS, work_check_inline::app());
        let work = server.send_gets("/work/6", WORKERS);
        server.wait_for_times("/work/6 in", WORKERS).await;
        // Each sort holds the worker that logged its `in` until it logs `out`.
        if server.events()[..WORKERS] != ["/work/6 in"; WORKERS] {
            continue;
        }

        // Both workers sort: no worker is left to read /check until a sort ends.
        let check = server.get("/check").await;
        assert_eq!((check.status, check.body.as_str()), (200, "OK\n"));
        for work in work {
            assert_sorted(&work.await.unwrap(), 1_000_000);
        }
        let check_waited = [
            "/work/6 in",
            "/work/6 in",
            "/work/6 out",
            "/check in",
            "/check out",
            "/work/6 out",
        ];
        let check_waited_for_both = [
            "/work/6 in",
            "/work/6 in",
            "/work/6 out",
            "/work/6 out",
            "/check in",
            "/check out",
        ];
        let events = server.events();
        assert!(
            events == check_waited || events == check_waited_for_both,
            "{events:?}"
        );
        return;
    }
    panic!("in {ATTEMPTS} tries, the two sorts never ran at once");
}

#[tokio::test]
async fn bad_input_gets_400_with_a_one_line_reason_and_the_server_stays_up() {
    let apps = [
        work_check::app(),
        work_check_inline::app(),
        work_check_bounded::app(),
        work_check_rayon::app(),
    ];
    let too_big = format!("{}", work_check::MAX_EXPONENT + 1);
    for app in apps {
        let server = serve(app);
        for bad in ["abc", "-1", "1.5", "99999999999", too_big.as_str(), "%0A7"] {
            let response = server.get(&format!("/work/{bad}")).await;
            assert_eq!(response.status, 400, "/work/{bad}");
            assert!(
                response
                    .body
                    .starts_with("n must be a whole number from 0 to 8, got "),
                "/work/{bad}: {}",
                response.body
            );
            assert_eq!(
                response.body.lines().count(),
                1,
                "/work/{bad}: {}",
                response.body
            );
        }
        assert_eq!(server.get("/check").await.body, "OK\n");
    }
}

#[tokio::test]
async fn bounded_server_turns_away_jobs_beyond_its_limit_with_503_and_retry_after() {
    let server = serve(work_check_bounded::app_with_jobs(2));
    let gate = server.close_gate();
    let accepted = server.send_gets("/work/3", 2);
    server.wait_for_times("/work/3 in", 2).await;

    for job in server.send_gets("/work/3", 3) {
        let response = job.await.unwrap();
        assert_eq!(response.status, 503);
        assert_eq!(response.header("retry-after"), Some("1"));
        assert_eq!(
            response.body,
            "busy: every sorting slot is taken, retry in a second\n"
        );
    }
    assert_eq!(server.get("/check").await.body, "OK\n");
    assert!(accepted.iter().all(|job| !job.is_finished()));

    drop(gate);
    for job in accepted {
        assert_sorted(&job.await.unwrap(), 1000);
    }
    assert_eq!(
        server.get("/work/3").await.status,
        200,
        "slots freed after the sorts"
    );
}

#[tokio::test]
async fn bounded_job_keeps_its_slot_after_its_client_hangs_up() {
    let server = serve(work_check_bounded::app_with_jobs(1));
    let gate = server.close_gate();
    let hung_up = http::send_get(server.addr, "/work/3").await.unwrap();
    server.wait_for("/work/3 in").await;
    drop(hung_up);
    server.wait_for("/work/3 dropped").await;

    assert_eq!(
        server.get("/work/3").await.status,
        503,
        "the sort still holds the slot"
    );

    drop(gate);
    server.drain_blocking_pool().await;
    assert_eq!(
        server.get("/work/3").await.status,
        200,
        "the slot is free once the sort ends"
    );
}

#[tokio::test]
async fn bounded_server_runs_one_sort_per_core_but_one_by_default() {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = (cores - 1).max(1);
    let server = serve(work_check_bounded::app());
    let gate = server.close_gate();
    let accepted = server.send_gets("/work/2", jobs);
    server.wait_for_times("/work/2 in", jobs).await;

    assert_eq!(server.get("/work/2").await.status, 503, "{cores} cores");

    drop(gate);
    for job in accepted {
        assert_eq!(job.await.unwrap().status, 200);
    }
}

#[tokio::test]
async fn failed_sort_answers_500_with_a_fixed_line_that_keeps_the_cause_to_itself() {
    let secret = "expected by this test: a detail no client should see";
    for failed in [work_check::sort_failed, |e| {
        let (status, line) = work_check_bounded::sort_failed(e);
        (status, line.to_string())
    }] {
        let error = tokio::spawn(async move { panic!("{secret}") })
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains(secret),
            "the cause is in the error"
        );
        let (status, line) = failed(error);
        assert_eq!(status, 500);
        assert_eq!(line, "internal error: the sort failed\n");
    }
}

/// A 503 with `Retry-After: 1` and the line that says which bound was reached.
fn assert_busy(response: &http::Response, why: &str) {
    assert_eq!(response.status, 503, "{}", response.body);
    assert_eq!(response.header("retry-after"), Some("1"));
    assert_eq!(response.body, format!("busy: {why}, retry in a second\n"));
}

#[tokio::test]
async fn bounded_server_turns_away_a_sort_beyond_its_memory_budget() {
    // Two job slots, but 1 MB for sorts: room for one /work/3 (8 KB, counted as 1 MB).
    let server = serve(work_check_bounded::app_with_limits(2, 1));
    let gate = server.close_gate();
    let accepted = server.send_gets("/work/3", 1).remove(0);
    server.wait_for("/work/3 in").await;

    assert_busy(
        &server.get("/work/3").await,
        "the memory for sorts is taken",
    );
    let too_big = server.get("/work/6").await;
    assert_eq!(
        (too_big.status, too_big.body.as_str()),
        (
            400,
            "n = 6 needs 8 MB, more than this server's 1 MB for sorts\n"
        )
    );
    assert_eq!(server.get("/check").await.body, "OK\n");

    drop(gate);
    assert_sorted(&accepted.await.unwrap(), 1000);
    assert_sorted(&server.get("/work/3").await, 1000);
}

#[test]
fn a_sort_holds_8_bytes_a_number_in_whole_megabytes() {
    for megabytes in [work_check_bounded::megabytes, work_check_rayon::megabytes] {
        let by_n: Vec<u32> = (0..=8).map(megabytes).collect();
        assert_eq!(by_n, [1, 1, 1, 1, 1, 1, 8, 80, 800]);
    }
    assert!(work_check_bounded::MEMORY_BUDGET_MB >= work_check_bounded::megabytes(8));
    assert!(work_check_bounded::MEMORY_BUDGET_MB < 2 * work_check_bounded::megabytes(8));
}

/// A rayon pool of `threads` threads, each held by a gate until the returned senders are
/// dropped; jobs spawned on the pool from outside it wait behind the gates, in order.
fn gated_pool(threads: usize) -> (Arc<rayon::ThreadPool>, Vec<mpsc::Sender<()>>) {
    let pool = Arc::new(work_check_rayon::sort_pool(threads));
    let gates = (0..threads)
        .map(|_| {
            let (open, gate) = mpsc::channel::<()>();
            pool.spawn(move || {
                gate.recv().ok();
            });
            open
        })
        .collect();
    (pool, gates)
}

/// Waits until every job spawned on `pool` so far has run: from outside the pool, spawned jobs
/// queue in order, and with one thread they run in that order.
async fn drain(pool: &rayon::ThreadPool) {
    let (done, ran) = oneshot::channel();
    pool.spawn(move || {
        done.send(()).ok();
    });
    tokio::time::timeout(PATIENCE, ran).await.unwrap().unwrap();
}

#[tokio::test]
async fn rayon_pool_check_answers_while_work_waits_for_its_sort() {
    let (pool, gates) = gated_pool(1);
    let server = serve(work_check_rayon::app_on(pool, 1000));
    let work = server.send_gets("/work/3", 1).remove(0);
    server.wait_for("/work/3 in").await;

    let check = server.get("/check").await;
    assert_eq!((check.status, check.body.as_str()), (200, "OK\n"));
    assert!(!work.is_finished(), "/work answered before /check");

    drop(gates);
    assert_sorted(&work.await.unwrap(), 1000);
    let expected = ["/work/3 in", "/check in", "/check out", "/work/3 out"];
    assert_eq!(server.events(), expected);
}

#[tokio::test]
async fn rayon_pool_turns_away_jobs_beyond_its_threads_and_its_memory_budget() {
    let (pool, gates) = gated_pool(2);
    let server = serve(work_check_rayon::app_on(pool.clone(), 1000));
    let accepted = server.send_gets("/work/3", 2);
    server.wait_for_times("/work/3 in", 2).await;
    for job in server.send_gets("/work/3", 3) {
        assert_busy(&job.await.unwrap(), "every sorting slot is taken");
    }
    assert_eq!(server.get("/check").await.body, "OK\n");
    drop(gates);
    for job in accepted {
        assert_sorted(&job.await.unwrap(), 1000);
    }

    // The same pool of two threads, with 1 MB for sorts: one /work/3 at a time.
    let (pool, gates) = gated_pool(2);
    let server = serve(work_check_rayon::app_on(pool, 1));
    let accepted = server.send_gets("/work/3", 1).remove(0);
    server.wait_for("/work/3 in").await;
    assert_busy(
        &server.get("/work/3").await,
        "the memory for sorts is taken",
    );
    assert_eq!(server.get("/work/6").await.status, 400);
    drop(gates);
    assert_sorted(&accepted.await.unwrap(), 1000);
}

#[tokio::test]
async fn rayon_job_keeps_its_slot_after_its_client_hangs_up() {
    let (pool, gates) = gated_pool(1);
    let server = serve(work_check_rayon::app_on(pool.clone(), 1000));
    let hung_up = http::send_get(server.addr, "/work/3").await.unwrap();
    server.wait_for("/work/3 in").await;
    drop(hung_up);
    server.wait_for("/work/3 dropped").await;

    assert_busy(&server.get("/work/3").await, "every sorting slot is taken");

    drop(gates);
    drain(&pool).await;
    assert_sorted(&server.get("/work/3").await, 1000);
}

#[tokio::test]
async fn rayon_pool_survives_a_panicking_job_and_the_handler_sees_the_answer_dropped() {
    let pool = work_check_rayon::sort_pool(1);
    let (answer, never) = oneshot::channel::<String>();
    pool.spawn(move || {
        let _answer = answer;
        panic!("expected by this test: a sort that fails");
    });
    let dropped = tokio::time::timeout(PATIENCE, never).await.unwrap();
    assert!(dropped.is_err(), "the sender was dropped without sending");
    // Still alive: without the pool's panic handler, rayon would have aborted the process.
    drain(&pool).await;
}

/// rayon runs `start_handler` on each of the pool's threads as it starts: every one of them is
/// under `SCHED_IDLE`, and the thread that built the pool keeps the ordinary policy.
#[test]
fn rayon_pool_threads_run_only_when_a_core_is_idle() {
    let pool = work_check_rayon::sort_pool(2);
    // SAFETY: sched_getscheduler(0) reads the calling thread's policy; no preconditions.
    let policies = pool.broadcast(|_| unsafe { libc::sched_getscheduler(0) });
    assert_eq!(policies, [libc::SCHED_IDLE, libc::SCHED_IDLE]);
    // SAFETY: as above.
    assert_eq!(unsafe { libc::sched_getscheduler(0) }, libc::SCHED_OTHER);
}
