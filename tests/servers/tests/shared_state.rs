//! Serves the shared-state example's router on a free port and sends it many concurrent visits:
//! every one must be counted once, none lost to a race between two handlers.

#[allow(dead_code)] // the example's `main` binds port 3000; only its `app()` is used here
#[path = "../../../snippets/examples/shared_state.rs"]
mod shared_state;

#[path = "support/http.rs"]
mod http;
#[path = "support/serve.rs"]
mod serve;

const VISITS: u64 = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_visits_are_each_counted_once() {
    let addr = serve::serve(shared_state::app()).await;

    let mut visits = tokio::task::JoinSet::new();
    for _ in 0..VISITS {
        visits.spawn(async move { http::post(addr, "/visits").await.unwrap() });
    }
    let mut counts = Vec::new();
    while let Some(response) = visits.join_next().await {
        let response = response.unwrap();
        assert_eq!(response.status, 200, "{}", response.body);
        let count = response.body.strip_prefix("visit ").unwrap();
        let count: u64 = count.split(' ').next().unwrap().parse().unwrap();
        counts.push(count);
    }
    // Each visit saw a count of its own: 1, 2, ... in some order, with no number twice.
    counts.sort();
    assert_eq!(counts, (1..=VISITS).collect::<Vec<_>>());

    let total = http::get(addr, "/visits").await.unwrap();
    assert_eq!(total.body, format!("{VISITS} visits to the crash course"));
}
