//! Input validation shared by every provider crate.
//!
//! Generated request models check their documented limits and report a [`Violation`];
//! the provider crate turns it into an [`Error`](crate::Error) of kind
//! [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) before anything is sent.

use std::fmt;

/// One broken rule of a request: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The field as the vendor names it on the wire (e.g. `project_id`, `CSRIds`).
    pub field: &'static str,
    /// What is wrong, in words a user can act on.
    pub message: String,
}

impl Violation {
    /// A violation of `field`, described by `message`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for Violation {}

/// Checks a string's length in characters against inclusive bounds.
pub fn check_length(
    field: &'static str,
    value: &str,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), Violation> {
    let len = value.chars().count();
    if let Some(min) = min
        && len < min
    {
        return Err(Violation::new(
            field,
            format!("must be at least {min} characters, got {len}"),
        ));
    }
    if let Some(max) = max
        && len > max
    {
        return Err(Violation::new(
            field,
            format!("must be at most {max} characters, got {len}"),
        ));
    }
    Ok(())
}

/// Checks the number of items of a list against inclusive bounds.
pub fn check_items(
    field: &'static str,
    count: usize,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), Violation> {
    if let Some(min) = min
        && count < min
    {
        return Err(Violation::new(
            field,
            format!("needs at least {min} item(s), got {count}"),
        ));
    }
    if let Some(max) = max
        && count > max
    {
        return Err(Violation::new(
            field,
            format!("takes at most {max} item(s), got {count}"),
        ));
    }
    Ok(())
}

/// Checks that every character of `value` is in `allowed` (a description such as
/// "digits and lowercase letters" is used in the message).
pub fn check_charset(
    field: &'static str,
    value: &str,
    allowed: fn(char) -> bool,
    description: &str,
) -> Result<(), Violation> {
    match value.chars().find(|c| !allowed(*c)) {
        None => Ok(()),
        Some(bad) => Err(Violation::new(
            field,
            format!("may contain only {description}; found {bad:?}"),
        )),
    }
}

/// Parses an integer id given as text, in canonical form only: decimal digits with no sign,
/// no leading zero and no blanks, exactly as the id prints (`11`, not `011`, `+11` or ` 11`).
/// Two spellings of one id would otherwise be two entries of a report for one resource.
/// `field` and `what` name the parameter and the kind of id in the error.
pub fn parse_canonical_id<T>(text: &str, field: &str, what: &str) -> Result<T, crate::Error>
where
    T: std::str::FromStr + std::fmt::Display,
{
    match text.parse::<T>() {
        Ok(id) if id.to_string() == text => Ok(id),
        Ok(id) => Err(crate::Error::invalid_input(format!(
            "`{field}`: {text:?} is not written as the API writes {what}s; write {id}"
        ))),
        Err(_) => Err(crate::Error::invalid_input(format!(
            "`{field}`: {text:?} is not a {what} (a decimal integer)"
        ))),
    }
}

/// [`parse_canonical_id`] of each of `ids` (the [`Deleter`](crate::Deleter) view of an API
/// with numeric ids), tagged with the operation's provider and action.
pub fn parse_canonical_ids<T>(
    ids: &[String],
    field: &str,
    what: &str,
    op: crate::runtime::Operation,
) -> Result<Vec<T>, crate::Error>
where
    T: std::str::FromStr + std::fmt::Display,
{
    ids.iter()
        .map(|s| {
            parse_canonical_id(s, field, what)
                .map_err(|e| e.with_provider(op.provider).with_action(op.action))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_taken_in_canonical_form_only() {
        assert_eq!(
            parse_canonical_id::<u64>("11", "CSRIds", "CSR id").ok(),
            Some(11)
        );
        assert_eq!(
            parse_canonical_id::<i64>("-3", "CertId", "certificate id").ok(),
            Some(-3)
        );
        for bad in [
            "011",
            "+11",
            " 11",
            "11 ",
            "",
            "1e3",
            "0x1",
            "-0",
            "99999999999999999999999",
        ] {
            let e = parse_canonical_id::<u64>(bad, "CSRIds", "CSR id").expect_err(bad);
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{bad}");
        }
        let e = parse_canonical_id::<u64>("011", "CSRIds", "CSR id").expect_err("leading zero");
        assert!(e.message().contains("write 11"), "{e}");
    }

    #[test]
    fn length_bounds_are_inclusive() {
        assert!(check_length("f", "abc", Some(1), Some(3)).is_ok());
        let err = check_length("f", "abcd", None, Some(3)).unwrap_err();
        assert_eq!(err.to_string(), "`f`: must be at most 3 characters, got 4");
        assert!(check_length("f", "", Some(1), None).is_err());
    }

    #[test]
    fn items_bounds_are_inclusive() {
        assert!(check_items("ids", 100, Some(1), Some(100)).is_ok());
        assert!(check_items("ids", 101, Some(1), Some(100)).is_err());
        assert!(check_items("ids", 0, Some(1), Some(100)).is_err());
    }

    #[test]
    fn charset_names_the_bad_character() {
        let err =
            check_charset("p", "abC", |c| c.is_ascii_lowercase(), "lowercase letters").unwrap_err();
        assert!(err.message.contains("'C'"), "{err}");
    }
}
