//! The vendors' signing vectors, shipped with this crate.

#[cfg(feature = "huawei")]
use std::sync::Arc;

use serde_json::Value;

#[cfg(feature = "huawei")]
use crate::credentials::{AccessKey, Credentials};
use crate::http::HttpRequest;
#[cfg(feature = "huawei")]
use crate::providers::huawei;
#[cfg(feature = "huawei")]
use crate::retry::RetryConfig;
#[cfg(feature = "huawei")]
use crate::time::{ManualClock, UtcDateTime};
#[cfg(feature = "huawei")]
use crate::transport::HttpSend;

const SIGNING_VECTORS: &str = include_str!("../../tests/data/signing-vectors.json");

/// The whole signing-vector document: requests and signatures produced by the vendors' own
/// SDKs with pinned clocks and nonces (`tests/data/signing-vectors.json` of this crate).
///
/// Its `vectors` member is an array of objects with `id`, `operation`, `input` and `output`.
pub fn signing_vectors() -> Value {
    serde_json::from_str(SIGNING_VECTORS).expect("signing-vectors.json is valid JSON")
}

/// The signing vector with this `id`.
///
/// # Panics
///
/// If there is none.
pub fn signing_vector(id: &str) -> Value {
    signing_vectors()["vectors"]
        .as_array()
        .expect("signing vectors have a `vectors` array")
        .iter()
        .find(|v| v["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no signing vector {id:?}"))
}

/// The User-Agent the Huawei vectors were made with (`HttpConfig.user_agent` pinned by the
/// generator, after the SDK's own prefix).
#[cfg(feature = "huawei")]
pub const HUAWEI_VECTOR_USER_AGENT: &str = "huaweicloud-usdk-python/3.0; vector-gen/1.0";

/// A Huawei client config (shared by `huawei-elb`, `huawei-apig` and `huawei-csms`) that makes
/// exactly the request of a Huawei signing vector: the vector's region, project id and
/// credentials (temporary when it has a security token), its clock, the vendor SDK's
/// User-Agent, no client request id header, no retries, requests sent to `http`, and no
/// environment variables read.
///
/// # Panics
///
/// If the vector lacks those members.
#[cfg(feature = "huawei")]
pub fn huawei_vector_config(vector: &Value, http: Arc<dyn HttpSend>) -> huawei::Config {
    let input = &vector["input"];
    let text = |v: &Value| v.as_str().expect("a string member").to_string();
    let ts = UtcDateTime::parse_compact(&text(&input["timestamp"])).expect("a compact timestamp");
    let clock = ManualClock::at_unix(u64::try_from(ts.to_unix()).expect("a time after 1970"));
    let c = &input["credentials"];
    let credentials: Credentials = match c["security_token"].as_str() {
        Some(t) => AccessKey::temporary(text(&c["ak"]), text(&c["sk"]), t).into(),
        None => AccessKey::new(text(&c["ak"]), text(&c["sk"])).into(),
    };
    huawei::Config::builder()
        .region(text(&input["region"]))
        .project_id(text(&c["project_id"]))
        .credentials(credentials)
        .options(
            super::manual_options(&clock)
                .http(http)
                .retry(RetryConfig::disabled())
                .user_agent(HUAWEI_VECTOR_USER_AGENT)
                .client_request_id_header(false),
        )
        .env_lookup(|_| None)
        .build()
}

/// Asserts that `request` is what the vector's SDK sent: its URL is `output.url`, its headers
/// are exactly `output.headers` (names and values, order aside: JSON objects keep no order; a
/// repeated header fails) and its `Authorization` is `output.authorization`.
///
/// Method and body are left to the caller, since vendors record them differently.
///
/// # Panics
///
/// On any difference (naming the vector's `id`), or if the vector lacks those members.
pub fn assert_wire_matches(request: &HttpRequest, vector: &Value) {
    let id = vector["id"].as_str().unwrap_or("?");
    let output = &vector["output"];
    let text = |v: &Value, what: &str| -> String {
        v.as_str()
            .unwrap_or_else(|| panic!("{id}: {what} is not a string"))
            .to_string()
    };
    assert_eq!(
        request.url(),
        text(&output["url"], "output.url"),
        "{id}: URL"
    );
    let mut want: Vec<(String, String)> = output["headers"]
        .as_object()
        .unwrap_or_else(|| panic!("{id}: output.headers is not an object"))
        .iter()
        .map(|(k, v)| (k.clone(), text(v, k)))
        .collect();
    want.sort();
    let mut got: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    got.sort();
    assert_eq!(got, want, "{id}: headers and values");
    assert_eq!(
        request.header("Authorization"),
        Some(text(&output["authorization"], "output.authorization").as_str()),
        "{id}: Authorization"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_vectors_are_there_and_found_by_id() {
        let all = signing_vectors();
        let vectors = all["vectors"].as_array().expect("array");
        assert!(!vectors.is_empty());
        for v in vectors {
            let id = v["id"].as_str().expect("id");
            assert_eq!(signing_vector(id), *v);
        }
    }

    #[test]
    #[should_panic(expected = "no signing vector")]
    fn signing_vector_refuses_an_unknown_id() {
        let _ = signing_vector("no-such-vector");
    }

    fn vector_request(v: &Value) -> HttpRequest {
        let url = v["output"]["url"].as_str().expect("url");
        let (scheme, rest) = url.split_once("://").expect("scheme");
        let (host, path_query) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
        let mut r = HttpRequest::new("GET", scheme, host, path);
        r.query = query.to_string();
        r.headers = v["output"]["headers"]
            .as_object()
            .expect("headers")
            .iter()
            .rev()
            .map(|(k, v)| (k.clone().into(), v.as_str().expect("value").to_string()))
            .collect();
        r
    }

    #[test]
    fn assert_wire_matches_accepts_the_vector_in_any_header_order() {
        let v = signing_vector("tc-basic");
        assert_wire_matches(&vector_request(&v), &v);
    }

    #[test]
    #[should_panic(expected = "headers and values")]
    fn assert_wire_matches_refuses_a_changed_header() {
        let v = signing_vector("tc-basic");
        let mut r = vector_request(&v);
        let h = r
            .headers
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case("Host"))
            .expect("host header");
        h.1.push('x');
        assert_wire_matches(&r, &v);
    }

    #[test]
    #[should_panic(expected = "headers and values")]
    fn assert_wire_matches_refuses_a_repeated_header() {
        let v = signing_vector("tc-basic");
        let mut r = vector_request(&v);
        let first = r.headers[0].clone();
        r.headers.push(first);
        assert_wire_matches(&r, &v);
    }

    #[test]
    #[should_panic(expected = "URL")]
    fn assert_wire_matches_refuses_another_url() {
        let v = signing_vector("tc-basic");
        let mut r = vector_request(&v);
        r.path.push('x');
        assert_wire_matches(&r, &v);
    }
}
