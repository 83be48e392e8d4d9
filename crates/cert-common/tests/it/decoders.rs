//! Property tests: arbitrary bytes and headers never panic any decoder or header parser, and
//! the invariants of `harness::check_every_decoder` hold. The case count
//! is bounded for CI; `cargo xtask soak` runs ten million more.

use crate::harness::{check_every_decoder, response_from_bytes};
use cert_common::answer::{CodeMeaning, CodeRule, lookup, snippet};
use cert_common::providers::aliyun::parse_acs_retry_after;
use cert_common::retry::parse_retry_after;
use cert_common::time::UtcDateTime;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn any_answer_keeps_every_decoders_invariants(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let r = response_from_bytes(&data);
        prop_assert_eq!(check_every_decoder(&r), Ok(()));
    }

    #[test]
    fn header_parsers_take_any_text(text in ".{0,64}", now in any::<i64>()) {
        let _ = parse_retry_after(&text, now);
        let _ = parse_acs_retry_after(&text);
        if let Some(d) = UtcDateTime::parse_http_date(&text) {
            let _ = d.to_unix().saturating_sub(now);
        }
    }

    #[test]
    fn retry_after_in_seconds_is_exact(secs in any::<u64>()) {
        prop_assert_eq!(parse_retry_after(&secs.to_string(), 0), Some(std::time::Duration::from_secs(secs)));
    }

    #[test]
    fn snippets_are_bounded(body in proptest::collection::vec(any::<u8>(), 0..5_000)) {
        prop_assert!(snippet(&body).chars().count() <= cert_common::answer::BODY_SNIPPET + 1);
    }

    #[test]
    fn not_found_needs_the_exact_code(code in "[A-Za-z.]{0,30}") {
        const RULES: &[CodeRule] = &[
            CodeRule::exact("ResourceNotFound.Cert", CodeMeaning::NotFound),
            CodeRule::family("InternalError", CodeMeaning::ServerError),
        ];
        let m = lookup(RULES, &code);
        prop_assert_eq!(m == Some(CodeMeaning::NotFound), code == "ResourceNotFound.Cert");
    }
}
