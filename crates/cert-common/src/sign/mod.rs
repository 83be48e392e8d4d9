//! Request signing for the three vendors, as pure functions: time and nonce are inputs.
//!
//! - [`huawei`]: `SDK-HMAC-SHA256` (huaweicloudsdkcore `Signer`).
//! - [`tencent`]: `TC3-HMAC-SHA256` (tencentcloud-sdk-python-common `sign_tc3`).
//! - [`aliyun`]: `ACS3-HMAC-SHA256` (alibabacloud-tea-openapi V3).
//!
//! Each exposes its canonical request and string to sign in [`Signed`] for debugging, and is
//! tested against the vendors' own vectors (`tests/data/signing-vectors.json`).

// Each vendor's signer lives in its folder (`providers/<vendor>/sign.rs`), behind its
// feature; this module holds what they share and names them here.
#[cfg(feature = "aliyun")]
pub use crate::providers::aliyun::sign as aliyun;
#[cfg(feature = "huawei")]
pub use crate::providers::huawei::sign as huawei;
#[cfg(feature = "tencent")]
pub use crate::providers::tencent::sign as tencent;

#[cfg(any(feature = "huawei", feature = "aliyun"))]
use std::borrow::Cow;
use std::fmt;

use ring::{digest, hmac};

/// The result of signing: everything a person needs to debug a signature mismatch.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signed {
    /// The canonical request that was hashed.
    pub canonical_request: String,
    /// The string that was signed.
    pub string_to_sign: String,
    /// The signed header names, `;`-joined.
    pub signed_headers: String,
    /// The hex signature.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

impl fmt::Debug for Signed {
    /// The signature is redacted; canonical request and string to sign are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signed")
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &"** redacted **")
            .finish()
    }
}

/// One signature, built once for both uses: `sign_request` keeps only the `Authorization`
/// value; [`Signed`], the debugging view, is made from it when asked for. The signed header
/// names and the signature are parts of the `Authorization` value (the signature its last 64
/// characters), so neither is a string of its own.
pub(crate) struct Signature {
    canonical_request: String,
    string_to_sign: StringToSign,
    pub(crate) authorization: String,
    /// Where the `;`-joined signed header names are in `authorization`.
    signed_headers: std::ops::Range<usize>,
}

/// Hex characters of an HMAC-SHA256 signature.
pub(crate) const SIGNATURE_HEX_LEN: usize = 64;

impl Signature {
    /// The finished signature: the hex of `tag` is appended to `authorization`, which ends
    /// with `Signature=`.
    pub(crate) fn sealed(
        canonical_request: String,
        string_to_sign: StringToSign,
        mut authorization: String,
        signed_headers: std::ops::Range<usize>,
        tag: &[u8],
    ) -> Self {
        push_hex(&mut authorization, tag);
        Signature {
            canonical_request,
            string_to_sign,
            authorization,
            signed_headers,
        }
    }

    pub(crate) fn into_signed(self) -> Signed {
        let a = &self.authorization;
        Signed {
            canonical_request: self.canonical_request,
            string_to_sign: self.string_to_sign.to_string(),
            signed_headers: a[self.signed_headers.clone()].to_string(),
            signature: a[a.len().saturating_sub(SIGNATURE_HEX_LEN)..].to_string(),
            authorization: self.authorization,
        }
    }
}

/// The string to sign: under 160 bytes with these APIs' values, so it is kept on the stack;
/// an unusually long one (a long service name or `X-Sdk-Date`) moves to the heap.
pub(crate) enum StringToSign {
    Stack([u8; 160], usize),
    Heap(String),
}

impl StringToSign {
    pub(crate) fn new() -> Self {
        StringToSign::Stack([0; 160], 0)
    }

    pub(crate) fn push_str(&mut self, s: &str) {
        match self {
            StringToSign::Stack(buf, len) => match buf.get_mut(*len..*len + s.len()) {
                Some(room) => {
                    room.copy_from_slice(s.as_bytes());
                    *len += s.len();
                }
                None => {
                    let mut heap = String::from_utf8_lossy(&buf[..*len]).into_owned();
                    heap.push_str(s);
                    *self = StringToSign::Heap(heap);
                }
            },
            StringToSign::Heap(heap) => heap.push_str(s),
        }
    }

    /// Appends the lower-case hex of SHA-256 of `data`.
    pub(crate) fn push_sha256_hex(&mut self, data: &[u8]) {
        let mut buf = [0u8; 64];
        self.push_str(hex_into(
            digest::digest(&digest::SHA256, data).as_ref(),
            &mut buf,
        ));
    }

    /// Appends the lower-case hex of `algorithm`'s hash of `data`.
    #[cfg(any(feature = "huawei", feature = "aliyun"))]
    pub(crate) fn push_hash_hex(&mut self, algorithm: SigningAlgorithm, data: &[u8]) {
        match algorithm {
            SigningAlgorithm::HmacSha256 => self.push_sha256_hex(data),
            #[cfg(feature = "sm3")]
            SigningAlgorithm::HmacSm3 => {
                let mut buf = [0u8; 64];
                self.push_str(hex_into(&sm3::digest(data), &mut buf));
            }
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            StringToSign::Stack(buf, len) => &buf[..*len],
            StringToSign::Heap(heap) => heap.as_bytes(),
        }
    }
}

impl fmt::Write for StringToSign {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only `str`s were pushed, so the bytes are UTF-8.
        f.write_str(&String::from_utf8_lossy(self.as_bytes()))
    }
}

/// Lower-case hex of SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

/// Appends the lower-case hex of SHA-256 to `out` (no intermediate `String`).
pub(crate) fn push_sha256_hex(out: &mut String, data: &[u8]) {
    if data.is_empty() {
        // Every body-less request (DELETE, Aliyun's query-only POSTs) hashes the empty body.
        out.push_str(EMPTY_SHA256_HEX);
        return;
    }
    push_hex(out, digest::digest(&digest::SHA256, data).as_ref());
}

/// SHA-256 of no bytes, in hex.
const EMPTY_SHA256_HEX: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The hash and MAC a signature is made with. SHA-256 is every vendor's default; SM3 (the
/// Chinese national hash, GB/T 32905) is Huawei's `SDK-HMAC-SM3` and Aliyun's
/// `ACS3-HMAC-SM3`, behind the cargo feature `sm3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SigningAlgorithm {
    /// HMAC-SHA256 over SHA-256 hashes (`SDK-HMAC-SHA256`, `ACS3-HMAC-SHA256`).
    #[default]
    HmacSha256,
    /// HMAC-SM3 over SM3 hashes (`SDK-HMAC-SM3`, `ACS3-HMAC-SM3`).
    #[cfg(feature = "sm3")]
    HmacSm3,
}

/// A MAC: ring's tag for HMAC-SHA256, 32 bytes for HMAC-SM3.
#[cfg(any(feature = "huawei", feature = "aliyun"))]
pub(crate) enum Mac {
    Ring(hmac::Tag),
    #[cfg(feature = "sm3")]
    Bytes([u8; 32]),
}

#[cfg(any(feature = "huawei", feature = "aliyun"))]
impl AsRef<[u8]> for Mac {
    fn as_ref(&self) -> &[u8] {
        match self {
            Mac::Ring(t) => t.as_ref(),
            #[cfg(feature = "sm3")]
            Mac::Bytes(b) => b,
        }
    }
}

#[cfg(any(feature = "huawei", feature = "aliyun"))]
impl SigningAlgorithm {
    /// Appends the lower-case hex of this algorithm's hash of `data`.
    pub(crate) fn push_hash_hex(self, out: &mut String, data: &[u8]) {
        match self {
            SigningAlgorithm::HmacSha256 => push_sha256_hex(out, data),
            #[cfg(feature = "sm3")]
            SigningAlgorithm::HmacSm3 => push_hex(out, &sm3::digest(data)),
        }
    }

    /// The MAC of `msg` keyed with `secret` (the SHA-256 key schedule cached per thread).
    pub(crate) fn mac_with_secret(self, secret: &std::sync::Arc<str>, msg: &[u8]) -> Mac {
        match self {
            SigningAlgorithm::HmacSha256 => Mac::Ring(hmac_with_secret(secret, msg)),
            #[cfg(feature = "sm3")]
            SigningAlgorithm::HmacSm3 => Mac::Bytes(sm3::hmac(secret.as_bytes(), msg)),
        }
    }

    /// The MAC of `msg` keyed with `key`.
    pub(crate) fn mac(self, key: &[u8], msg: &[u8]) -> Mac {
        match self {
            SigningAlgorithm::HmacSha256 => Mac::Ring(hmac_tag(key, msg)),
            #[cfg(feature = "sm3")]
            SigningAlgorithm::HmacSm3 => Mac::Bytes(sm3::hmac(key, msg)),
        }
    }
}

/// SM3 and HMAC-SM3 (feature `sm3`), with RustCrypto's `sm3` and `hmac` crates.
#[cfg(feature = "sm3")]
pub mod sm3 {
    use hmac::{Mac, SimpleHmac};
    use sm3::{Digest, Sm3};

    /// SM3 of `data`.
    pub fn digest(data: &[u8]) -> [u8; 32] {
        Sm3::digest(data).into()
    }

    /// Lower-case hex SM3 of `data`.
    pub fn hex(data: &[u8]) -> String {
        super::hex(&digest(data))
    }

    /// HMAC-SM3 of `msg` keyed with `key`.
    pub fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
        // Any key length is valid for HMAC; `new_from_slice` cannot fail here.
        let mut m = match <SimpleHmac<Sm3> as Mac>::new_from_slice(key) {
            Ok(m) => m,
            Err(_) => return [0; 32],
        };
        m.update(msg);
        m.finalize().into_bytes().into()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn known_answers() {
            // GB/T 32905-2016, example 1: SM3("abc").
            assert_eq!(
                super::hex(b"abc"),
                "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
            );
            // protocol.md: the empty payload's hash begins 1ab21d83 and ends aa2b.
            let empty = super::hex(b"");
            assert!(
                empty.starts_with("1ab21d83") && empty.ends_with("aa2b"),
                "{empty}"
            );
        }
    }
}

/// HMAC-SHA256.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    hmac_tag(key, msg).as_ref().to_vec()
}

/// The last HMAC key schedule this thread built from a raw secret.
#[cfg(any(feature = "huawei", feature = "aliyun"))]
struct CachedHmacKey {
    secret: std::sync::Arc<str>,
    key: hmac::Key,
}

#[cfg(any(feature = "huawei", feature = "aliyun"))]
thread_local! {
    static LAST_HMAC_KEY: std::cell::RefCell<Option<CachedHmacKey>> =
        const { std::cell::RefCell::new(None) };
}

/// HMAC-SHA256 of `msg` keyed with `secret` (Huawei and Aliyun sign with the raw secret), the
/// key schedule (two SHA-256 blocks) remembered per thread, keyed by the secret itself. The
/// tag is the one [`hmac_tag`] gives. The thread keeps the secret and its key schedule until
/// it signs with another secret or exits.
#[cfg(any(feature = "huawei", feature = "aliyun"))]
fn hmac_with_secret(secret: &std::sync::Arc<str>, msg: &[u8]) -> hmac::Tag {
    LAST_HMAC_KEY
        .try_with(|cell| {
            let mut cached = cell.borrow_mut();
            match cached.as_ref() {
                Some(c) if std::sync::Arc::ptr_eq(&c.secret, secret) || c.secret == *secret => {
                    hmac::sign(&c.key, msg)
                }
                _ => {
                    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
                    let tag = hmac::sign(&key, msg);
                    *cached = Some(CachedHmacKey {
                        secret: std::sync::Arc::clone(secret),
                        key,
                    });
                    tag
                }
            }
        })
        .unwrap_or_else(|_| hmac_tag(secret.as_bytes(), msg))
}

/// HMAC-SHA256 as ring's fixed-size tag: no heap allocation, for chaining derived keys.
pub(crate) fn hmac_tag(key: &[u8], msg: &[u8]) -> hmac::Tag {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), msg)
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    push_hex(&mut s, bytes);
    s
}

/// Appends the lower-case hex of `bytes` to `out`.
fn push_hex(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    // A digest (32 bytes) at a time through a stack buffer: one copy per chunk instead of a
    // `char` push per digit.
    for chunk in bytes.chunks(32) {
        let mut buf = [0u8; 64];
        let hex = hex_into(chunk, &mut buf);
        out.push_str(hex);
    }
}

/// Writes the lower-case hex of `bytes` (at most 32) into `buf` and returns it.
fn hex_into<'b>(bytes: &[u8], buf: &'b mut [u8; 64]) -> &'b str {
    for (pair, b) in buf.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX_DIGITS[(b >> 4) as usize];
        pair[1] = HEX_DIGITS[(b & 15) as usize];
    }
    // Hex digits are ASCII, so this never fails.
    std::str::from_utf8(&buf[..bytes.len().min(32) * 2]).unwrap_or_default()
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` to `out` with ASCII letters upper-cased (the canonical method).
pub(crate) fn push_upper(out: &mut String, s: &str) {
    let start = out.len();
    out.push_str(s);
    out[start..].make_ascii_uppercase();
}

/// Appends `s` in ASCII lower case (header names are ASCII).
#[cfg(feature = "huawei")]
pub(crate) fn push_lower(out: &mut String, s: &str) {
    let start = out.len();
    out.push_str(s);
    out[start..].make_ascii_lowercase();
}

/// A header name in lower case, borrowed when it already is (the common case).
#[cfg(feature = "aliyun")]
pub(crate) fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// Constant-time comparison of two signatures (for verifiers).
pub fn signatures_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Reorders `headers`, whose first `given` entries are the caller's and the rest the
/// signer's: the signer's first, then the caller's in their order, without any that a header
/// before it (the signer's included) already names. Signers build their headers this way in
/// the request's own vector.
#[cfg(any(feature = "tencent", feature = "aliyun"))]
pub(crate) fn signer_headers_first(
    headers: &mut Vec<(crate::http::HeaderName, String)>,
    given: usize,
) {
    headers.rotate_left(given);
    let mut i = headers.len() - given;
    while i < headers.len() {
        if headers[..i]
            .iter()
            .any(|(h, _)| h.eq_ignore_ascii_case(&headers[i].0))
        {
            headers.remove(i);
        } else {
            i += 1;
        }
    }
}

/// `UNRESERVED[b]`: whether byte `b` is left as it is by percent-encoding.
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~');
        b += 1;
    }
    table
};

pub(crate) fn is_unreserved(b: u8) -> bool {
    UNRESERVED[usize::from(b)]
}

/// Percent-encodes UTF-8, leaving only `A-Z a-z 0-9 - _ . ~`; upper-case hex (`%2F`, `%20`).
pub fn percent_encode(s: &str) -> String {
    encode_with(s, false)
}

/// `application/x-www-form-urlencoded` encoding as Python's `quote_plus`: like
/// [`percent_encode`] but a space becomes `+`.
pub fn form_encode(s: &str) -> String {
    encode_with(s, true)
}

fn encode_with(s: &str, plus_for_space: bool) -> String {
    if s.bytes().all(is_unreserved) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() * 3);
    push_encoded(&mut out, s, plus_for_space);
    out
}

/// Appends `s` to `out` encoded as [`percent_encode`] (or [`form_encode`] with
/// `plus_for_space`) does.
pub(crate) fn push_encoded(out: &mut String, s: &str, plus_for_space: bool) {
    const UPPER: &[u8; 16] = b"0123456789ABCDEF";
    // Runs of unreserved bytes are copied whole; each other byte is escaped.
    let bytes = s.as_bytes();
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if is_unreserved(b) {
            continue;
        }
        // The run is ASCII, so both of its ends are character boundaries.
        if let Some(run) = s.get(run_start..i) {
            out.push_str(run);
        }
        run_start = i + 1;
        if plus_for_space && b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(UPPER[usize::from(b >> 4)]));
            out.push(char::from(UPPER[usize::from(b & 15)]));
        }
    }
    if let Some(run) = s.get(run_start..) {
        out.push_str(run);
    }
}

/// Decodes `%XX` escapes (invalid escapes are kept as they are); with `plus_is_space`,
/// `+` becomes a space. Invalid UTF-8 is replaced, never a panic.
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hexval = |c: u8| (c as char).to_digit(16);
                match (hexval(bytes[i + 1]), hexval(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                    }
                    _ => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// [`percent_decode`], borrowing `s` when there is nothing to decode (the common case).
#[cfg(any(feature = "huawei", feature = "aliyun"))]
pub(crate) fn decode_cow(s: &str, plus_is_space: bool) -> Cow<'_, str> {
    if s.bytes().any(|b| b == b'%' || (plus_is_space && b == b'+')) {
        Cow::Owned(percent_decode(s, plus_is_space))
    } else {
        Cow::Borrowed(s)
    }
}

/// [`parse_query`] without copying the pairs that need no decoding.
#[cfg(any(feature = "huawei", feature = "aliyun"))]
pub(crate) fn parse_query_cow(
    query: &str,
    plus_is_space: bool,
) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode_cow(k, plus_is_space), decode_cow(v, plus_is_space))
        })
        .collect()
}

/// Appends decoded, already sorted pairs as `enc(k)=enc(v)` joined by `&`.
#[cfg(any(feature = "huawei", feature = "aliyun"))]
pub(crate) fn push_canonical_query<K: AsRef<str>, V: AsRef<str>>(
    out: &mut String,
    sorted: &[(K, V)],
) {
    for (i, (k, v)) in sorted.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_encoded(out, k.as_ref(), false);
        out.push('=');
        push_encoded(out, v.as_ref(), false);
    }
}

/// Splits a wire query string into decoded `(key, value)` pairs.
pub fn parse_query(query: &str, plus_is_space: bool) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode(k, plus_is_space),
                percent_decode(v, plus_is_space),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(any(feature = "huawei", feature = "aliyun"))]
    fn the_remembered_hmac_key_gives_the_fresh_tag() {
        use std::sync::Arc;
        let one: Arc<str> = Arc::from("secret-one");
        let one_again: Arc<str> = Arc::from("secret-one");
        let two: Arc<str> = Arc::from("secret-two");
        for (secret, msg) in [
            (&one, &b"a"[..]),
            (&one, b"b"),
            (&two, b"b"),
            (&one_again, b"c"),
            (&two, b"c"),
        ] {
            assert_eq!(
                hmac_with_secret(secret, msg).as_ref(),
                hmac_tag(secret.as_bytes(), msg).as_ref()
            );
        }
    }

    #[test]
    fn encodings_match_the_vendors() {
        assert_eq!(percent_encode("a b/c~d*e+f"), "a%20b%2Fc~d%2Ae%2Bf");
        assert_eq!(percent_encode("证书-ü"), "%E8%AF%81%E4%B9%A6-%C3%BC");
        assert_eq!(form_encode("tok en/+*~=&ü"), "tok+en%2F%2B%2A~%3D%26%C3%BC");
    }

    #[test]
    fn decode_is_total() {
        assert_eq!(percent_decode("a%20b%2Fc", false), "a b/c");
        assert_eq!(percent_decode("a+b", true), "a b");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("%", false), "%");
        assert_eq!(percent_decode("%4", false), "%4");
        assert_eq!(percent_decode("%zz%41", false), "%zzA");
        assert_eq!(percent_decode("%FF", false), "\u{FFFD}");
        assert_eq!(
            parse_query("CertId=1&ClientToken=tok+en%2F&x", true),
            vec![
                ("CertId".into(), "1".into()),
                ("ClientToken".into(), "tok en/".into()),
                ("x".into(), "".into())
            ]
        );
    }

    #[test]
    fn encoding_by_runs_matches_byte_by_byte() {
        let reference = |s: &str, plus: bool| {
            let mut out = String::new();
            for &b in s.as_bytes() {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                    out.push(char::from(b));
                } else if plus && b == b' ' {
                    out.push('+');
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            out
        };
        let samples = [
            "",
            "a",
            " ",
            "abc",
            "a b",
            "证书",
            "-证-",
            "a证b c~",
            "%",
            "ü",
            "x ü y",
            "~_.-",
            "/v2/p/a b/ü",
            "tok en/+*~=&\u{fc}",
            "\u{1F600}end",
            "start\u{1F600}",
        ];
        for s in samples {
            for plus in [false, true] {
                let mut out = String::from(">");
                push_encoded(&mut out, s, plus);
                assert_eq!(out, format!(">{}", reference(s, plus)), "{s:?} {plus}");
            }
        }
    }

    #[test]
    fn the_empty_body_hash_is_sha256_of_nothing() {
        let mut out = String::new();
        push_hex(&mut out, digest::digest(&digest::SHA256, b"").as_ref());
        assert_eq!(out, EMPTY_SHA256_HEX);
        let mut pushed = String::from("x");
        push_sha256_hex(&mut pushed, b"");
        assert_eq!(pushed, format!("x{EMPTY_SHA256_HEX}"));
    }

    #[test]
    fn a_long_string_to_sign_moves_to_the_heap_whole() {
        let parts = ["TC3-HMAC-SHA256\n", &"s".repeat(150), "\n", "ü-end"];
        let mut sts = StringToSign::new();
        for p in parts {
            sts.push_str(p);
        }
        sts.push_sha256_hex(b"abc");
        let want = format!("{}{}", parts.concat(), sha256_hex(b"abc"));
        assert!(matches!(sts, StringToSign::Heap(_)));
        assert_eq!(sts.as_bytes(), want.as_bytes());
        assert_eq!(sts.to_string(), want);

        let mut short = StringToSign::new();
        short.push_str("ACS3-HMAC-SHA256\n");
        short.push_sha256_hex(b"");
        assert!(matches!(short, StringToSign::Stack(..)));
        assert_eq!(
            short.to_string(),
            format!("ACS3-HMAC-SHA256\n{EMPTY_SHA256_HEX}")
        );
    }

    #[test]
    fn hex_by_chunks_matches_digit_by_digit() {
        let bytes: Vec<u8> = (0..=255u8).rev().collect();
        for n in [0, 1, 31, 32, 33, 64, 70, 256] {
            let want: String = bytes[..n].iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(hex(&bytes[..n]), want, "{n} bytes");
        }
    }

    #[test]
    fn constant_time_compare() {
        assert!(signatures_equal("abc", "abc"));
        assert!(!signatures_equal("abc", "abd"));
        assert!(!signatures_equal("abc", "ab"));
    }
}
