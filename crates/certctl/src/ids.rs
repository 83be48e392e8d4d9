//! Where the ids to delete come from: arguments, a file, or standard input (`-`).

use std::io::BufRead;

/// Collects ids from the command line and, if given, a file or `-` for stdin (one per line;
/// blank lines and lines starting with `#` are skipped; surrounding white space is trimmed).
pub fn collect(args: &[String], from: Option<&str>) -> Result<Vec<String>, String> {
    let mut ids: Vec<String> = args.iter().map(|s| s.trim().to_string()).collect();
    if let Some(source) = from {
        let lines: Vec<String> = if source == "-" {
            std::io::stdin()
                .lock()
                .lines()
                .collect::<Result<_, _>>()
                .map_err(|e| format!("cannot read ids from standard input: {e}"))?
        } else {
            std::fs::read_to_string(source)
                .map_err(|e| format!("cannot read ids from {source}: {e}"))?
                .lines()
                .map(str::to_string)
                .collect()
        };
        ids.extend(parse_lines(&lines));
    }
    if ids.iter().any(String::is_empty) {
        return Err("an id is empty".into());
    }
    if ids.is_empty() {
        return Err(
            "no ids given: pass them as arguments, or with --ids-from FILE (or - for stdin)".into(),
        );
    }
    Ok(ids)
}

fn parse_lines(lines: &[String]) -> impl Iterator<Item = String> + '_ {
    lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_skip_blanks_and_comments() {
        let lines: Vec<String> = ["  a ", "", "# note", "b"].map(String::from).to_vec();
        assert_eq!(parse_lines(&lines).collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn nothing_is_an_error() {
        assert!(collect(&[], None).is_err());
        assert!(collect(&[" ".into()], None).is_err());
        assert_eq!(collect(&["x".into()], None), Ok(vec!["x".to_string()]));
    }
}
