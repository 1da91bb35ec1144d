//! What retries and tracing cost a call when nothing fails, both configurations in one run:
//!
//! - `call/plain`: a loopback query (`GET /v3/pay/transactions/out-trade-no/{out_trade_no}`)
//!   against the test server (in this process, its own thread), signed, verified and decoded,
//!   by a client with `.no_retries()` and no `tracing` subscriber (the span is disabled).
//! - `call/retries_and_tracing`: the same call by a client with the default retry policy, a
//!   `tracing` subscriber installed that takes every span, field and event (visiting each
//!   field, as a real layer would, then dropping it).
//!
//! ```text
//! cargo bench -p wechatpay-api --features test-server --bench call
//! PAIRED_ROUNDS=100 cargo bench -p wechatpay-api --features test-server --bench call
//! ```
//!
//! Criterion measures each configuration in turn; on a shared machine the load changes
//! between the two, so a paired phase follows: rounds of `PAIRED_CALLS` calls (environment;
//! default 20) of each configuration, back to back, the order swapped every round
//! (`PAIRED_ROUNDS`, default 60). It prints each configuration's median time per call over the
//! rounds and the median of the per-round ratios, which the load drifting cancels out of;
//! and the same for the CPU time of the calling thread (Linux `/proc/thread-self/schedstat`:
//! time on a CPU, not waiting for one), where the client's own work is, retries and tracing
//! included — the server's is on its thread, the same in both configurations.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::Criterion;
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wechatpay_api::runtime::{Client, Operation};
use wechatpay_api::testing::{Route, TestServer, keys};
use wechatpay_api::v3::pay::transactions::out_trade_no::out_trade_no::{self, GetQuery};

/// A subscriber that takes everything and visits every field.
#[derive(Clone, Default)]
struct Visiting {
    next: Arc<AtomicU64>,
    fields: Arc<AtomicU64>,
}

struct Count<'a>(&'a AtomicU64);

impl Visit for Count<'_> {
    fn record_debug(&mut self, _: &Field, value: &dyn std::fmt::Debug) {
        std::hint::black_box(value);
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    fn record_str(&mut self, _: &Field, value: &str) {
        std::hint::black_box(value);
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

impl Subscriber for Visiting {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        span.record(&mut Count(&self.fields));
        Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Count(&self.fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        event.record(&mut Count(&self.fields));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

async fn query(client: &Client) {
    let order = client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no("1217752501201407033233368018")
        .get(&GetQuery {
            mchid: keys::MERCHANT_ID.into(),
        })
        .await
        .expect("the query");
    std::hint::black_box(order);
}

/// Runs `client`'s call as criterion asks, keeping each sample's mean per call.
fn measure(
    c: &mut Criterion,
    name: &str,
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    means: &Mutex<Vec<f64>>,
) {
    c.benchmark_group("call")
        .sample_size(60)
        .measurement_time(Duration::from_secs(12))
        .bench_function(name, |b| {
            b.iter_custom(|iterations| {
                let start = Instant::now();
                for _ in 0..iterations {
                    runtime.block_on(query(client));
                }
                let elapsed = start.elapsed();
                means
                    .lock()
                    .unwrap()
                    .push(elapsed.as_secs_f64() / iterations as f64);
                elapsed
            })
        });
}

fn median(values: &Mutex<Vec<f64>>) -> f64 {
    let mut values = values.lock().unwrap().clone();
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A number from the environment (criterion owns the command line).
fn option(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(default)
}

/// Nanoseconds this thread has spent on a CPU (Linux), if the kernel says.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Seconds per call of `calls` calls of `client`: wall clock, and CPU time of this thread.
fn time_calls(
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    calls: usize,
) -> (f64, Option<f64>) {
    let cpu = thread_cpu_ns();
    let start = Instant::now();
    for _ in 0..calls {
        runtime.block_on(query(client));
    }
    let wall = start.elapsed().as_secs_f64() / calls as f64;
    let cpu = cpu
        .zip(thread_cpu_ns())
        .map(|(before, after)| (after - before) as f64 / 1e9 / calls as f64);
    (wall, cpu)
}

fn median_of(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let server = TestServer::builder().start().expect("test server");
    server.route(
        Route::new(out_trade_no::Get::SPEC.method, out_trade_no::Get::SPEC.path).respond(
            200,
            json!({
                "appid": "wxd678efh567hg6787", "mchid": keys::MERCHANT_ID,
                "out_trade_no": "1217752501201407033233368018", "trade_state": "SUCCESS",
                "amount": {"total": 100}
            }),
        ),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let plain = server
        .client_builder()
        .no_retries()
        .build()
        .expect("client");
    let resilient = server.client_builder().build().expect("client");
    // The first request of a client loads the system's root certificates: not measured.
    runtime.block_on(query(&plain));
    runtime.block_on(query(&resilient));

    let rounds = option("PAIRED_ROUNDS", 60);
    let calls = option("PAIRED_CALLS", 20);
    let mut c = Criterion::default().configure_from_args();
    let plain_means = Mutex::new(Vec::new());
    let resilient_means = Mutex::new(Vec::new());
    measure(&mut c, "plain", &runtime, &plain, &plain_means);
    let subscriber = Visiting::default();
    tracing::subscriber::with_default(subscriber.clone(), || {
        measure(
            &mut c,
            "retries_and_tracing",
            &runtime,
            &resilient,
            &resilient_means,
        )
    });
    c.final_summary();

    if plain_means.lock().unwrap().is_empty() || resilient_means.lock().unwrap().is_empty() {
        return; // `--list`, `--test`, or a filter that left one out
    }
    assert!(
        subscriber.fields.load(Ordering::Relaxed) > 0,
        "the subscriber saw the spans"
    );
    let (plain_median, resilient_median) = (median(&plain_means), median(&resilient_means));
    println!(
        "\ncriterion: call/plain median {:.1} µs, call/retries_and_tracing median {:.1} µs, ratio {:.4}",
        plain_median * 1e6,
        resilient_median * 1e6,
        resilient_median / plain_median
    );

    // The paired phase.
    let mut wall = (Vec::new(), Vec::new(), Vec::new());
    let mut cpu = (Vec::new(), Vec::new(), Vec::new());
    let traced = |calls| {
        tracing::subscriber::with_default(subscriber.clone(), || {
            time_calls(&runtime, &resilient, calls)
        })
    };
    for round in 0..rounds {
        let (p, r) = if round % 2 == 0 {
            let p = time_calls(&runtime, &plain, calls);
            (p, traced(calls))
        } else {
            let r = traced(calls);
            (time_calls(&runtime, &plain, calls), r)
        };
        wall.0.push(p.0);
        wall.1.push(r.0);
        wall.2.push(r.0 / p.0);
        if let (Some(p), Some(r)) = (p.1, r.1) {
            cpu.0.push(p);
            cpu.1.push(r);
            cpu.2.push(r / p);
        }
    }
    println!(
        "paired wall clock ({rounds} rounds of {calls} calls each): call/plain median {:.1} µs, \
         call/retries_and_tracing median {:.1} µs, median ratio {:.4}",
        median_of(wall.0) * 1e6,
        median_of(wall.1) * 1e6,
        median_of(wall.2)
    );
    if !cpu.2.is_empty() {
        println!(
            "paired CPU time of the calling thread: call/plain median {:.1} µs, \
             call/retries_and_tracing median {:.1} µs, median ratio {:.4}",
            median_of(cpu.0) * 1e6,
            median_of(cpu.1) * 1e6,
            median_of(cpu.2)
        );
    }
}
