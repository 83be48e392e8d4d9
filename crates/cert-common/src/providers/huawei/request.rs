//! The request of one attempt: path templates filled segment by segment, and the signed
//! request (or the IAM token).

use super::Resolved;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::http::{Bytes, HttpRequest, HttpResponse};
use crate::runtime::{Attempt, AttemptContext, Executed, Operation, Runtime};
use crate::sign::push_encoded;

/// Fills a path template: each `{name}` is replaced by its value percent-encoded as one path
/// segment (`/` → `%2F`, so no value can reach another path). Empty values and the dot
/// segments `.` and `..` (which URL parsers resolve) are refused as invalid input.
pub fn fill_path<V: AsRef<str>>(template: &str, params: &[(&str, V)]) -> Result<String, Error> {
    for (name, value) in params {
        let value = value.as_ref();
        if value.is_empty() {
            return Err(Error::invalid_input(format!("`{name}` must not be empty")));
        }
        if value == "." || value == ".." {
            return Err(Error::invalid_input(format!(
                "`{name}` must not be {value:?} (a URL would resolve it as a path step)"
            )));
        }
    }
    // One pass over the template, each value encoded straight into the path; which parameters
    // were used is kept in a bit set (a template has a handful).
    let unusable = || {
        Error::invalid_input(format!(
            "path template {template:?} has too many parameters"
        ))
    };
    if params.len() > 64 {
        return Err(unusable());
    }
    let mut used: u64 = 0;
    let mut path = String::with_capacity(
        template.len()
            + params
                .iter()
                .map(|(_, v)| 3 * v.as_ref().len())
                .sum::<usize>(),
    );
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        path.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let found = after.find('}').and_then(|close| {
            let name = &after[..close];
            params
                .iter()
                .position(|(n, _)| *n == name)
                .map(|at| (at, close))
        });
        let Some((at, close)) = found else {
            return Err(Error::invalid_input(format!(
                "path template {template:?} has an unfilled parameter"
            )));
        };
        used |= 1 << at;
        push_encoded(&mut path, params[at].1.as_ref(), false);
        rest = &after[close + 1..];
    }
    path.push_str(rest);
    if let Some((name, _)) = params
        .iter()
        .enumerate()
        .find(|(at, _)| used & (1 << at) == 0)
        .map(|(_, p)| p)
    {
        return Err(Error::invalid_input(format!(
            "path template {template:?} has no {{{name}}}"
        )));
    }
    Ok(path)
}

/// One request's shape, before the per-attempt headers and signature.
#[derive(Debug, Clone)]
pub struct RequestSpec<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Wire path (from [`fill_path`]).
    pub path: &'a str,
    /// The exact `Content-Type` (it is signed).
    pub content_type: Option<&'static str>,
    /// Body bytes (empty for none), shared by every attempt.
    pub body: Bytes,
}

/// The request of one attempt: `Content-Type`, `User-Agent` (the runtime's, signed),
/// `X-Client-Request-Id` (when the runtime sends it), then `X-Project-Id`,
/// `X-Security-Token`, `X-Sdk-Date`, `Host` and `Authorization` from
/// [`crate::sign::huawei::sign_request`] (or `X-Auth-Token` for an IAM token).
pub fn signed_request(
    runtime: &Runtime,
    endpoint: &Endpoint,
    project_id: &str,
    spec: &RequestSpec<'_>,
    attempt: &Attempt<'_>,
) -> Result<HttpRequest, Error> {
    let mut req = HttpRequest::new(spec.method, endpoint.scheme(), endpoint.host(), spec.path);
    if let Some(ct) = spec.content_type {
        req.set_header("Content-Type", ct);
    }
    req.set_header("User-Agent", runtime.user_agent());
    if runtime.sends_client_request_id_header() {
        req.set_header("X-Client-Request-Id", attempt.client_request_id);
    }
    req.body = spec.body.clone();
    crate::sign::huawei::sign_request_with(
        &mut req,
        attempt.credentials,
        Some(project_id),
        attempt.utc(),
        runtime.signing_algorithm(),
    );
    Ok(req)
}

impl Resolved {
    /// Runs one operation through the runtime: every attempt is built and signed afresh by
    /// [`signed_request`] from `spec`, and each answer goes to `parse`.
    pub async fn execute<T, P>(
        &self,
        op: Operation,
        spec: &RequestSpec<'_>,
        parse: P,
    ) -> Result<Executed<T>, Error>
    where
        P: FnMut(&HttpResponse, &AttemptContext) -> Result<T, Error>,
    {
        self.runtime
            .execute(
                op,
                |attempt| {
                    signed_request(
                        &self.runtime,
                        &self.endpoint,
                        &self.project_id,
                        spec,
                        attempt,
                    )
                },
                parse,
            )
            .await
    }
}
