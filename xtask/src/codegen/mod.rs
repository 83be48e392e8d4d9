//! `cargo xtask codegen [--check]`: renders `crates/<name>/src/generated/` from
//! `crates/<name>/spec/*.json`.
//!
//! In check mode nothing is written; every file that is missing, different or extra is
//! reported, and the run fails with the command that fixes it (as rust-analyzer's
//! `xtask/src/codegen.rs` does). A `#[test]` below runs the check on the real workspace.

pub mod render;
pub mod rustfmt;
pub mod spec;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use render::SpecFile;
use spec::Spec;

/// Whether to write the generated files or only compare them with the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write every file whose text changed and delete stale extra files.
    Write,
    /// Write nothing; fail if anything on disk differs from what would be generated.
    Check,
}

/// The workspace root (the parent of the xtask crate).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The crate directories under `crates/` that have a `spec/` directory, sorted.
pub fn spec_crates(root: &Path) -> Result<Vec<PathBuf>, String> {
    let crates = root.join("crates");
    let mut out = Vec::new();
    for entry in read_dir_sorted(&crates)? {
        if entry.join("spec").is_dir() {
            out.push(entry);
        }
    }
    Ok(out)
}

/// The parsed spec files of one crate, sorted by file name.
pub fn load_specs(crate_dir: &Path) -> Result<Vec<SpecFile>, String> {
    let mut specs = Vec::new();
    for path in read_dir_sorted(&crate_dir.join("spec"))? {
        if path.extension().is_none_or(|ext| ext != "json") {
            continue;
        }
        let text = fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let spec = Spec::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        specs.push(SpecFile { file_name, spec });
    }
    if specs.is_empty() {
        return Err(format!("{}: spec/ has no .json file", crate_dir.display()));
    }
    Ok(specs)
}

/// The vendor-wide error codes of the crate's vendor
/// (`crates/cert-common/vendor-errors/<vendor>.json`), none when the vendor has no file.
pub fn load_vendor_errors(root: &Path, specs: &[SpecFile]) -> Result<Vec<spec::ErrorDef>, String> {
    let Some(first) = specs.first() else {
        return Ok(Vec::new());
    };
    let path = root
        .join("crates/cert-common/vendor-errors")
        .join(format!("{}.json", first.spec.provider.as_str()));
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let vendor: spec::VendorErrors =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if vendor.provider != first.spec.provider {
        return Err(format!(
            "{}: its provider is not the file's name",
            path.display()
        ));
    }
    Ok(vendor.errors)
}

/// Every generated file of the workspace, formatted: absolute path → text.
pub fn render_workspace(root: &Path) -> Result<BTreeMap<PathBuf, String>, String> {
    let mut out = BTreeMap::new();
    for crate_dir in spec_crates(root)? {
        let specs = load_specs(&crate_dir)?;
        let generated = generated_dir(&crate_dir);
        let vendor = load_vendor_errors(root, &specs)?;
        let files = render::render_crate(&specs, &vendor)
            .map_err(|e| format!("{}: {e}", crate_dir.display()))?;
        for (name, text) in files {
            let formatted = rustfmt::format(root, &text)
                .map_err(|e| format!("{}: {e}", generated.join(&name).display()))?;
            out.insert(generated.join(name), formatted);
        }
    }
    Ok(out)
}

/// The files on disk that do not match `rendered`: missing, different, or present in a
/// `generated/` directory without being rendered. Sorted.
pub fn stale_files(
    root: &Path,
    rendered: &BTreeMap<PathBuf, String>,
) -> Result<Vec<PathBuf>, String> {
    let mut stale = Vec::new();
    for (path, text) in rendered {
        match fs::read_to_string(path) {
            Ok(on_disk) if &on_disk == text => {}
            _ => stale.push(path.clone()),
        }
    }
    for crate_dir in spec_crates(root)? {
        let generated = generated_dir(&crate_dir);
        if !generated.is_dir() {
            continue;
        }
        for path in read_dir_sorted(&generated)? {
            if !rendered.contains_key(&path) {
                stale.push(path);
            }
        }
    }
    stale.sort();
    Ok(stale)
}

/// Runs codegen on the workspace at `root`. In [`Mode::Check`] the error lists every stale
/// path and names the command to run.
pub fn run(root: &Path, mode: Mode) -> Result<(), String> {
    let rendered = render_workspace(root)?;
    let stale = stale_files(root, &rendered)?;
    let relative = |path: &Path| {
        path.strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string()
    };
    match mode {
        Mode::Check => {
            if stale.is_empty() {
                return Ok(());
            }
            let mut message = String::from("generated code is out of date:\n");
            for path in &stale {
                message.push_str(&format!("  {}\n", relative(path)));
            }
            message.push_str("run `cargo xtask codegen` to update");
            Err(message)
        }
        Mode::Write => {
            for path in &stale {
                match rendered.get(path) {
                    Some(text) => {
                        if let Some(dir) = path.parent() {
                            fs::create_dir_all(dir)
                                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                        }
                        fs::write(path, text)
                            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                        println!("updated {}", relative(path));
                    }
                    None => {
                        let removed = if path.is_dir() {
                            fs::remove_dir_all(path)
                        } else {
                            fs::remove_file(path)
                        };
                        removed.map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
                        println!("removed {}", relative(path));
                    }
                }
            }
            Ok(())
        }
    }
}

fn generated_dir(crate_dir: &Path) -> PathBuf {
    crate_dir.join("src").join("generated")
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        paths.push(entry.path());
    }
    paths.sort();
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_real_spec_parses() {
        let root = workspace_root();
        let crates = spec_crates(&root).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<String> = crates
            .iter()
            .filter_map(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        for expected in [
            "aliyun-cas",
            "huawei-apig",
            "huawei-csms",
            "huawei-elb",
            "tencent-ssl",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} has no spec/"
            );
        }
        for crate_dir in crates {
            let specs = load_specs(&crate_dir).unwrap_or_else(|e| panic!("{e}"));
            for file in specs {
                let expected = format!("{}.json", render::snake_case(&file.spec.operation));
                assert_eq!(
                    file.file_name, expected,
                    "spec files are named after the operation"
                );
            }
        }
    }

    #[test]
    fn generated_code_is_fresh() {
        if let Err(message) = run(&workspace_root(), Mode::Check) {
            panic!("{message}");
        }
    }
}
