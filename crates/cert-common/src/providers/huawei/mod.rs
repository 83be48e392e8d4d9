//! Huawei protocol pieces shared by this vendor's API crates (`huawei-elb`, `huawei-apig`,
//! `huawei-csms`), so each of them holds only what is specific to its one API:
//!
//! - [`Config`] / [`ConfigBuilder`]: region, endpoint override, credentials, project id and
//!   [`ClientOptions`], resolved once by [`Config::resolve`] into a [`Resolved`] client core
//!   (a [`Runtime`], an [`Endpoint`] and the project id).
//! - [`fill_path`]: path templates with every parameter percent-encoded as one segment.
//! - [`signed_request`]: the request of one attempt, with `Content-Type`, `User-Agent`,
//!   `X-Client-Request-Id` and the Huawei signature (or `X-Auth-Token`).
//! - [`error_from_response`]: the error of a non-2xx answer, from any of the body shapes the
//!   vendor's SDK understands (protocol.md §1.7), with the request id from `X-Request-Id`.

pub mod credentials;
pub mod federation;
pub(crate) mod headers;
pub mod metadata;
mod temporary_key;

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use serde_json::Value;

use crate::answer::{
    CodeRule, check_foreign, cut_short, describe, foreign_error, looks_like_json_object,
    service_error, undecodable_success,
};
use crate::credentials::{Credentials, Env, EnvVars, ProvideCredentials, Secret, not_found};
use crate::endpoint::Endpoint;
use crate::error::{Error, Provider};
use crate::http::{Bytes, HttpRequest, HttpResponse};
use crate::retry::server_retry_hint;
use crate::runtime::{Attempt, AttemptContext, ClientOptions, Executed, Operation, Runtime};
use crate::sign::push_encoded;

/// The environment variable holding the project id (the vendor SDK's name).
pub const PROJECT_ID_VAR: &str = "HUAWEICLOUD_SDK_PROJECT_ID";

type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// What a Huawei API crate tells [`Config::resolve`] about itself.
#[derive(Debug, Clone, Copy)]
pub struct ServiceInfo {
    /// The service name of the vendor's endpoint override variable
    /// `HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>` (`ELB`, `APIG`, `CSMS`).
    pub env_service: &'static str,
    /// The endpoint of a region (the generated `endpoint_for_region`).
    pub endpoint_for_region: fn(&str) -> String,
    /// The documented request rate limit per second, if any.
    pub documented_rate: Option<f64>,
    /// The crate's name, for the default User-Agent.
    pub crate_name: &'static str,
    /// The crate's version, for the default User-Agent.
    pub crate_version: &'static str,
}

/// Configuration of a Huawei Cloud client (ELB, APIG or CSMS): build it with
/// [`Config::builder`], hand it to the crate's `Client::new`.
///
/// Resolution, done once when the client is built:
/// - **endpoint**: the explicit [`ConfigBuilder::endpoint`] (any `scheme://host[:port]`, e.g.
///   `http://127.0.0.1:8080` for a local emulator); else the vendor's variable
///   `HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>` (first of its comma-separated endpoints);
///   else the vendor's table for [`ConfigBuilder::region`].
/// - **credentials**: the explicit [`ConfigBuilder::credentials`] (AK/SK, temporary AK/SK with
///   a security token, or [`Credentials::IamToken`]); else `HUAWEICLOUD_SDK_AK`,
///   `HUAWEICLOUD_SDK_SK` and `HUAWEICLOUD_SDK_SECURITY_TOKEN`; else an IAM token in
///   `HUAWEICLOUD_SDK_AUTH_TOKEN`. Credentials are looked up for every attempt.
/// - **project id**: the explicit [`ConfigBuilder::project_id`]; else `HUAWEICLOUD_SDK_PROJECT_ID`.
#[derive(Clone, Default)]
pub struct Config {
    region: Option<String>,
    endpoint: Option<String>,
    credentials: Option<Credentials>,
    project_id: Option<String>,
    profile: Option<String>,
    options: ClientOptions,
    env: Option<EnvLookup>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("project_id", &self.project_id)
            .field("profile", &self.profile)
            .field("options", &self.options)
            .field("env_lookup", &self.env.as_ref().map(|_| "custom"))
            .finish()
    }
}

/// Builds a [`Config`].
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `.build()`"]
pub struct ConfigBuilder {
    config: Config,
}

impl ConfigBuilder {
    /// The region id (e.g. `cn-north-4`), which picks the endpoint from the vendor's table.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.config.region = Some(region.into());
        self
    }

    /// An endpoint that replaces the region's: `https://host`, `host`, or
    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.config.endpoint = Some(endpoint.into());
        self
    }

    /// Explicit credentials (otherwise the environment is read).
    pub fn credentials(mut self, credentials: impl Into<Credentials>) -> Self {
        self.config.credentials = Some(credentials.into());
        self
    }

    /// The project id (otherwise `HUAWEICLOUD_SDK_PROJECT_ID`).
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.config.project_id = Some(project_id.into());
        self
    }

    /// Reads credentials and the project id from this section of the credentials file
    /// (`~/.huaweicloud/credentials`, whose default section is `[basic]`) instead of the
    /// environment's keys. Explicit credentials still win. The section must exist: a missing
    /// one is an error, never a fall-through to other credentials. See `docs/credentials.md`.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.config.profile = Some(name.into());
        self
    }

    /// Retries, pacing, timeouts, HTTP client, User-Agent, and the time/randomness seams.
    pub fn options(mut self, options: ClientOptions) -> Self {
        self.config.options = options;
        self
    }

    /// Reads environment variables through `lookup` instead of the process environment
    /// (for tests, or another source of variables).
    pub fn env_lookup(
        mut self,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.config.env = Some(Arc::new(lookup));
        self
    }

    /// The configuration.
    pub fn build(self) -> Config {
        self.config
    }
}

/// What a client is built on: the runtime, the endpoint and the project id.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The attempt loop, shared by every clone of the client.
    pub runtime: Runtime,
    /// Where requests go.
    pub endpoint: Endpoint,
    /// The project id every path starts with.
    pub project_id: String,
}

impl Config {
    /// A builder.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The configured region, if any.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    fn lookup(&self) -> EnvLookup {
        match &self.env {
            Some(l) => l.clone(),
            None => Arc::new(|k: &str| std::env::var(k).ok()),
        }
    }

    /// Resolves endpoint, project id and credentials provider, and builds the runtime.
    /// Errors are of kind [`ErrorKind::Config`](crate::ErrorKind::Config) (nothing is sent).
    pub fn resolve(&self, service: &ServiceInfo) -> Result<Resolved, Error> {
        let lookup = self.lookup();
        let endpoint = self.resolve_endpoint(service, &lookup)?;
        let env = {
            let l = lookup.clone();
            Env::from_fn(move |k| l(k))
        };
        let from_env = || {
            lookup(PROJECT_ID_VAR)
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
        };
        let project_id = match &self.project_id {
            Some(p) => p.clone(),
            None => match from_env() {
                Some(p) => p,
                None => credentials::profile_project_id(self.profile.as_deref(), &env)
                    .map_err(|e| e.with_provider(Provider::Huawei))?
                    .ok_or_else(|| {
                        Error::config(format!(
                            "no project id: call .project_id(...) on the config, set \
                             {PROJECT_ID_VAR}, or put project_id in the credentials file's profile"
                        ))
                        .with_provider(Provider::Huawei)
                    })?,
            },
        };
        let runtime = Runtime::new(
            self.options.clone(),
            credentials_provider(
                self.credentials.clone(),
                self.profile.clone(),
                self.options.credential_env(env),
                lookup,
            ),
            service.documented_rate,
            service.crate_name,
            service.crate_version,
        )?
        .in_region(Some(self.region.as_deref().unwrap_or(endpoint.host())));
        runtime
            .check_endpoint(&endpoint)
            .map_err(|e| e.with_provider(Provider::Huawei))?;
        Ok(Resolved {
            runtime,
            endpoint,
            project_id,
        })
    }

    fn resolve_endpoint(
        &self,
        service: &ServiceInfo,
        lookup: &EnvLookup,
    ) -> Result<Endpoint, Error> {
        if let Some(e) = &self.endpoint {
            return Endpoint::parse(e);
        }
        let region = self.region.as_deref().map(str::trim).ok_or_else(|| {
            Error::config(
                "no region and no endpoint: set .region(\"cn-north-4\") or .endpoint(...)",
            )
            .with_provider(Provider::Huawei)
        })?;
        if region.is_empty()
            || !region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(Error::config(format!(
                "region {region:?} is not a region id (lowercase letters, digits and '-')"
            ))
            .with_provider(Provider::Huawei));
        }
        let var = region_endpoint_var(service.env_service, region);
        if let Some(first) = lookup(&var).and_then(|v| {
            v.split(',')
                .map(str::trim)
                .find(|s| !s.is_empty())
                .map(str::to_string)
        }) {
            return Endpoint::parse(&first)
                .map_err(|e| Error::config(format!("{var}: {}", e.message())));
        }
        Endpoint::parse(&(service.endpoint_for_region)(region))
    }
}

/// The vendor's endpoint override variable of a service and region:
/// `HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION upper, '-' → '_'>`.
pub fn region_endpoint_var(service: &str, region: &str) -> String {
    format!(
        "HUAWEICLOUD_SDK_REGION_{}_{}",
        service.to_ascii_uppercase(),
        region.to_ascii_uppercase().replace('-', "_")
    )
}

fn credentials_provider(
    explicit: Option<Credentials>,
    profile: Option<String>,
    env: Env,
    lookup: EnvLookup,
) -> Arc<dyn ProvideCredentials> {
    let named = profile.is_some();
    let metadata = metadata::provider(&env);
    let mut chain = credentials::default_sources(explicit, profile, env);
    if !named {
        chain.push(Arc::new(TokenEnvProvider { lookup }));
        chain.push(metadata);
    }
    credentials::chain(chain)
}

/// Reads an IAM token from `HUAWEICLOUD_SDK_AUTH_TOKEN` (sent as `X-Auth-Token`).
#[derive(Clone)]
pub struct TokenEnvProvider {
    lookup: EnvLookup,
}

impl TokenEnvProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        TokenEnvProvider {
            lookup: Arc::new(|k: &str| std::env::var(k).ok()),
        }
    }
}

impl Default for TokenEnvProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for TokenEnvProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenEnvProvider")
            .field("var", &EnvVars::HUAWEI_TOKEN_VAR)
            .finish()
    }
}

#[async_trait]
impl ProvideCredentials for TokenEnvProvider {
    async fn provide(&self) -> Result<Credentials, Error> {
        self.read()
    }

    fn provide_now(&self) -> Option<Result<Credentials, Error>> {
        Some(self.read())
    }

    fn describe(&self) -> String {
        format!("environment ({})", EnvVars::HUAWEI_TOKEN_VAR)
    }
}

impl TokenEnvProvider {
    fn read(&self) -> Result<Credentials, Error> {
        match (self.lookup)(EnvVars::HUAWEI_TOKEN_VAR).map(|t| t.trim().to_string()) {
            Some(t) if !t.is_empty() => Ok(Credentials::IamToken(Secret::new(t))),
            _ => Err(not_found(format!(
                "no IAM token: {} is not set",
                EnvVars::HUAWEI_TOKEN_VAR
            ))),
        }
    }
}

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

/// The request id of an answer: the `X-Request-Id` header.
pub fn request_id(response: &HttpResponse) -> Option<String> {
    response
        .header("x-request-id")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The code and message of a Huawei error body (protocol.md §1.7): the first of
/// `error_code`+`error_msg`, `errorCode`+`errorMsg`, `code`+`message` in the object itself,
/// else the same search in its nested objects. `None` when the body is not JSON or has none.
pub fn error_fields(body: &[u8]) -> Option<(String, String)> {
    let v: Value = serde_json::from_slice(body).ok()?;
    find_fields(&v, 0)
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn find_fields(v: &Value, depth: usize) -> Option<(String, String)> {
    let obj = v.as_object()?;
    for (c, m) in [
        ("error_code", "error_msg"),
        ("errorCode", "errorMsg"),
        ("code", "message"),
    ] {
        if let (Some(code), Some(msg)) = (obj.get(c).and_then(scalar), obj.get(m).and_then(scalar))
        {
            return Some((code, msg));
        }
    }
    if depth >= 8 {
        return None;
    }
    obj.values()
        .filter(|n| n.is_object())
        .find_map(|n| find_fields(n, depth + 1))
}

/// The API's name in error messages.
const API: &str = "a Huawei Cloud API";

/// Checks that an answer can come from a Huawei Cloud API at all ([`check_foreign`]): a
/// redirect, HTML or text where JSON is due, or a refusal without a body is a configuration
/// error. Every Huawei operation's parser calls it first.
pub fn check_answer(response: &HttpResponse) -> Result<(), Error> {
    check_foreign(response, API).map_err(|e| e.with_provider(Provider::Huawei))
}

/// The error of an answer with status ≥ 400 (or any answer the caller does not accept).
///
/// - Code and message from [`error_fields`]. A 4xx (other than 429) whose body has neither
///   is not Huawei's (a configuration error); for 5xx and 429 the fallbacks are the HTTP
///   status as the code and the start of the body as the message.
/// - Request id from `X-Request-Id`, else a top-level `request_id` in the body.
/// - What the code means comes from `rules`, the API's generated error table
///   ([`crate::answer::meaning`]): throttling (`APIG.0308`, 429), server errors (5xx:
///   retried, then unconfirmed), wrong endpoint (the gateway's "no such API": a configuration
///   error), authentication failures ([`ErrorKind::Credentials`](crate::ErrorKind::Credentials)), not found, refusals.
/// - `Retry-After` is kept as the server's hint, measured against `now` (the attempt's
///   signing time) when it is an HTTP date.
pub fn error_from_response(response: &HttpResponse, rules: &[CodeRule], now: SystemTime) -> Error {
    let status = response.status;
    let fields = error_fields(&response.body);
    if fields.is_none() && (400..500).contains(&status) && status != 429 {
        if looks_like_json_object(&response.body)
            && serde_json::from_slice::<serde::de::IgnoredAny>(&response.body).is_err()
        {
            return cut_short(response).with_provider(Provider::Huawei);
        }
        return foreign_error(
            response,
            API,
            "an error without Huawei Cloud's error_code and error_msg",
        )
        .with_provider(Provider::Huawei);
    }
    let (code, message) = fields.unwrap_or_else(|| {
        (
            status.to_string(),
            format!("unexpected answer: {}", describe(response)),
        )
    });
    let request_id = request_id(response).or_else(|| {
        serde_json::from_slice::<Value>(&response.body)
            .ok()
            .and_then(|v| v.get("request_id").and_then(scalar))
            .filter(|s| !s.is_empty())
    });
    let meaning = crate::answer::meaning(rules, status, Some(&code));
    service_error(meaning, status, Some(code), message)
        .with_provider(Provider::Huawei)
        .with_request_id(request_id)
        .with_retry_after(server_retry_hint(&response.headers, now))
}

/// The error of a success answer the client could not decode
/// ([`crate::answer::undecodable_success`]: another JSON shape is a configuration error,
/// broken JSON a decode error; both may have applied).
pub fn decode_error(response: &HttpResponse, e: &serde_json::Error) -> Error {
    undecodable_success(response, API, e)
        .with_provider(Provider::Huawei)
        .with_request_id(request_id(response))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::{CodeMeaning, CodeRule};
    use crate::error::ErrorKind;
    use crate::retry::RetryClass;

    /// A few of the Huawei tables' entries (the real tables are generated into each crate).
    const RULES: &[CodeRule] = &[
        CodeRule::exact("APIG.0308", CodeMeaning::Throttling),
        CodeRule::exact("APIG.0301", CodeMeaning::Auth),
        CodeRule::exact("APIG.0101", CodeMeaning::WrongEndpoint),
        CodeRule::exact("APIG.9999", CodeMeaning::ServerError),
    ];
    use crate::credentials::AccessKey;
    use crate::time::ManualClock;
    use std::collections::HashMap;
    use std::time::Duration;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        crate::test_util::response(status, headers, body)
    }

    #[test]
    fn every_documented_error_shape_is_read() {
        let f = |b: &str| error_fields(b.as_bytes());
        assert_eq!(
            f(r#"{"error_code":"APIG.2012","error_msg":"Invalid parameter"}"#),
            Some(("APIG.2012".into(), "Invalid parameter".into()))
        );
        assert_eq!(
            f(r#"{"errorCode":"ELB.1001","errorMsg":"bad"}"#),
            Some(("ELB.1001".into(), "bad".into()))
        );
        assert_eq!(
            f(r#"{"code":"KMS.0001","message":"m"}"#),
            Some(("KMS.0001".into(), "m".into()))
        );
        assert_eq!(
            f(r#"{"error":{"code":"ELB.8902","message":"in use"},"request_id":"r"}"#),
            Some(("ELB.8902".into(), "in use".into()))
        );
        assert_eq!(
            f(r#"{"a":{"b":{"error_code":"X.1","error_msg":"deep"}}}"#),
            Some(("X.1".into(), "deep".into()))
        );
        // the first matching pair wins over nested ones
        assert_eq!(
            f(r#"{"error":{"code":"in","message":"i"},"error_code":"out","error_msg":"o"}"#),
            Some(("out".into(), "o".into()))
        );
        assert_eq!(f(r#"{"code":400}"#), None);
        assert_eq!(f("not json"), None);
        assert_eq!(f("[1,2]"), None);
    }

    #[test]
    fn errors_fall_back_to_status_and_raw_body() {
        let e = error_from_response(
            &resp(
                502,
                &[("X-Request-Id", "rid-9")],
                "<html>bad gateway</html>",
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert_eq!(e.code(), Some("502"));
        assert!(e.message().contains("<html>bad gateway</html>"), "{e}");
        assert_eq!(e.request_id(), Some("rid-9"));
        assert_eq!(e.retry_class(), RetryClass::Transient);
        assert!(e.may_have_applied());
        // A 4xx without Huawei's error fields is not Huawei's.
        for body in [r#"{"detail":"nope"}"#, "<html>404</html>"] {
            let e = error_from_response(&resp(404, &[], body), RULES, std::time::UNIX_EPOCH);
            assert!(e.stops_run(), "{body}: {e}");
        }
        let e = error_from_response(
            &resp(
                404,
                &[],
                r#"{"error_code":"APIG.0101","error_msg":"The API does not exist"}"#,
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert!(e.stops_run() && e.code() == Some("APIG.0101"), "{e}");
        let long = "é".repeat(2000);
        let e = error_from_response(&resp(500, &[], &long), RULES, std::time::UNIX_EPOCH);
        assert!(e.message().chars().count() <= 400, "{}", e.message().len());
    }

    #[test]
    fn throttling_keeps_code_message_request_id_and_hint() {
        let e = error_from_response(
            &resp(
                429,
                &[("x-request-id", "rid-1"), ("Retry-After", "2")],
                r#"{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached","request_id":"body-rid"}"#,
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert_eq!(e.kind(), ErrorKind::Throttled);
        assert_eq!(e.code(), Some("APIG.0308"));
        assert_eq!(e.request_id(), Some("rid-1"));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        assert!(e.message().contains("throttling threshold"));
        let e = error_from_response(
            &resp(
                429,
                &[],
                r#"{"error_code":"APIG.0308","error_msg":"slow","request_id":"body-rid"}"#,
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert_eq!(e.request_id(), Some("body-rid"));
    }

    #[test]
    fn authentication_failures_are_credential_errors() {
        let e = error_from_response(
            &resp(
                401,
                &[],
                r#"{"error_code":"APIG.1002","error_msg":"Incorrect token or token resolution failed"}"#,
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert_eq!(e.status(), Some(401));
        assert_eq!(e.code(), Some("APIG.1002"));
        assert_eq!(e.retry_class(), RetryClass::Permanent);
        let e = error_from_response(
            &resp(
                400,
                &[],
                r#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}"#,
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert_eq!(e.kind(), ErrorKind::Credentials);
        let e = error_from_response(
            &resp(
                403,
                &[],
                r#"{"error_code":"APIG.1005","error_msg":"No permissions to request this method"}"#,
            ),
            RULES,
            std::time::UNIX_EPOCH,
        );
        assert_eq!(e.kind(), ErrorKind::Service);
        assert_eq!(e.retry_class(), RetryClass::Permanent);
    }

    #[test]
    fn paths_are_filled_one_segment_per_parameter() {
        let t = "/v2/{project_id}/apigw/certificates/{certificate_id}";
        assert_eq!(
            fill_path(
                t,
                &[("project_id", "p1"), ("certificate_id", "cert id/ü~x")]
            )
            .expect("path"),
            "/v2/p1/apigw/certificates/cert%20id%2F%C3%BC~x"
        );
        assert_eq!(
            fill_path(t, &[("project_id", "p"), ("certificate_id", "../../x?y#z")]).expect("path"),
            "/v2/p/apigw/certificates/..%2F..%2Fx%3Fy%23z"
        );
        for bad in ["", ".", ".."] {
            let e = fill_path(t, &[("project_id", "p"), ("certificate_id", bad)]).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad:?}");
        }
        assert!(fill_path(t, &[("project_id", "p")]).is_err());
        let e = fill_path("/x", &[("project_id", "p")]).unwrap_err();
        assert!(e.message().contains("has no {project_id}"), "{e}");
        assert_eq!(
            fill_path("/{a}/x/{a}", &[("a", "p q")]).expect("twice"),
            "/p%20q/x/p%20q"
        );
        assert!(fill_path("/{a", &[("a", "p")]).is_err());
        assert!(fill_path("/{ab}", &[("a", "p")]).is_err());
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let mut m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        // Unit tests never reach for a metadata service.
        m.entry("CERT_SDK_METADATA_DISABLED".into())
            .or_insert_with(|| "true".into());
        move |k| m.get(k).cloned()
    }

    fn elb_endpoint(region: &str) -> String {
        format!("https://elb.{region}.myhuaweicloud.com")
    }

    const ELB: ServiceInfo = ServiceInfo {
        env_service: "ELB",
        endpoint_for_region: elb_endpoint,
        documented_rate: None,
        crate_name: "huawei-elb",
        crate_version: "0.0.0",
    };

    #[test]
    fn endpoint_and_project_id_resolution() {
        let r = Config::builder()
            .region("cn-north-4")
            .project_id("p1")
            .env_lookup(env(&[]))
            .build()
            .resolve(&ELB)
            .expect("resolve");
        assert_eq!(
            r.endpoint.to_string(),
            "https://elb.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(r.project_id, "p1");

        let r = Config::builder()
            .region("cn-north-4")
            .env_lookup(env(&[
                (
                    "HUAWEICLOUD_SDK_REGION_ELB_CN_NORTH_4",
                    " , http://127.0.0.1:9000,https://b",
                ),
                (PROJECT_ID_VAR, "fromenv"),
            ]))
            .build()
            .resolve(&ELB)
            .expect("resolve");
        assert_eq!(r.endpoint.to_string(), "http://127.0.0.1:9000");
        assert_eq!(r.project_id, "fromenv");

        let r = Config::builder()
            .region("cn-north-4")
            .endpoint("http://127.0.0.1:8080")
            .project_id("p")
            .env_lookup(env(&[(
                "HUAWEICLOUD_SDK_REGION_ELB_CN_NORTH_4",
                "https://x",
            )]))
            .build()
            .resolve(&ELB)
            .expect("resolve");
        assert_eq!(r.endpoint.to_string(), "http://127.0.0.1:8080");

        let e = Config::builder()
            .region("cn-north-4")
            .env_lookup(env(&[]))
            .build()
            .resolve(&ELB)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().contains(PROJECT_ID_VAR), "{e}");

        let e = Config::builder()
            .project_id("p")
            .env_lookup(env(&[]))
            .build()
            .resolve(&ELB)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        for bad in ["evil.com/x", "CN-NORTH-4", "", "a b"] {
            let e = Config::builder()
                .region(bad)
                .project_id("p")
                .env_lookup(env(&[]))
                .build()
                .resolve(&ELB)
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config, "{bad:?}");
        }
        assert_eq!(
            region_endpoint_var("apig", "eu-west-101"),
            "HUAWEICLOUD_SDK_REGION_APIG_EU_WEST_101"
        );
    }

    #[tokio::test]
    async fn credentials_come_from_config_then_keys_then_token() {
        let core = |c: Config| c.resolve(&ELB).expect("resolve").runtime;
        let rt = core(
            Config::builder()
                .region("r")
                .project_id("p")
                .credentials(AccessKey::new("explicit", "sk"))
                .env_lookup(env(&[
                    ("HUAWEICLOUD_SDK_AK", "envak"),
                    ("HUAWEICLOUD_SDK_SK", "s"),
                ]))
                .build(),
        );
        let c = rt.credentials().await.expect("creds");
        assert_eq!(c.access_key().map(AccessKey::id), Some("explicit"));

        let rt = core(
            Config::builder()
                .region("r")
                .project_id("p")
                .env_lookup(env(&[
                    ("HUAWEICLOUD_SDK_AK", "envak"),
                    ("HUAWEICLOUD_SDK_SK", "s"),
                    ("HUAWEICLOUD_SDK_AUTH_TOKEN", "tok"),
                ]))
                .build(),
        );
        let c = rt.credentials().await.expect("creds");
        assert_eq!(c.access_key().map(AccessKey::id), Some("envak"));

        let rt = core(
            Config::builder()
                .region("r")
                .project_id("p")
                .env_lookup(env(&[("HUAWEICLOUD_SDK_AUTH_TOKEN", "tok")]))
                .build(),
        );
        assert_eq!(
            rt.credentials().await.expect("creds"),
            Credentials::IamToken(Secret::new("tok"))
        );

        let rt = core(
            Config::builder()
                .region("r")
                .project_id("p")
                .env_lookup(env(&[]))
                .build(),
        );
        let e = rt.credentials().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert!(e.message().contains("HUAWEICLOUD_SDK_AK"), "{e}");
        assert!(e.message().contains("HUAWEICLOUD_SDK_AUTH_TOKEN"), "{e}");
    }

    #[test]
    fn config_debug_redacts_credentials() {
        let c = Config::builder()
            .credentials(AccessKey::temporary("AKID", "SUPERSECRET", "TOKENVALUE"))
            .build();
        let s = format!("{c:?}");
        assert!(
            !s.contains("SUPERSECRET") && !s.contains("TOKENVALUE"),
            "{s}"
        );
        assert!(s.contains("AKID"), "{s}");
    }

    #[test]
    fn signed_request_matches_the_elb_vector() {
        let clock = ManualClock::at_unix(1_704_164_645); // 2024-01-02T03:04:05Z
        let rt = Config::builder()
            .region("cn-north-4")
            .project_id("0123456789abcdef0123456789abcdef")
            .options(
                ClientOptions::default()
                    .time(Arc::new(clock.clone()), Arc::new(clock.clone()))
                    .user_agent("huaweicloud-usdk-python/3.0; vector-gen/1.0")
                    .client_request_id_header(false),
            )
            .env_lookup(env(&[]))
            .build()
            .resolve(&ELB)
            .expect("resolve");
        let creds = Credentials::AccessKey(AccessKey::new(
            "HPUAEXAMPLEAK0000001",
            "ExampleSecretKey0000000000000000000000001",
        ));
        let path = fill_path(
            "/v3/{project_id}/elb/certificates/batch-delete",
            &[("project_id", &rt.project_id)],
        )
        .expect("path");
        let body = br#"{"certificates": ["5bd3d6e5a1d54e3e8b0d0a6c7f3c1a01", "9a1b2c3d4e5f40718293a4b5c6d7e8f9"]}"#;
        let attempt = Attempt {
            number: 1,
            credentials: &creds,
            now: crate::time::Clock::now(&clock),
            client_request_id: "cid",
            nonce: String::new(),
        };
        let req = signed_request(
            &rt.runtime,
            &rt.endpoint,
            &rt.project_id,
            &RequestSpec {
                method: "POST",
                path: &path,
                content_type: Some("application/json;charset=utf-8"),
                body: body.to_vec().into(),
            },
            &attempt,
        )
        .expect("request");
        let names: Vec<&str> = req.headers.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(
            names,
            [
                "Content-Type",
                "User-Agent",
                "X-Project-Id",
                "X-Sdk-Date",
                "Host",
                "Authorization"
            ]
        );
        assert_eq!(
            req.header("Authorization"),
            Some(
                "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature=0eb7d413926fd50c5e0cdf687603da0c9244062f98518fd248c7f23a6a1f519e"
            )
        );
    }

    #[test]
    fn client_request_id_and_token_headers() {
        let clock = ManualClock::at_unix(0);
        let rt = Config::builder()
            .endpoint("http://127.0.0.1:1")
            .project_id("p")
            .options(
                ClientOptions::default()
                    .time(Arc::new(clock.clone()), Arc::new(clock.clone()))
                    .user_agent("ua"),
            )
            .env_lookup(env(&[]))
            .build()
            .resolve(&ELB)
            .expect("resolve");
        let creds = Credentials::IamToken(Secret::new("iam-token"));
        let attempt = Attempt {
            number: 1,
            credentials: &creds,
            now: SystemTime::UNIX_EPOCH,
            client_request_id: "cid-1",
            nonce: String::new(),
        };
        let req = signed_request(
            &rt.runtime,
            &rt.endpoint,
            &rt.project_id,
            &RequestSpec {
                method: "DELETE",
                path: "/x",
                content_type: Some("application/json"),
                body: Bytes::new(),
            },
            &attempt,
        )
        .expect("request");
        assert_eq!(req.header("X-Client-Request-Id"), Some("cid-1"));
        assert_eq!(req.header("X-Auth-Token"), Some("iam-token"));
        assert_eq!(req.header("Authorization"), None);
        assert_eq!(req.header("Host"), Some("127.0.0.1:1"));
        assert_eq!(req.url(), "http://127.0.0.1:1/x");
        assert!(!format!("{req:?}").contains("iam-token"));
    }
}
