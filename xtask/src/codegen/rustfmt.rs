//! Formats generated source by piping it through the `rustfmt` binary, so the files on disk
//! are exactly what `cargo fmt` would leave.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Formats `source` with `rustfmt --edition 2024`, run from `root` so the workspace's
/// rustfmt configuration (if any) applies. `$RUSTFMT` overrides the binary, as for `cargo fmt`.
pub fn format(root: &Path, source: &str) -> Result<String, String> {
    let binary = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let mut child = Command::new(&binary)
        .args(["--edition", "2024", "--emit", "stdout"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.to_string_lossy()))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    let input = source.to_owned();
    // Write from another thread so a large output cannot block rustfmt while we still write.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed: {e}"))?;
    writer
        .join()
        .map_err(|_| "the rustfmt writer thread panicked".to_owned())?
        .map_err(|e| format!("cannot write to rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt rejected the generated code ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt wrote invalid UTF-8: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_reports_syntax_errors() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let formatted = format(root, "pub fn f( )->u8{1}").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(formatted, "pub fn f() -> u8 {\n    1\n}\n");
        assert!(format(root, "pub fn (").is_err());
    }
}
