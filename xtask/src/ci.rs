//! `cargo xtask ci` and `cargo xtask test`: the checks CI runs, in order, failing fast with the
//! name of the step that failed and the command to run it alone.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::test_redis::TestRedis;

/// The variable that gives the test step the URL of the Redis it shares
/// (`tests/it/shared_limit.rs`).
const REDIS_URL_VAR: &str = "CERT_TEST_REDIS_URL";

/// One step: a name and a cargo command line.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

const FMT: Step = Step {
    name: "format",
    args: &["fmt", "--all", "--", "--check"],
    env: &[],
};
const CODEGEN: Step = Step {
    name: "generated code is fresh",
    args: &[
        "run",
        "--quiet",
        "--package",
        "xtask",
        "--",
        "codegen",
        "--check",
    ],
    env: &[],
};
const CLIPPY: Step = Step {
    name: "clippy",
    args: &[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ],
    env: &[],
};
const CLIPPY_BENCH: Step = Step {
    name: "clippy (benchmark drivers)",
    args: &[
        "clippy",
        "--package",
        "xtask",
        "--features",
        "bench",
        "--",
        "-D",
        "warnings",
    ],
    env: &[],
};
/// Each provider crate built alone, so cert-common has only that crate's vendor feature (in
/// a workspace build the features of all crates are unified and a missing `cfg` goes
/// unseen); cert-ratelimit-redis builds it with no vendor at all.
const CLIPPY_VENDOR_ALONE: [Step; 4] = [
    Step {
        name: "clippy (tencent-ssl alone: cert-common's tencent feature only)",
        args: &[
            "clippy",
            "-p",
            "tencent-ssl",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "clippy (aliyun-cas alone: cert-common's aliyun feature only)",
        args: &[
            "clippy",
            "-p",
            "aliyun-cas",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "clippy (the Huawei crates alone: cert-common's huawei feature only)",
        args: &[
            "clippy",
            "-p",
            "huawei-elb",
            "-p",
            "huawei-apig",
            "-p",
            "huawei-csms",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "clippy (cert-ratelimit-redis alone: no vendor feature)",
        args: &[
            "clippy",
            "-p",
            "cert-ratelimit-redis",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
];

/// The provider crates and the one vendor feature of cert-common each may enable.
const VENDOR_OF_CRATE: &[(&str, &str)] = &[
    ("huawei-elb", "huawei"),
    ("huawei-apig", "huawei"),
    ("huawei-csms", "huawei"),
    ("tencent-ssl", "tencent"),
    ("aliyun-cas", "aliyun"),
];
const VENDOR_FEATURES: &[&str] = &["huawei", "tencent", "aliyun"];

/// Fails unless each provider crate's dependency graph (`cargo tree -p CRATE -e features`,
/// dev-dependencies included) enables no vendor feature of cert-common but its own.
fn vendor_isolation(root: &Path) -> Result<(), String> {
    eprintln!("==> each provider crate enables only its own vendor's feature of cert-common");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    for (krate, own) in VENDOR_OF_CRATE {
        let out = Command::new(&cargo)
            .args(["tree", "-p", krate, "-e", "features", "--prefix", "none"])
            .current_dir(root)
            .output()
            .map_err(|e| format!("could not run cargo tree: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cargo tree -p {krate} -e features failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        check_vendor_features(krate, own, &String::from_utf8_lossy(&out.stdout))?;
    }
    Ok(())
}

/// The verdict on one crate's `cargo tree -e features --prefix none` output: its own vendor
/// feature of cert-common is on, and no other.
fn check_vendor_features(krate: &str, own: &str, tree: &str) -> Result<(), String> {
    let enabled = |feature: &str| {
        tree.lines()
            .any(|l| l.starts_with(&format!("cert-common feature \"{feature}\"")))
    };
    if !enabled(own) {
        return Err(format!(
            "{krate} does not enable cert-common's `{own}` feature (cargo tree -p {krate} -e features)"
        ));
    }
    match VENDOR_FEATURES.iter().find(|f| **f != own && enabled(f)) {
        Some(other) => Err(format!(
            "{krate} enables cert-common's `{other}` feature: a provider crate builds only its own vendor (cargo tree -p {krate} -e features)"
        )),
        None => Ok(()),
    }
}

const TEST: Step = Step {
    name: "tests",
    args: &["test", "--workspace"],
    env: &[],
};
/// The TLS trust tests again with Mozilla's bundled roots in place of the platform verifier
/// (the `webpki-roots` feature builds a different trust path).
const TEST_WEBPKI_ROOTS: Step = Step {
    name: "TLS trust tests with the webpki-roots feature",
    args: &[
        "test",
        "--package",
        "integration-tests",
        "--features",
        "webpki-roots",
        "--test",
        "it",
        "tls::",
    ],
    env: &[],
};
/// Packages every publishable crate and builds each package from its own tarball (the
/// verification `cargo publish` does), resolving the sibling crates locally.
const PACKAGE: Step = Step {
    name: "every publishable crate packages and builds from its package",
    args: &[
        "package",
        "--workspace",
        "--allow-dirty",
        "--exclude",
        "xtask",
        "--exclude",
        "integration-tests",
    ],
    env: &[],
};
const DOC: Step = Step {
    name: "rustdoc",
    args: &["doc", "--workspace", "--no-deps"],
    env: &[("RUSTDOCFLAGS", "-D warnings")],
};

fn run(root: &Path, step: &Step) -> Result<(), String> {
    run_with(root, step, &[])
}

/// Runs a step with `extra` variables set besides the step's own.
fn run_with(root: &Path, step: &Step, extra: &[(&str, &str)]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let shown = format!("cargo {}", step.args.join(" "));
    eprintln!("==> {}: {shown}", step.name);
    let started = Instant::now();
    let status = Command::new(&cargo)
        .args(step.args)
        .envs(step.env.iter().copied())
        .envs(extra.iter().copied())
        .current_dir(root)
        .status()
        .map_err(|e| format!("could not run {shown}: {e}"))?;
    eprintln!(
        "    {} took {:.1} s",
        step.name,
        started.elapsed().as_secs_f64()
    );
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "step `{}` failed; rerun it with `{shown}`",
            step.name
        ))
    }
}

/// Removes the sources cargo extracted from the temporary registry of an earlier
/// `cargo package --workspace` (`$CARGO_HOME/registry/src/-<hash>/<crate>-<version>`: a local
/// registry's directory has no host name before its hash). Cargo extracts a crate once per
/// registry path and version and reuses it, so on a machine that packaged before, a
/// provider crate's verification would build against the cert-common of that earlier run
/// instead of the one just packaged. Only extracted copies go; cargo extracts them again.
/// The same goes for what was compiled from them (`target/debug/deps/<crate>-<hash>.*` and
/// its fingerprint, when its `.d` file names such a source): cargo takes a registry crate's
/// version as its content and would call the old build fresh.
fn forget_packaged_sources(root: &Path) {
    forget_builds_from_local_registries(root);
    let home = match std::env::var_os("CARGO_HOME") {
        Some(h) => std::path::PathBuf::from(h),
        None => match std::env::var_os("HOME") {
            Some(h) => std::path::PathBuf::from(h).join(".cargo"),
            None => return,
        },
    };
    let Ok(registries) = std::fs::read_dir(home.join("registry").join("src")) else {
        return;
    };
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        let Ok(crates) = std::fs::read_dir(registry.path()) else {
            continue;
        };
        for krate in crates.flatten() {
            let name = krate.file_name().to_string_lossy().into_owned();
            if WORKSPACE_CRATES
                .iter()
                .any(|c| name.starts_with(&format!("{c}-")))
            {
                let _ = std::fs::remove_dir_all(krate.path());
            }
        }
    }
}

/// The workspace crates' builds from a local registry, in the debug target directory.
fn forget_builds_from_local_registries(root: &Path) {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let deps = target.join("debug").join("deps");
    let Ok(entries) = std::fs::read_dir(&deps) else {
        return;
    };
    let mut stale: Vec<(String, String)> = Vec::new(); // (crate, hash)
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".d") else {
            continue;
        };
        let Some((krate, hash)) = stem.rsplit_once('-') else {
            continue;
        };
        if !WORKSPACE_CRATES
            .iter()
            .any(|c| c.replace('-', "_") == krate)
        {
            continue;
        }
        let from_local_registry =
            std::fs::read_to_string(entry.path()).is_ok_and(|d| d.contains("/registry/src/-"));
        if from_local_registry {
            stale.push((krate.to_string(), hash.to_string()));
        }
    }
    for (krate, hash) in stale {
        for file in [
            format!("{krate}-{hash}.d"),
            format!("lib{krate}-{hash}.rlib"),
            format!("lib{krate}-{hash}.rmeta"),
        ] {
            let _ = std::fs::remove_file(deps.join(file));
        }
        let dashed = krate.replace('_', "-");
        let _ = std::fs::remove_dir_all(
            target
                .join("debug")
                .join(".fingerprint")
                .join(format!("{dashed}-{hash}")),
        );
    }
}

/// The workspace's publishable crates.
const WORKSPACE_CRATES: &[&str] = &[
    "cert-common",
    "huawei-elb",
    "huawei-apig",
    "huawei-csms",
    "tencent-ssl",
    "aliyun-cas",
    "cert-emulator",
    "cert-ratelimit-redis",
    "certctl",
];

/// Runs every CI step: fmt check, codegen check, clippy with warnings denied (also on the
/// benchmark drivers, which only build with xtask's `bench` feature, and on each provider
/// crate alone, with only its vendor's feature of cert-common, which [`vendor_isolation`]
/// checks in the dependency graph), the whole test
/// suite (with a `redis-server` of its own, see [`test()`]), the TLS trust tests again with the
/// `webpki-roots` feature, rustdoc with warnings denied, and a
/// package check of every publishable crate.
pub fn ci(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    let [alone_tencent, alone_aliyun, alone_huawei, alone_redis] = &CLIPPY_VENDOR_ALONE;
    for step in [
        &FMT,
        &CODEGEN,
        &CLIPPY,
        &CLIPPY_BENCH,
        alone_tencent,
        alone_aliyun,
        alone_huawei,
        alone_redis,
        &TEST,
        &TEST_WEBPKI_ROOTS,
        &DOC,
        &PACKAGE,
    ] {
        if std::ptr::eq(step, &TEST) {
            vendor_isolation(root)?;
            test(root)?;
        } else if std::ptr::eq(step, &PACKAGE) {
            forget_packaged_sources(root);
            run(root, step)?;
        } else {
            run(root, step)?;
        }
    }
    eprintln!("==> ci passed in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Runs the whole test suite (unit, integration and emulator tests of every crate), with one
/// `redis-server` for the tests of the shared rate limit (installed from Debian's packages when
/// missing, see [`crate::test_redis::ensure_installed`]): started on a free loopback port
/// before the step, its URL exported as `CERT_TEST_REDIS_URL`, killed after it (whether the
/// step passed or not). A `CERT_TEST_REDIS_URL` already set is used instead.
pub fn test(root: &Path) -> Result<(), String> {
    if let Ok(url) = std::env::var(REDIS_URL_VAR)
        && !url.trim().is_empty()
    {
        eprintln!("==> Redis for the tests: {url} ({REDIS_URL_VAR}, already set)");
        return run(root, &TEST);
    }
    let redis = crate::test_redis::ensure_installed()
        .and_then(|()| TestRedis::start())
        .map_err(|e| format!("step `{}` failed: {e}", TEST.name))?;
    eprintln!(
        "==> Redis for the tests: redis-server (pid {}) on {} ({REDIS_URL_VAR})",
        redis.child.id(),
        redis.url
    );
    let result = run_with(root, &TEST, &[(REDIS_URL_VAR, &redis.url)]);
    drop(redis);
    result
}

#[cfg(test)]
mod tests {
    use super::check_vendor_features;

    #[test]
    fn a_foreign_or_missing_vendor_feature_fails_the_check() {
        let own = "tencent-ssl v0.1.0\ncert-common feature \"tencent\"\ncert-common feature \"test-util\"\n";
        assert!(check_vendor_features("tencent-ssl", "tencent", own).is_ok());
        let foreign = format!("{own}cert-common feature \"aliyun\" (*)\n");
        let e = check_vendor_features("tencent-ssl", "tencent", &foreign).expect_err("aliyun");
        assert!(e.contains("`aliyun`"), "{e}");
        let none = "tencent-ssl v0.1.0\ncert-common feature \"default\"\n";
        assert!(check_vendor_features("tencent-ssl", "tencent", none).is_err());
    }
}
