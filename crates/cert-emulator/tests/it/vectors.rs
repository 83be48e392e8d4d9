//! Every SDK-HMAC-SHA256 / TC3-HMAC-SHA256 / ACS3-HMAC-SHA256 vector of cert-common's suite is
//! accepted as sent; tampered copies are refused.

use cert_common::time::UtcDateTime;
use cert_emulator::KeyPair;
use cert_emulator::verify::{AuthFailure, aliyun, huawei, tencent};
use cert_emulator::wire::WireRequest;
use serde_json::Value;

struct Case {
    id: String,
    family: String,
    service: String,
    wire: WireRequest,
    keys: Vec<KeyPair>,
    now: i64,
}

fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter_map(val) {
        acc = (acc << 6) | u32::from(c);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn cases() -> Vec<Case> {
    let doc: Value = cert_common::test_util::signing_vectors();
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let mut out = Vec::new();
    for v in doc["vectors"].as_array().expect("vectors array") {
        let algorithm = v["algorithm"].as_str().unwrap_or("");
        if ![
            "SDK-HMAC-SHA256",
            "SDK-HMAC-SM3",
            "TC3-HMAC-SHA256",
            "ACS3-HMAC-SHA256",
        ]
        .contains(&algorithm)
        {
            continue;
        }
        let input = &v["input"];
        let headers = v["output"]["headers"]
            .as_object()
            .expect("headers")
            .iter()
            .map(|(k, v)| (k.clone(), s(v)))
            .collect();
        let body = input["body_base64"]
            .as_str()
            .map(base64)
            .unwrap_or_default();
        let wire = WireRequest::from_url(
            input["method"].as_str().unwrap_or(""),
            v["output"]["url"].as_str().unwrap_or(""),
            headers,
            body,
        );
        let c = &input["credentials"];
        let opt = |v: &Value| v.as_str().map(str::to_string);
        let family = s(&v["family"]);
        let (key, now) = match family.as_str() {
            "huawei" => (
                KeyPair {
                    id: s(&c["ak"]),
                    secret: s(&c["sk"]),
                    token: opt(&c["security_token"]),
                    expires_at: None,
                },
                UtcDateTime::parse_compact(input["timestamp"].as_str().unwrap_or(""))
                    .expect("time")
                    .to_unix(),
            ),
            "tencent" => (
                KeyPair {
                    id: s(&c["secret_id"]),
                    secret: s(&c["secret_key"]),
                    token: opt(&c["token"]),
                    expires_at: None,
                },
                input["timestamp"].as_i64().expect("time"),
            ),
            _ => (
                KeyPair {
                    id: s(&c["access_key_id"]),
                    secret: s(&c["access_key_secret"]),
                    token: opt(&c["security_token"]),
                    expires_at: None,
                },
                UtcDateTime::parse_iso8601(input["timestamp"].as_str().unwrap_or(""))
                    .expect("time")
                    .to_unix(),
            ),
        };
        out.push(Case {
            id: s(&v["id"]),
            family,
            service: s(&input["service"]),
            wire,
            keys: vec![key],
            now,
        });
    }
    out
}

impl Case {
    fn verify(&self, wire: &WireRequest, keys: &[KeyPair], now: i64) -> Result<(), AuthFailure> {
        match self.family.as_str() {
            "huawei" => huawei::verify(wire, keys, &[], now).map(drop),
            "tencent" => tencent::verify(wire, keys, &self.service, now).map(drop),
            _ => aliyun::verify(wire, keys, now).map(drop),
        }
    }

    fn check(&self, wire: &WireRequest) -> Result<(), AuthFailure> {
        self.verify(wire, &self.keys, self.now)
    }

    fn window(&self) -> i64 {
        match self.family.as_str() {
            "tencent" => tencent::MAX_SKEW_SECS,
            "huawei" => huawei::MAX_SKEW_SECS,
            _ => aliyun::MAX_SKEW_SECS,
        }
    }

    fn signed_headers(&self) -> Vec<String> {
        let auth = self.wire.header("Authorization").unwrap_or("");
        let list = auth
            .split(',')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.ends_with("SignedHeaders"))
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        list.split(';').map(str::to_string).collect()
    }

    fn set_header(wire: &mut WireRequest, name: &str, f: impl Fn(&str) -> String) {
        for (k, v) in wire.headers.iter_mut() {
            if k.eq_ignore_ascii_case(name) {
                *v = f(v);
            }
        }
    }
}

#[test]
fn every_vector_is_accepted_at_its_time() {
    let cases = cases();
    assert_eq!(
        cases.len(),
        21,
        "8 Huawei (one SDK-HMAC-SM3) + 7 Tencent + 6 Aliyun vectors"
    );
    for c in &cases {
        assert_eq!(c.check(&c.wire), Ok(()), "{}", c.id);
        // Inside the window on both sides.
        let w = c.window();
        assert_eq!(
            c.verify(&c.wire, &c.keys, c.now + w - 30),
            Ok(()),
            "{}",
            c.id
        );
        assert_eq!(
            c.verify(&c.wire, &c.keys, c.now - w + 30),
            Ok(()),
            "{}",
            c.id
        );
    }
}

#[test]
fn tampered_copies_are_refused() {
    for c in cases() {
        let id = &c.id;
        let refused = |w: &WireRequest, what: &str| {
            assert!(c.check(w).is_err(), "{id}: {what} tampered but accepted");
        };
        // One byte of the body (a body that was absent gains one). The unsigned-payload mode
        // deliberately leaves the body out of the signature.
        let mut w = c.wire.clone();
        match w.body.last_mut() {
            Some(b) => *b ^= 1,
            None => w.body.push(b'x'),
        }
        if c.id == "tc-unsigned-payload" {
            assert_eq!(c.check(&w), Ok(()), "{id}: unsigned payload covers no body");
        } else {
            refused(&w, "body");
        }
        // The path.
        let mut w = c.wire.clone();
        w.path.push('x');
        refused(&w, "path");
        // The query: one more parameter, or one character changed.
        let mut w = c.wire.clone();
        w.query = if w.query.is_empty() {
            "a=1".into()
        } else {
            format!("{}&zz=1", w.query)
        };
        refused(&w, "query (added)");
        if !c.wire.query.is_empty() {
            let mut w = c.wire.clone();
            let last = w.query.pop().unwrap_or('x');
            w.query.push(if last == '1' { '2' } else { '1' });
            refused(&w, "query (changed)");
        }
        // Each signed header's value, and each signed header removed.
        for name in c.signed_headers() {
            let mut w = c.wire.clone();
            Case::set_header(&mut w, &name, |v| format!("{v}0"));
            refused(&w, &format!("header {name}"));
            let mut w = c.wire.clone();
            w.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
            refused(&w, &format!("header {name} removed"));
        }
        // The signature.
        let mut w = c.wire.clone();
        Case::set_header(&mut w, "Authorization", |v| {
            let mut s = v.to_string();
            let last = s.pop().unwrap_or('0');
            s.push(if last == '0' { '1' } else { '0' });
            s
        });
        let e = c.check(&w).expect_err("signature");
        let expected = match c.family.as_str() {
            "huawei" => "APIG.0301",
            "tencent" => "AuthFailure.SignatureFailure",
            _ => "SignatureDoesNotMatch",
        };
        assert_eq!(e.code, expected, "{id}");
        // The timestamp outside the window, either side.
        let w_secs = c.window();
        for now in [c.now + w_secs + 60, c.now - w_secs - 60] {
            let e = c.verify(&c.wire, &c.keys, now).expect_err("expired");
            let expected = match c.family.as_str() {
                "huawei" => "APIG.0301",
                "tencent" => "AuthFailure.SignatureExpire",
                _ => "InvalidTimeStamp.Expired",
            };
            assert_eq!(e.code, expected, "{id}");
        }
        // A different secret for the same id, and an unknown id.
        let other: Vec<KeyPair> = c
            .keys
            .iter()
            .map(|k| KeyPair {
                secret: format!("{}x", k.secret),
                ..k.clone()
            })
            .collect();
        let e = c.verify(&c.wire, &other, c.now).expect_err("other secret");
        assert_eq!(e.code, expected, "{id}");
        let e = c.verify(&c.wire, &[], c.now).expect_err("unknown key");
        let expected = match c.family.as_str() {
            "huawei" => "APIG.0301",
            "tencent" => "AuthFailure.SecretIdNotFound",
            _ => "InvalidAccessKeyId.NotFound",
        };
        assert_eq!(e.code, expected, "{id}");
        // Temporary credentials: the token must match; a permanent key must not carry one.
        let flipped: Vec<KeyPair> = c
            .keys
            .iter()
            .map(|k| KeyPair {
                token: match &k.token {
                    Some(t) => Some(format!("{t}x")),
                    None => Some("unexpected".into()),
                },
                ..k.clone()
            })
            .collect();
        assert!(c.verify(&c.wire, &flipped, c.now).is_err(), "{id}: token");
    }
}
