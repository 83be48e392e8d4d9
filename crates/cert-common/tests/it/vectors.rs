//! Every signing vector of `tests/data/signing-vectors.json` (made by the vendors' own SDKs with
//! pinned clocks and nonces) through one data-driven test: canonical request, string to sign,
//! signed headers, signature, Authorization, final headers and URL must match byte for byte.

use base64_free::decode_base64;
use cert_common::credentials::{AccessKey, Credentials};
use cert_common::http::HttpRequest;
use cert_common::sign::{self, Signed, aliyun, huawei, tencent};
use cert_common::time::UtcDateTime;
use serde_json::Value;

/// Vectors of algorithms this SDK does not implement yet, by id. The test fails if a vector
/// of another algorithm appears that is not in this list, so nothing is skipped silently.
const NOT_SUPPORTED_YET: &[(&str, &str)] = &[
    // SM3 is behind the `sm3` feature (`cargo xtask ci` builds with it: the emulator needs it).
    #[cfg(not(feature = "sm3"))]
    ("hw-elb-sm3", "SDK-HMAC-SM3"),
    ("tc-legacy-hmacsha256", "HmacSHA256"),
    ("al-v2-rpc-hmacsha1", "HMAC-SHA1"),
];

mod base64_free {
    /// Standard base64 decoding (the test's only use; avoids a dependency).
    pub fn decode_base64(s: &str) -> Vec<u8> {
        let val = |c: u8| -> u32 {
            match c {
                b'A'..=b'Z' => u32::from(c - b'A'),
                b'a'..=b'z' => u32::from(c - b'a') + 26,
                b'0'..=b'9' => u32::from(c - b'0') + 52,
                b'+' => 62,
                b'/' => 63,
                _ => panic!("bad base64 {c}"),
            }
        };
        let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
        let mut out = Vec::new();
        for chunk in bytes.chunks(4) {
            let mut acc = 0u32;
            for (i, &c) in chunk.iter().enumerate() {
                acc |= val(c) << (18 - 6 * i);
            }
            let n = chunk.len() * 6 / 8;
            for i in 0..n {
                out.push((acc >> (16 - 8 * i)) as u8);
            }
        }
        out
    }
}

fn vectors() -> Vec<Value> {
    let text = include_str!("../data/signing-vectors.json");
    let doc: Value = serde_json::from_str(text).expect("vectors parse");
    doc["vectors"].as_array().expect("vectors array").clone()
}

fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected string, got {v}"))
}

fn opt_s(v: &Value) -> Option<&str> {
    v.as_str()
}

fn body(input: &Value) -> Vec<u8> {
    match input["body_base64"].as_str() {
        Some(b) => decode_base64(b),
        None => Vec::new(),
    }
}

fn base_request(input: &Value) -> HttpRequest {
    let mut req = HttpRequest::new(
        s(&input["method"]),
        s(&input["scheme"]),
        s(&input["host"]),
        s(&input["path"]),
    );
    if let Some(h) = input["headers"].as_object() {
        for (k, v) in h {
            req.headers.push((k.clone().into(), s(v).to_string()));
        }
    }
    req.body = body(input).into();
    req
}

fn key(id: &str, secret: &str, token: Option<&str>) -> AccessKey {
    match token {
        Some(t) => AccessKey::temporary(id, secret, t),
        None => AccessKey::new(id, secret),
    }
}

/// Huawei query pairs as the SDK's signer sees them: lists repeat the key, sorted as strings;
/// booleans are `true`/`false`.
fn huawei_pairs(query: &Value) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for item in query.as_array().expect("huawei query list") {
        let k = s(&item[0]).to_string();
        let render = |v: &Value| match v {
            Value::String(x) => x.clone(),
            Value::Bool(b) => b.to_string(),
            other => other.to_string(),
        };
        match &item[1] {
            Value::Null => {}
            Value::Array(list) => {
                let mut vals: Vec<String> = list.iter().map(render).collect();
                vals.sort();
                for v in vals {
                    pairs.push((k.clone(), v));
                }
            }
            v => pairs.push((k.clone(), render(v))),
        }
    }
    pairs
}

/// Signs the vector's request as the clients do (`sign_request`), then explains the signed
/// request with the pure `sign`, whose `Authorization` must be the one sent.
fn sign_vector(v: &Value) -> (HttpRequest, Signed) {
    let input = &v["input"];
    let creds = &input["credentials"];
    let mut req = base_request(input);
    let signed = match s(&v["algorithm"]) {
        alg @ ("SDK-HMAC-SHA256" | "SDK-HMAC-SM3") => {
            let algorithm = match alg {
                #[cfg(feature = "sm3")]
                "SDK-HMAC-SM3" => sign::SigningAlgorithm::HmacSm3,
                _ => sign::SigningAlgorithm::HmacSha256,
            };
            req.query = huawei::canonical_query(&huawei_pairs(&input["query"]));
            let c = Credentials::AccessKey(key(
                s(&creds["ak"]),
                s(&creds["sk"]),
                opt_s(&creds["security_token"]),
            ));
            let now = UtcDateTime::parse_compact(s(&input["timestamp"])).expect("timestamp");
            huawei::sign_request_with(&mut req, &c, opt_s(&creds["project_id"]), now, algorithm);
            let date = req.header("X-Sdk-Date").expect("X-Sdk-Date");
            huawei::sign_with(&req, s(&creds["ak"]), s(&creds["sk"]), date, algorithm)
        }
        "TC3-HMAC-SHA256" => {
            req.query = s(&input["query"]).to_string();
            let k = key(
                s(&creds["secret_id"]),
                s(&creds["secret_key"]),
                opt_s(&creds["token"]),
            );
            let params = tencent::CommonParams {
                action: s(&input["action"]),
                version: s(&input["version"]),
                region: opt_s(&input["region"]),
                language: s(&input["language"]),
                request_client: s(&input["request_client"]),
                trace_id: s(&input["trace_id"]),
                service: s(&input["service"]),
                unsigned_payload: input["unsigned_payload"].as_bool().unwrap_or(false),
            };
            let ts = input["timestamp"].as_i64().expect("unix timestamp");
            tencent::sign_request(&mut req, &params, &k, ts);
            let input = tencent::SignInput {
                method: &req.method,
                host: &req.host,
                query: &req.query,
                content_type: req.header("Content-Type").expect("Content-Type"),
                payload: &req.body,
                unsigned_payload: params.unsigned_payload,
                timestamp: ts,
                service: params.service,
            };
            tencent::sign(&input, s(&creds["secret_id"]), s(&creds["secret_key"]))
        }
        "ACS3-HMAC-SHA256" => {
            let q = input["query"].as_object().expect("aliyun query object");
            req.query = q
                .iter()
                .map(|(k, v)| format!("{}={}", sign::form_encode(k), sign::form_encode(s(v))))
                .collect::<Vec<_>>()
                .join("&");
            let k = key(
                s(&creds["access_key_id"]),
                s(&creds["access_key_secret"]),
                opt_s(&creds["security_token"]),
            );
            let params = aliyun::CommonParams {
                action: s(&input["action"]),
                version: s(&input["version"]),
                user_agent: s(&input["user_agent"]),
                date: s(&input["timestamp"]),
                nonce: s(&input["nonce"]),
            };
            aliyun::sign_request(&mut req, &params, &k);
            aliyun::sign(
                &req,
                s(&creds["access_key_id"]),
                s(&creds["access_key_secret"]),
            )
        }
        other => panic!("no signer for {other}"),
    };
    (req, signed)
}

#[test]
fn every_supported_vector_matches_byte_for_byte() {
    let mut checked = Vec::new();
    let mut unsupported = Vec::new();
    for v in vectors() {
        let id = s(&v["id"]).to_string();
        let algorithm = s(&v["algorithm"]);
        let supported = matches!(
            algorithm,
            "SDK-HMAC-SHA256" | "TC3-HMAC-SHA256" | "ACS3-HMAC-SHA256"
        ) || (cfg!(feature = "sm3") && algorithm == "SDK-HMAC-SM3");
        if !supported {
            unsupported.push((id, algorithm.to_string()));
            continue;
        }
        let out = &v["output"];
        let (req, signed) = sign_vector(&v);
        assert_eq!(
            signed.canonical_request,
            s(&out["canonical_request"]),
            "{id}: canonical request"
        );
        assert_eq!(
            signed.string_to_sign,
            s(&out["string_to_sign"]),
            "{id}: string to sign"
        );
        assert_eq!(
            signed.signed_headers,
            s(&out["signed_headers"]),
            "{id}: signed headers"
        );
        assert_eq!(signed.signature, s(&out["signature"]), "{id}: signature");
        assert_eq!(
            signed.authorization,
            s(&out["authorization"]),
            "{id}: authorization"
        );
        assert_eq!(
            req.header("Authorization"),
            Some(s(&out["authorization"])),
            "{id}: Authorization sent"
        );
        assert_eq!(req.url(), s(&out["url"]), "{id}: url");
        let expected: Vec<(String, String)> = out["headers"]
            .as_object()
            .expect("headers")
            .iter()
            .map(|(k, v)| (k.clone(), s(v).to_string()))
            .collect();
        let mut got: Vec<(String, String)> = req
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let mut want = expected;
        got.sort();
        want.sort();
        assert_eq!(got, want, "{id}: final headers");
        checked.push(id);
    }
    let listed: Vec<(String, String)> = NOT_SUPPORTED_YET
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(
        unsupported, listed,
        "vectors of unsupported algorithms must be listed by id"
    );
    let expected = if cfg!(feature = "sm3") { 21 } else { 20 };
    assert_eq!(checked.len(), expected, "checked: {checked:?}");
}

#[test]
fn a_changed_byte_changes_the_signature() {
    let v = vectors()
        .into_iter()
        .find(|v| v["id"] == "hw-elb-basic")
        .expect("vector");
    let (mut req, signed) = sign_vector(&v);
    let mut body = req.body.to_vec();
    body.push(b' ');
    req.body = body.into();
    let again = huawei::sign(
        &req,
        "HPUAEXAMPLEAK0000001",
        "ExampleSecretKey0000000000000000000000001",
        "20240102T030405Z",
    );
    assert_ne!(again.signature, signed.signature);
}
