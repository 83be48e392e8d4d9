//! The long soak of every response decoder and header parser: `cargo xtask soak [--cases N]`
//! (default 10,000,000) runs this in release mode. Inputs are random byte strings from a
//! seeded xorshift generator, shaped into answers by `tests/fuzz/harness.rs`; any
//! panic or broken invariant stops the run with the failing input's seed and case number.

use std::time::Instant;

#[path = "../tests/fuzz/harness.rs"]
mod harness;

use harness::{check_every_decoder, response_from_bytes};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut cases: u64 = 10_000_000;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cases" => cases = args.next().and_then(|v| v.parse().ok()).unwrap_or(cases),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(seed),
            other => {
                eprintln!("decoder_soak: unknown argument {other:?} (use --cases N, --seed S)");
                std::process::exit(2);
            }
        }
    }
    let start = Instant::now();
    let mut state = seed | 1;
    let mut buf = Vec::with_capacity(512);
    for case in 0..cases {
        let case_seed = state;
        buf.clear();
        let len = (next(&mut state) % 400) as usize;
        while buf.len() < len {
            buf.extend_from_slice(&next(&mut state).to_le_bytes());
        }
        buf.truncate(len);
        let response = response_from_bytes(&buf);
        let outcome = std::panic::catch_unwind(|| check_every_decoder(&response));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(why)) => {
                eprintln!("decoder_soak: case {case} (state {case_seed}): {why}");
                std::process::exit(1);
            }
            Err(_) => {
                eprintln!("decoder_soak: case {case} (state {case_seed}) panicked: {response:?}");
                std::process::exit(1);
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "decoder_soak: {cases} cases, 0 panics, 0 broken invariants, {secs:.1} s ({:.0} cases/s), seed {seed}",
        cases as f64 / secs.max(1e-9)
    );
}

fn next(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}
