//! A scripted, recording transport and response builders.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::lock;
use crate::error::{Error, ErrorKind};
use crate::http::{HttpRequest, HttpResponse};
use crate::transport::HttpSend;

/// What a [`ScriptedHttp`] answers once its script is used up.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AfterScript {
    /// A transport error, "script exhausted".
    Fail,
    /// The last scripted response, again.
    Repeat(HttpResponse),
}

/// A transport that records every request and answers from a script.
///
/// Each [`send`](HttpSend::send) records the request, then takes the next answer of the
/// script. Once the script is used up it answers, depending on the constructor, a
/// [`ErrorKind::Transport`] error "script exhausted" ([`new`](Self::new)) or the last
/// response again ([`repeating_last`](Self::repeating_last)).
///
/// ```
/// # use cert_common::test_util::{ScriptedHttp, json_response};
/// let http = ScriptedHttp::new([Ok(json_response(200, "{}"))]);
/// let options = cert_common::ClientOptions::default().http(http.clone());
/// // ... drive a client with `options`, then:
/// assert!(http.seen().is_empty());
/// ```
#[derive(Debug)]
pub struct ScriptedHttp {
    answers: Mutex<VecDeque<Result<HttpResponse, Error>>>,
    after: AfterScript,
    seen: Mutex<Vec<HttpRequest>>,
}

impl ScriptedHttp {
    /// Answers `answers` in order, then a transport error "script exhausted" (so a test that
    /// sends more requests than it scripted fails, and a retry loop ends).
    pub fn new(answers: impl IntoIterator<Item = Result<HttpResponse, Error>>) -> Arc<Self> {
        Arc::new(ScriptedHttp {
            answers: Mutex::new(answers.into_iter().collect()),
            after: AfterScript::Fail,
            seen: Mutex::default(),
        })
    }

    /// Answers `responses` in order, then the last of them for every further request.
    ///
    /// # Panics
    ///
    /// If `responses` is empty.
    pub fn repeating_last(responses: impl IntoIterator<Item = HttpResponse>) -> Arc<Self> {
        let answers: VecDeque<_> = responses.into_iter().map(Ok).collect();
        let last = match answers.back() {
            Some(Ok(last)) => last.clone(),
            _ => panic!("ScriptedHttp::repeating_last needs at least one response"),
        };
        Arc::new(ScriptedHttp {
            answers: Mutex::new(answers),
            after: AfterScript::Repeat(last),
            seen: Mutex::default(),
        })
    }

    /// Every request sent so far, in order.
    pub fn seen(&self) -> Vec<HttpRequest> {
        lock(&self.seen).clone()
    }

    /// How many scripted answers have not been used yet.
    pub fn remaining(&self) -> usize {
        lock(&self.answers).len()
    }
}

#[async_trait]
impl HttpSend for ScriptedHttp {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        lock(&self.seen).push(request);
        match lock(&self.answers).pop_front() {
            Some(answer) => answer,
            None => match &self.after {
                AfterScript::Fail => Err(Error::new(ErrorKind::Transport, "script exhausted")),
                AfterScript::Repeat(last) => Ok(last.clone()),
            },
        }
    }
}

/// A response with `status`, `headers` (in order) and a UTF-8 `body`.
///
/// # Panics
/// On a header name or value HTTP does not allow (a mistake in the test).
pub fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    headers
        .iter()
        .try_fold(
            HttpResponse::new(status, body.as_bytes().to_vec()),
            |r, (k, v)| r.with_header(k, v),
        )
        .unwrap_or_else(|e| panic!("test response: {e}"))
}

/// A response with `status`, `Content-Type: application/json` and `body`.
pub fn json_response(status: u16, body: &str) -> HttpResponse {
    response(status, &[("Content-Type", "application/json")], body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str) -> HttpRequest {
        HttpRequest::new("POST", "https", "example.com", path)
    }

    #[tokio::test]
    async fn scripted_http_answers_in_order_records_and_then_fails() {
        let http = ScriptedHttp::new([
            Ok(response(200, &[("X-A", "1")], "one")),
            Err(Error::new(ErrorKind::Timeout, "slow")),
            Ok(response(503, &[], "")),
        ]);
        assert_eq!(http.remaining(), 3);
        let a = http.send(request("/1")).await.expect("first");
        assert_eq!(
            (a.status, a.header("x-a"), &a.body[..]),
            (200, Some("1"), &b"one"[..])
        );
        let e = http.send(request("/2")).await.expect_err("second");
        assert_eq!(e.kind(), ErrorKind::Timeout);
        assert_eq!(http.send(request("/3")).await.expect("third").status, 503);
        assert_eq!(http.remaining(), 0);
        for n in 4..6 {
            let e = http
                .send(request(&format!("/{n}")))
                .await
                .expect_err("exhausted");
            assert_eq!(e.kind(), ErrorKind::Transport);
            assert!(e.to_string().contains("script exhausted"), "{e}");
        }
        let paths: Vec<String> = http.seen().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/1", "/2", "/3", "/4", "/5"]);
    }

    #[tokio::test]
    async fn scripted_http_repeating_last_repeats_only_the_last() {
        let http = ScriptedHttp::repeating_last([json_response(500, "a"), json_response(200, "b")]);
        let mut statuses = Vec::new();
        for _ in 0..4 {
            statuses.push(http.send(request("/")).await.expect("answer").status);
        }
        assert_eq!(statuses, [500, 200, 200, 200]);
        assert_eq!(http.seen().len(), 4);
    }

    #[test]
    #[should_panic(expected = "at least one response")]
    fn scripted_http_repeating_last_refuses_an_empty_script() {
        let _ = ScriptedHttp::repeating_last(Vec::new());
    }

    #[test]
    fn response_helpers() {
        let r = response(404, &[("A", "1"), ("B", "2")], "gone");
        assert_eq!(r.status, 404);
        let headers: Vec<(&str, &[u8])> = r
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_bytes()))
            .collect();
        assert_eq!(headers, [("a", &b"1"[..]), ("b", &b"2"[..])]);
        assert_eq!(r.body, &b"gone"[..]);
        let j = json_response(200, "{}");
        assert_eq!(j.header("content-type"), Some("application/json"));
        assert_eq!(j.headers.len(), 1);
        assert_eq!(j.body, &b"{}"[..]);
    }
}
