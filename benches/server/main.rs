//! The servers the benchmark measures: `blocking-server VARIANT` serves one version of the
//! work/check server on 127.0.0.1, prints its address on stdout, and exits when its stdin closes.
//!
//! Every variant runs on tokio's multi-thread runtime with one worker per core, the runtime
//! `#[tokio::main]` builds. Built with `--cfg tokio_unstable`, it also serves the runtime
//! controls `inline_no_lifo` and `inline_eager_handoff`.

#[allow(dead_code)]
#[path = "../../snippets/examples/work_check.rs"]
mod work_check;

#[allow(dead_code)]
#[path = "../../snippets/examples/work_check_inline.rs"]
mod work_check_inline;

#[allow(dead_code)]
#[path = "../../snippets/examples/work_check_bounded.rs"]
mod work_check_bounded;

#[allow(dead_code)]
#[path = "../../snippets/examples/work_check_rayon.rs"]
mod work_check_rayon;

mod pool;

use std::io::Read;

use pool::Options;

fn main() {
    let Some(variant) = std::env::args().nth(1) else {
        eprintln!("usage: blocking-server VARIANT");
        std::process::exit(2);
    };
    // The benchmark may run its client at a higher priority than ours (BENCH_CLIENT_NICE):
    // take the ordinary one back before any thread starts, so every thread inherits it.
    if let Some(nice) = std::env::var("BENCH_SERVER_NICE")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        set_nice(nice);
    }
    if variant == "spin" {
        spin();
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    let app = match variant.as_str() {
        "inline" => work_check_inline::app(),
        "spawn_blocking" => work_check::app(),
        "bounded" => work_check_bounded::app(),
        "bounded_all_cores" => work_check_bounded::app_with_jobs(cores),
        // The book's rayon server with its threads at the ordinary priority.
        "rayon" => work_check_rayon::app_on(
            std::sync::Arc::new(pool::ordinary(cores)),
            work_check_rayon::MEMORY_BUDGET_MB,
        ),
        // The book's rayon server as it stands: its threads under SCHED_IDLE.
        "rayon_idle" => work_check_rayon::app(),
        "rayon_pinned" => pool::app(
            cores,
            Options {
                pinned: true,
                ..Options::default()
            },
        ),
        "rayon_idle_pinned" => pool::app(
            cores,
            Options {
                idle: true,
                pinned: true,
                ..Options::default()
            },
        ),
        "rayon_idle_reuse" => pool::app(
            cores,
            Options {
                idle: true,
                reuse: true,
                ..Options::default()
            },
        ),
        // The machine's own limit: every core kept busy by a thread of the lowest priority that
        // touches no memory, beside the pinned SCHED_IDLE pool, which sorts nothing here.
        "spin_idle_pinned" => {
            for core in 0..cores {
                std::thread::spawn(move || {
                    pool::run_only_when_idle();
                    pool::pin_to_core(core);
                    loop {
                        std::hint::spin_loop();
                    }
                });
            }
            pool::app(
                cores,
                Options {
                    idle: true,
                    pinned: true,
                    ..Options::default()
                },
            )
        }
        "rayon_idle_pinned_reuse" => pool::app(
            cores,
            Options {
                idle: true,
                pinned: true,
                reuse: true,
            },
        ),
        "inline_no_lifo" | "inline_eager_handoff" => control(&mut builder, &variant),
        other => {
            eprintln!("unknown variant {other}");
            std::process::exit(2);
        }
    };
    // The benchmark holds our stdin: when it goes away, for whatever reason, so do we.
    std::thread::spawn(|| {
        std::io::stdin().read_to_end(&mut Vec::new()).ok();
        std::process::exit(0);
    });
    builder.build().unwrap().block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{}", listener.local_addr().unwrap());
        axum::serve(listener, app).await.unwrap();
    });
}

/// The inline server on a runtime with one scheduler feature changed: each control tests one
/// explanation of why a single inline sort sometimes stalls `/check`.
#[cfg(tokio_unstable)]
fn control(builder: &mut tokio::runtime::Builder, variant: &str) -> axum::Router {
    if variant == "inline_no_lifo" {
        builder.disable_lifo_slot();
    } else {
        builder.enable_eager_driver_handoff();
    }
    work_check_inline::app()
}

#[cfg(not(tokio_unstable))]
fn control(_: &mut tokio::runtime::Builder, variant: &str) -> axum::Router {
    eprintln!("{variant} needs a build with RUSTFLAGS=\"--cfg tokio_unstable\"");
    std::process::exit(2);
}

/// Sets the nice value of the calling thread, which threads started later inherit.
pub fn set_nice(nice: i32) {
    // SAFETY: plain system call; on Linux, PRIO_PROCESS with who = 0 means the calling thread.
    let rc = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, nice) };
    assert_eq!(rc, 0, "setpriority({nice}) failed");
}

/// Another program keeping one core busy, for the controls: a thread that never sleeps, at the
/// ordinary priority, until the benchmark closes our stdin.
fn spin() -> ! {
    std::thread::spawn(|| {
        loop {
            std::hint::spin_loop();
        }
    });
    println!("spinning");
    std::io::stdin().read_to_end(&mut Vec::new()).ok();
    std::process::exit(0);
}
