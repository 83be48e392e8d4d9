//! Repository automation for the cloud-cert SDK workspace, run as `cargo xtask <command>`.
//!
//! Commands:
//! - `codegen`: render `crates/*/src/generated/` from `crates/*/spec/*.json`.
//! - `codegen --check`: fail, naming the stale files, if the generated code is out of date.
//! - `test`: run the whole test suite.
//! - `ci`: everything CI checks (fmt, codegen check, clippy, tests, rustdoc, packaging).
//! - `bench`: the benchmarks beyond criterion's (client overhead, rate-limit fidelity, scale,
//!   cold start, certctl end to end and its memory), on release builds; see `bench/mod.rs` and
//!   `docs/performance.md`.

mod bench;
mod ci;
mod codegen;
mod loc;
mod test_redis;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen           render crates/*/src/generated/ from crates/*/spec/*.json
  codegen --check   fail if the generated code is out of date
  test              run the whole test suite (cargo test --workspace)
  ci                fmt check, codegen check, clippy -D warnings, tests, rustdoc -D warnings,
                    package check of every publishable crate
  bench [...]       release-build benchmarks (cargo xtask bench --help)
  loc               hand-written lines of code of each provider crate (not generated/,
                    tests, blank lines or comments)
  soak [--cases N]  every response decoder and header parser on N random answers
                    (default 10,000,000), release build; fails on any panic";

/// `cargo xtask soak [--cases N] [--seed S]`: runs cert-common's `decoder_soak` example in
/// release mode (its harness is `crates/cert-common/tests/fuzz/harness.rs`, shared with the
/// property tests).
fn soak(root: &std::path::Path, rest: &[&str]) -> Result<(), String> {
    let status =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root)
            .args([
                "run",
                "--release",
                "--quiet",
                "-p",
                "cert-common",
                "--example",
                "decoder_soak",
                "--",
            ])
            .args(rest)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the decoder soak failed ({status})"))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen::run(&codegen::workspace_root(), codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(&codegen::workspace_root(), codegen::Mode::Check),
        ["test"] => ci::test(&codegen::workspace_root()),
        ["ci"] => ci::ci(&codegen::workspace_root()),
        ["bench", "--help" | "-h"] => {
            println!("{}", bench::USAGE);
            Ok(())
        }
        ["bench", rest @ ..] => bench::run(&codegen::workspace_root(), rest),
        ["bench-run", rest @ ..] => bench::run_child(rest),
        ["loc"] => loc::run(&codegen::workspace_root()),
        ["soak", rest @ ..] => soak(&codegen::workspace_root(), rest),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown arguments {args:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
