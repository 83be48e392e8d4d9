//! The INI dialect of the vendors' credentials files (`~/.tencentcloud/credentials`,
//! `~/.alibabacloud/credentials`, `~/.huaweicloud/credentials`), read the way the vendors' Go
//! SDKs read it with go-ini: `[section]` headers, `key = value` (or `key: value`) lines, `#` and
//! `;` comment lines, blank lines; keys before the first section belong to `DEFAULT`; a value
//! may be wrapped in double quotes. Every entry keeps its line number, so that an error can
//! name the file, the line and the key.
//!
//! Unlike go-ini, a line that is none of those is an error naming its line (go-ini skips some
//! and fails on others): a credentials file with a typo should say so, not lose a key.

use std::path::Path;

use crate::error::{Error, ErrorKind};

/// One `key = value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key, trimmed.
    pub key: String,
    /// The value, trimmed and unquoted. May be secret: never print it.
    pub value: String,
    /// Its line, from 1.
    pub line: usize,
}

/// One `[section]` and its entries, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The name between the brackets, trimmed.
    pub name: String,
    /// The line of the header (0 for the implicit `DEFAULT` section).
    pub line: usize,
    /// The entries; a later entry of the same key wins, as in go-ini.
    pub entries: Vec<Entry>,
}

impl Section {
    /// The last entry of `key`, if any.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }

    /// The value of `key`, if present and not empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entry(key)
            .map(|e| e.value.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// A parsed INI file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IniFile {
    /// The sections in file order; a section that appears twice is merged into the first, as
    /// go-ini does.
    pub sections: Vec<Section>,
}

impl IniFile {
    /// The section named `name`.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The section names, in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|s| s.name.as_str())
    }
}

/// Parses `text`, read from `path` (named in errors). Errors are of kind
/// [`ErrorKind::Credentials`] and name the file and line; they never quote a value.
pub fn parse(path: &Path, text: &str) -> Result<IniFile, Error> {
    let mut file = IniFile::default();
    let mut current: Option<usize> = None;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        if let Some(rest) = t.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .map(str::trim)
                .filter(|n| !n.is_empty() && !n.contains(['[', ']']))
                .ok_or_else(|| {
                    at(
                        path,
                        line,
                        "a section header must be `[name]` with a name and a closing `]`",
                    )
                })?;
            current = Some(section_index(&mut file, name, line));
            continue;
        }
        let Some(split) = t.find(['=', ':']) else {
            return Err(at(
                path,
                line,
                "expected `key = value`, a `[section]` header or a comment",
            ));
        };
        let key = t[..split].trim();
        if key.is_empty() {
            return Err(at(path, line, "a `key = value` line has no key"));
        }
        let value = unquote(t[split + 1..].trim());
        let section = match current {
            Some(s) => s,
            None => {
                let s = section_index(&mut file, "DEFAULT", 0);
                current = Some(s);
                s
            }
        };
        file.sections[section].entries.push(Entry {
            key: key.to_string(),
            value: value.to_string(),
            line,
        });
    }
    Ok(file)
}

fn section_index(file: &mut IniFile, name: &str, line: usize) -> usize {
    match file.sections.iter().position(|s| s.name == name) {
        Some(i) => i,
        None => {
            file.sections.push(Section {
                name: name.to_string(),
                line,
                entries: Vec::new(),
            });
            file.sections.len() - 1
        }
    }
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

fn at(path: &Path, line: usize, what: &str) -> Error {
    Error::new(
        ErrorKind::Credentials,
        format!("{}, line {line}: {what}", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<IniFile, Error> {
        parse(Path::new("/home/u/.x/credentials"), text)
    }

    #[test]
    fn reads_sections_keys_comments_and_quotes() {
        let f = p(
            "\u{feff}top = 1\n# c\n; c\n\n[default]\nsecret_id = AKID\nsecret_key: \"s=k\"\n\
                   [ops]\n key = a\nkey = b\n[default]\nregion = ap-guangzhou\n",
        )
        .expect("parses");
        assert_eq!(f.names().collect::<Vec<_>>(), ["DEFAULT", "default", "ops"]);
        let d = f.section("default").expect("default");
        assert_eq!(d.get("secret_id"), Some("AKID"));
        assert_eq!(d.get("secret_key"), Some("s=k"));
        assert_eq!(d.get("region"), Some("ap-guangzhou"));
        assert_eq!(d.entry("region").map(|e| e.line), Some(12));
        assert_eq!(f.section("ops").and_then(|s| s.get("key")), Some("b"));
        assert_eq!(f.section("DEFAULT").and_then(|s| s.get("top")), Some("1"));
    }

    #[test]
    fn malformed_lines_name_file_and_line_but_not_values() {
        for (text, line) in [
            ("[default]\nsecret_id AKIDSECRETISH\n", 2),
            ("[default\nk = v\n", 1),
            ("[]\n", 1),
            ("[a]\n= v\n", 2),
        ] {
            let e = p(text).expect_err(text);
            assert_eq!(e.kind(), ErrorKind::Credentials);
            let m = e.to_string();
            assert!(
                m.contains(&format!("/home/u/.x/credentials, line {line}:")),
                "{m}"
            );
            assert!(!m.contains("AKIDSECRETISH"), "{m}");
        }
    }
}
