//! Turns the specs of one crate into the text of its `src/generated/` files.
//!
//! Rendering is pure: the same specs always give the same text (no clock, no hash-map order).
//! The text is not yet formatted; [`super::rustfmt`] does that.

use std::collections::BTreeMap;

use super::spec::{
    Charset, EnumValue, ErrorDef, FieldDef, FieldType, IntFormat, Limits, Location, Spec,
    StructDef, variant_of,
};

/// A spec together with the name of the file it was read from (`batch_delete_csr.json`).
#[derive(Debug, Clone)]
pub struct SpecFile {
    /// The file name inside the crate's `spec/` directory.
    pub file_name: String,
    /// The parsed spec.
    pub spec: Spec,
}

/// Renders every generated file of a crate: file name (inside `src/generated/`) → text.
///
/// Several specs may share a crate: their models and error codes are merged (a struct or code
/// defined twice must be defined identically) and each operation gets its own module in
/// `operation.rs`.
pub fn render_crate(
    specs: &[SpecFile],
    vendor_errors: &[ErrorDef],
) -> Result<BTreeMap<String, String>, String> {
    let first = specs.first().ok_or("no spec files")?;
    for other in specs {
        if other.spec.provider != first.spec.provider || other.spec.service != first.spec.service {
            return Err(format!(
                "{}: every spec of a crate must share provider and service",
                other.file_name
            ));
        }
    }
    let header = header(specs);
    let mut files = BTreeMap::new();
    files.insert("mod.rs".to_owned(), render_mod(&header, specs));
    files.insert("models.rs".to_owned(), render_models(&header, specs)?);
    files.insert(
        "errors.rs".to_owned(),
        render_errors(&header, specs, vendor_errors)?,
    );
    files.insert("operation.rs".to_owned(), render_operation(&header, specs));
    let mut client = match first.spec.provider {
        cert_common::Provider::Huawei => render_huawei_client(&header, specs),
        provider => render_rpc_client(&header, specs, provider),
    };
    for file in specs {
        if let Some(builder) = &file.spec.builder {
            client.push_str(&render_builder(&file.spec, builder));
            if let Some(deleter) = &file.spec.deleter {
                client.push_str(&render_deleter(&file.spec, builder, deleter));
            }
        }
    }
    files.insert("client.rs".to_owned(), client);
    Ok(files)
}

/// The client of a Huawei API crate: its `ServiceInfo` (endpoint override variable, region
/// endpoints, documented rate, crate name) and the `Client` over the shared Huawei core, with
/// its constructor and accessors. The crate adds its operations' entry points and its
/// `Deleter` impl by hand.
fn render_huawei_client(header: &str, specs: &[SpecFile]) -> String {
    let spec = &specs[0].spec;
    let service = spec.service.to_ascii_uppercase();
    let op = snake_case(&spec.operation);
    let mut out = Out::default();
    out.line(header.trim_end());
    out.doc(
        "//!",
        &format!(
            "The Huawei Cloud {service} client over the shared Huawei core \
             (`cert_common::providers::huawei`): configuration resolved once, the runtime, \
             the endpoint and the project id."
        ),
    );
    out.line("");
    out.line("use std::sync::Arc;");
    out.line("");
    out.line("use cert_common::Endpoint;");
    out.line("use cert_common::providers::huawei::{Resolved, ServiceInfo};");
    out.line("");
    out.line("/// The shared Huawei configuration (region, endpoint, credentials, project id, [`ClientOptions`]); see its builder's methods.");
    out.line("pub use cert_common::providers::huawei::{Config, ConfigBuilder};");
    out.line("/// The types of `cert_common` this client's API uses, re-exported so that a user needs only this crate.");
    out.line("pub use cert_common::{ClientOptions, DeleteReport, Error, ErrorKind, ItemOutcome, Outcome, RateLimit, RetryConfig};");
    out.line("");
    out.line(format!("use super::operation::{op} as op;"));
    out.line("");
    out.line(format!(
        "/// What the shared Huawei configuration needs of {service}: the endpoint override \
         variable's service name (`HUAWEICLOUD_SDK_REGION_{service}_<REGION>`), the region \
         endpoints and the documented rate."
    ));
    out.line("pub(crate) const SERVICE: ServiceInfo = ServiceInfo {");
    out.line(format!("    env_service: {},", lit(&service)));
    out.line("    endpoint_for_region: op::endpoint_for_region,");
    out.line("    api: op::API,");
    out.line("};");
    out.line("");
    out.line(format!(
        "/// A Huawei Cloud {service} client. Cheap to clone: clones share the HTTP connection \
         pool, the rate limiter and the retry budget."
    ));
    out.line("#[derive(Debug, Clone)]");
    out.line("pub struct Client {");
    out.line("    pub(crate) inner: Arc<Resolved>,");
    out.line("}");
    out.line("");
    out.line("impl Client {");
    out.line("    /// Builds a client. Fails with [`ErrorKind::Config`] when neither a region nor an endpoint is set, the endpoint is malformed, or no project id is configured (`HUAWEICLOUD_SDK_PROJECT_ID`). Credentials are looked up per request.");
    out.line("    pub fn new(config: Config) -> Result<Self, Error> {");
    out.line("        Ok(Client {");
    out.line("            inner: Arc::new(config.resolve(&SERVICE)?),");
    out.line("        })");
    out.line("    }");
    out.line("");
    out.line("    /// The endpoint requests go to.");
    out.line("    pub fn endpoint(&self) -> &Endpoint {");
    out.line("        &self.inner.endpoint");
    out.line("    }");
    out.line("");
    if spec.deleter.is_some() {
        out.line("    /// Requests one call with several ids keeps in flight: [`ClientOptions::max_concurrency`], else [`DEFAULT_CONCURRENCY`](crate::DEFAULT_CONCURRENCY). They all share the client's rate limiter and retry budget.");
        out.line("    pub fn max_concurrency(&self) -> usize {");
        out.line("        self.inner.runtime.max_concurrency(crate::DEFAULT_CONCURRENCY)");
        out.line("    }");
        out.line("");
    }
    out.line("    /// The project id of every request.");
    out.line("    pub fn project_id(&self) -> &str {");
    out.line("        &self.inner.project_id");
    out.line("    }");
    out.line("");
    out.line("    /// What a request would go out with: region, endpoint, project, credential source and key id (masked); resolves the credentials and sends nothing (`certctl config show`).");
    out.line("    pub async fn scope(&self) -> Result<cert_common::Scope, Error> {");
    out.line("        let scope = self");
    out.line("            .inner");
    out.line("            .runtime");
    out.line("            .scope(env!(\"CARGO_PKG_NAME\"), self.endpoint())");
    out.line("            .await?;");
    out.line("        Ok(scope.with_project(self.project_id().to_string()))");
    out.line("    }");
    out.line("}");
    out.0
}

/// The client of a Tencent or Aliyun API crate: the `Client` over its vendor's shared core
/// (`cert_common::providers::<vendor>::config::Resolved`, built from the crate's `Config`),
/// with its constructor and accessors. The crate adds its operations' entry points and its
/// `Deleter` impl by hand, and exports `DEFAULT_CONCURRENCY`.
fn render_rpc_client(header: &str, specs: &[SpecFile], provider: cert_common::Provider) -> String {
    let spec = &specs[0].spec;
    let op = snake_case(&spec.operation);
    let (vendor, cloud) = match provider {
        cert_common::Provider::Tencent => ("tencent", "Tencent Cloud"),
        _ => ("aliyun", "Alibaba Cloud"),
    };
    let service = spec.service.to_ascii_uppercase();
    let mut out = Out::default();
    out.line(header.trim_end());
    out.doc(
        "//!",
        &format!(
            "The {cloud} {service} client over the shared {cloud} core \
             (`cert_common::providers::{vendor}::config`): configuration resolved once, the \
             runtime and the endpoint."
        ),
    );
    out.line("");
    out.line("use std::sync::Arc;");
    out.line("");
    out.line(format!(
        "use cert_common::providers::{vendor}::config::Resolved;"
    ));
    out.line("use cert_common::Endpoint;");
    out.line("");
    out.line("/// The types of `cert_common` this client's API uses, re-exported so that a user needs only this crate.");
    out.line("pub use cert_common::{ClientOptions, DeleteReport, Error, ErrorKind, ItemOutcome, Outcome, RateLimit, RetryConfig};");
    out.line("");
    out.line(format!("use super::operation::{op} as op;"));
    out.line("");
    let marker = {
        let mut c = spec.service.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    out.line(format!(
        "/// The {service} API, as the shared {cloud} configuration knows it \
         (`Config<{marker}>`)."
    ));
    out.line("#[derive(Debug, Clone, Copy, Default)]");
    out.line(format!("pub struct {marker};"));
    out.line("");
    match provider {
        cert_common::Provider::Tencent => {
            out.line(format!(
                "impl cert_common::providers::tencent::config::TencentApi for {marker} {{"
            ));
            out.line("    const SERVICE: &'static str = op::SERVICE;");
        }
        _ => {
            out.line(format!(
                "impl cert_common::providers::aliyun::config::AliyunApi for {marker} {{"
            ));
            out.line(format!(
                "    const PRODUCT: &'static str = {};",
                lit(&service)
            ));
            out.line("");
            out.line("    fn endpoint_for_region(region: &str) -> String {");
            out.line("        op::endpoint_for_region(region)");
            out.line("    }");
        }
    }
    out.line("}");
    out.line("");
    out.line(format!(
        "/// The configuration of a [`Client`]: the shared {cloud} configuration for this API \
         (region, endpoint, credentials, [`ClientOptions`]); see \
         its builder's methods."
    ));
    out.line(format!(
        "pub type Config = cert_common::providers::{vendor}::config::Config<{marker}>;"
    ));
    out.line("");
    out.line("/// The builder of a [`Config`].");
    out.line(format!(
        "pub type ConfigBuilder = cert_common::providers::{vendor}::config::ConfigBuilder<{marker}>;"
    ));
    out.line("");
    out.line(format!(
        "/// A {cloud} {service} client. Cheap to clone: clones share the HTTP connection \
         pool, the rate limiter and the retry budget."
    ));
    out.line("#[derive(Debug, Clone)]");
    out.line("pub struct Client {");
    out.line("    pub(crate) inner: Arc<Resolved>,");
    out.line("}");
    out.line("");
    out.line("impl Client {");
    out.line("    /// A client from `config`. Fails with [`ErrorKind::Config`] (nothing sent) if the HTTP client cannot be built, or the endpoint is plain `http` to a host other than loopback without [`allow_insecure_http`](cert_common::ClientOptions::allow_insecure_http). Credentials are looked up per request.");
    out.line("    pub fn new(config: Config) -> Result<Self, Error> {");
    out.line("        Ok(Client {");
    out.line("            inner: Arc::new(config.resolve(&op::API)?),");
    out.line("        })");
    out.line("    }");
    out.line("");
    out.line("    /// The endpoint requests go to.");
    out.line("    pub fn endpoint(&self) -> &Endpoint {");
    out.line("        &self.inner.endpoint");
    out.line("    }");
    out.line("");
    out.line("    /// Requests one call with several ids keeps in flight: [`ClientOptions::max_concurrency`], else [`DEFAULT_CONCURRENCY`](crate::DEFAULT_CONCURRENCY). They all share the client's rate limiter and retry budget.");
    out.line("    pub fn max_concurrency(&self) -> usize {");
    out.line("        self.inner.runtime.max_concurrency(crate::DEFAULT_CONCURRENCY)");
    out.line("    }");
    out.line("");
    out.line("    /// What a request would go out with: region, endpoint, credential source and key id (masked); resolves the credentials and sends nothing (`certctl config show`).");
    out.line("    pub async fn scope(&self) -> Result<cert_common::Scope, Error> {");
    out.line("        self.inner");
    out.line("            .runtime");
    out.line("            .scope(env!(\"CARGO_PKG_NAME\"), self.endpoint())");
    out.line("            .await");
    out.line("    }");
    out.line("}");
    out.0
}

/// The crate's `cert_common::Deleter` impl (appended to `client.rs`), over the operation's
/// builder: `plan` and `delete` run it, ids given as strings (numeric ids parsed in canonical
/// form first), streamed at the client's `max_concurrency()`.
fn render_deleter(
    spec: &Spec,
    builder: &super::spec::Builder,
    deleter: &super::spec::DeleterSpec,
) -> String {
    let op = snake_case(&spec.operation);
    let method = &builder.method;
    let (many, id_ty) = match &builder.ids {
        Some(ids) => (ids.many.as_str(), ids.rust_type.as_str()),
        None => return String::new(),
    };
    let numeric = id_ty != "String";
    let field = deleter.id_field.as_deref().unwrap_or("id");
    let what = deleter.id_what.as_deref().unwrap_or("id");
    let ids = if numeric {
        format!(
            "cert_common::validate::parse_canonical_ids::<{id_ty}>(ids, {}, {}, super::operation::{op}::CALL)?",
            lit(field),
            lit(what)
        )
    } else {
        "ids.iter().cloned()".to_owned()
    };
    let mut out = Out::default();
    out.line("");
    out.line(format!(
        "/// The provider-neutral view of the client, for certctl and streamed runs: \
         `{}` over [`Client::{method}`].",
        spec.operation
    ));
    out.line("#[async_trait::async_trait]");
    out.line("impl cert_common::Deleter for Client {");
    out.line("    fn name(&self) -> &'static str {");
    out.line("        env!(\"CARGO_PKG_NAME\")");
    out.line("    }");
    out.line("");
    out.line("    /// The requests `delete` would make, sending nothing.");
    out.line(
        "    fn plan(&self, ids: &[String]) -> Result<Vec<cert_common::PlannedRequest>, Error> {",
    );
    out.line(format!("        self.{method}().{many}({ids}).plan()"));
    out.line("    }");
    if numeric {
        out.line("");
        out.line(format!(
            "    /// Checks one id: a {what} in canonical decimal form (two spellings of one id \
             would be one resource reported twice)."
        ));
        out.line("    fn validate_id(&self, id: &str) -> Result<(), Error> {");
        out.line(format!(
            "        cert_common::validate::parse_canonical_id::<{id_ty}>(id, {}, {})",
            lit(field),
            lit(what)
        ));
        out.line("            .map(drop)");
        out.line(format!(
            "            .map_err(|e| super::operation::{op}::CALL.tag(e))"
        ));
        out.line("    }");
    }
    if let Some(n) = deleter.stream_batch {
        out.line("");
        out.line("    /// Ids a streamed run puts in one request.");
        out.line("    fn stream_batch(&self) -> usize {");
        out.line(format!("        {n}"));
        out.line("    }");
    }
    out.line("");
    out.line(
        "    /// Requests in flight at once when ids are streamed: [`Client::max_concurrency`].",
    );
    out.line("    fn stream_concurrency(&self) -> usize {");
    out.line("        self.max_concurrency()");
    out.line("    }");
    out.line("");
    out.line("    async fn scope(&self) -> Result<cert_common::Scope, Error> {");
    out.line("        Client::scope(self).await");
    out.line("    }");
    out.line("");
    out.line("    /// Deletes `ids`; report ids are the strings as given.");
    out.line("    async fn delete(&self, ids: &[String]) -> Result<cert_common::DeleteReport<String>, Error> {");
    out.line(format!(
        "        let out = self.{method}().{many}({ids}).send().await?;"
    ));
    // A bulk run stops at an answer that stops the call: the error carries what settled.
    if numeric {
        out.line("        Ok(out.into_result()?.map_ids(|id| id.to_string()))");
    } else {
        out.line("        out.into_result()");
    }
    out.line("    }");
    out.line("}");
    out.0
}

/// `batch_delete_certificates` → `BatchDeleteCertificates`.
fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// An operation's fluent builder (appended to `client.rs`): the struct, with `#[must_use]`,
/// the `Client` method that starts it, and its setters. The crate writes `plan()` and
/// `send()` in its own `impl` block.
fn render_builder(spec: &Spec, builder: &super::spec::Builder) -> String {
    let name = format!("{}FluentBuilder", pascal_case(&builder.method));
    let operation = &spec.operation;
    // A field's type as the generated client names it.
    let field_type = |ty: &str| match ty {
        "String" | "u64" | "i64" | "u32" | "bool" => ty.to_owned(),
        other => format!("super::models::{other}"),
    };
    let mut out = Out::default();
    out.line("");
    if let Some(ids) = &builder.ids {
        out.line(format!(
            "/// The result of a `{operation}` call: one outcome per distinct requested id \
             ([`cert_common::DeleteOutput::report`]) and each request made \
             ([`cert_common::DeleteOutput::requests`])."
        ));
        out.line(format!(
            "pub type {}Output = cert_common::DeleteOutput<{}>;",
            pascal_case(&builder.method),
            ids.rust_type
        ));
        out.line("");
    }
    out.line(format!(
        "/// Builds and sends a `{operation}` call; see [`Client::{}`]. Nothing is sent until \
         `send()` is awaited.",
        builder.method
    ));
    out.line("#[derive(Debug, Clone)]");
    out.line("#[must_use = \"a request does nothing until `.send()` is awaited\"]");
    out.line(format!("pub struct {name} {{"));
    out.line("    pub(crate) client: Client,");
    if let Some(ids) = &builder.ids {
        out.line(format!("    pub(crate) ids: Vec<{}>,", ids.rust_type));
    }
    for field in &builder.fields {
        if field.rust_type == "flag" {
            out.line(format!("    pub(crate) {}: bool,", field.name));
        } else {
            let ty = field_type(&field.rust_type);
            out.line(format!("    pub(crate) {}: Option<{ty}>,", field.name));
        }
    }
    out.line("}");
    out.line("");
    out.line("impl Client {");
    match &builder.ids {
        Some(ids) => out.line(format!(
            "    /// Starts a `{operation}` call: add {} ids with [`{name}::{}`] (or \
             [`{name}::{}`]), then `send()`.",
            ids.what, ids.many, ids.one
        )),
        None => out.line(format!(
            "    /// Starts a `{operation}` call (see the crate documentation), then `send()`."
        )),
    }
    out.line(format!("    pub fn {}(&self) -> {name} {{", builder.method));
    out.line(format!("        {name} {{"));
    out.line("            client: self.clone(),");
    if builder.ids.is_some() {
        out.line("            ids: Vec::new(),");
    }
    for field in &builder.fields {
        let empty = if field.rust_type == "flag" {
            "false"
        } else {
            "None"
        };
        out.line(format!("            {}: {empty},", field.name));
    }
    out.line("        }");
    out.line("    }");
    out.line("}");
    out.line("");
    out.line(format!("impl {name} {{"));
    let mut first = true;
    if let Some(ids) = &builder.ids {
        first = false;
        let (id_ty, what) = (&ids.rust_type, &ids.what);
        if id_ty == "String" {
            out.line(format!("    /// Adds a {what} id to delete."));
            out.line(format!(
                "    pub fn {}(mut self, id: impl Into<String>) -> Self {{",
                ids.one
            ));
            out.line("        self.ids.push(id.into());");
            out.line("        self");
            out.line("    }");
            out.line("");
            out.line(format!(
                "    /// Adds {what} ids to delete (repeats are sent and reported once)."
            ));
            out.line(format!(
                "    pub fn {}<I, S>(mut self, ids: I) -> Self",
                ids.many
            ));
            out.line("    where");
            out.line("        I: IntoIterator<Item = S>,");
            out.line("        S: Into<String>,");
            out.line("    {");
            out.line("        self.ids.extend(ids.into_iter().map(Into::into));");
            out.line("        self");
            out.line("    }");
        } else {
            out.line(format!("    /// Adds a {what} id to delete."));
            out.line(format!(
                "    pub fn {}(mut self, id: {id_ty}) -> Self {{",
                ids.one
            ));
            out.line("        self.ids.push(id);");
            out.line("        self");
            out.line("    }");
            out.line("");
            out.line(format!(
                "    /// Adds {what} ids to delete (repeats are sent and reported once)."
            ));
            out.line(format!(
                "    pub fn {}(mut self, ids: impl IntoIterator<Item = {id_ty}>) -> Self {{",
                ids.many
            ));
            out.line("        self.ids.extend(ids);");
            out.line("        self");
            out.line("    }");
        }
    }
    for field in &builder.fields {
        if !first {
            out.line("");
        }
        first = false;
        out.doc("    ///", &field.doc);
        let setter = field.setter.as_deref().unwrap_or(&field.name);
        match field.rust_type.as_str() {
            "flag" => {
                out.line(format!("    pub fn {setter}(mut self) -> Self {{"));
                out.line(format!("        self.{} = true;", field.name));
            }
            "String" => {
                out.line(format!(
                    "    pub fn {setter}(mut self, value: impl Into<String>) -> Self {{"
                ));
                out.line(format!("        self.{} = Some(value.into());", field.name));
            }
            other => {
                let ty = field_type(other);
                out.line(format!(
                    "    pub fn {setter}(mut self, value: {ty}) -> Self {{"
                ));
                out.line(format!("        self.{} = Some(value);", field.name));
            }
        }
        out.line("        self");
        out.line("    }");
    }
    out.line("}");
    out.0
}

/// The first line of every generated file.
pub fn header(specs: &[SpecFile]) -> String {
    let names: Vec<String> = specs
        .iter()
        .map(|s| format!("spec/{}", s.file_name))
        .collect();
    format!(
        "// @generated by `cargo xtask codegen` from {}. Do not edit by hand.\n",
        names.join(", ")
    )
}

/// Accumulates lines of Rust source.
#[derive(Default)]
struct Out(String);

impl Out {
    fn line(&mut self, text: impl AsRef<str>) {
        self.0.push_str(text.as_ref());
        self.0.push('\n');
    }

    /// Doc comment lines (`///` or `//!`) for `text`, taken as Markdown.
    fn doc(&mut self, marker: &str, text: &str) {
        for line in text.trim().lines() {
            let line = line.trim_end();
            if line.is_empty() {
                self.line(marker);
            } else {
                self.line(format!("{marker} {line}"));
            }
        }
    }
}

/// Spec prose made safe for rustdoc: square brackets outside code spans are escaped so they
/// are not read as intra-doc links.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => in_code = !in_code,
            '[' | ']' if !in_code => out.push('\\'),
            _ => {}
        }
        out.push(c);
    }
    out
}

/// A Rust string literal for `s`.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn render_mod(header: &str, specs: &[SpecFile]) -> String {
    let spec = &specs[0].spec;
    let mut out = Out::default();
    out.line(header.trim_end());
    out.doc(
        "//!",
        &format!(
            "Code generated from the specs in `spec/` of the {} `{}` API: request and response \
             models, documented error codes and operation constants.\n\nRegenerate with \
             `cargo xtask codegen`; hand-written code lives outside this module.",
            spec.provider.display_name(),
            spec.service
        ),
    );
    out.line("");
    out.line("pub mod client;");
    out.line("pub mod errors;");
    out.line("pub mod models;");
    out.line("pub mod operation;");
    out.0
}

fn rust_type(ty: &FieldType) -> String {
    match ty {
        FieldType::String => "String".to_owned(),
        FieldType::Boolean => "bool".to_owned(),
        FieldType::Integer {
            format: IntFormat::I64,
        } => "i64".to_owned(),
        FieldType::Integer {
            format: IntFormat::U64,
        } => "u64".to_owned(),
        FieldType::Array { items } => format!("Vec<{}>", rust_type(items)),
        FieldType::Enum { name, .. } | FieldType::Struct { name } => name.clone(),
    }
}

fn field_type(field: &FieldDef) -> String {
    let ty = rust_type(&field.ty);
    if field.required {
        ty
    } else {
        format!("Option<{ty}>")
    }
}

/// Whether the field's Rust type has a `Default` (needed for `#[serde(skip)]` and for deriving
/// `Default` on request structs).
fn has_default(field: &FieldDef) -> bool {
    !field.required || !matches!(field.ty, FieldType::Enum { .. } | FieldType::Struct { .. })
}

/// The limits of a field in words, for its rustdoc.
fn describe_limits(limits: &Limits) -> Vec<String> {
    let mut out = Vec::new();
    let chars = |n: usize| if n == 1 { "character" } else { "characters" };
    match (limits.min_length, limits.max_length) {
        (Some(min), Some(max)) => out.push(format!("Length: {min} to {max} {}.", chars(max))),
        (Some(min), None) => out.push(format!("Length: at least {min} {}.", chars(min))),
        (None, Some(max)) => out.push(format!("Length: at most {max} {}.", chars(max))),
        (None, None) => {}
    }
    if let Some(charset) = &limits.charset {
        out.push(format!("Characters: {}.", charset.description));
    }
    match (limits.min_items, limits.max_items) {
        (Some(min), Some(max)) => out.push(format!("Items: {min} to {max}.")),
        (Some(min), None) => out.push(format!("Items: at least {min}.")),
        (None, Some(max)) => out.push(format!("Items: at most {max}.")),
        (None, None) => {}
    }
    out
}

fn field_doc(field: &FieldDef, in_request: bool) -> String {
    let mut doc = field.doc.trim().to_owned();
    let place = match field.location {
        Location::Path => "path parameter, not part of the JSON body",
        Location::Query => "query parameter, not part of the JSON body",
        Location::Body => "JSON key",
    };
    let need = if field.required {
        "required"
    } else {
        "optional"
    };
    doc.push_str(&format!(
        "\n\nWire name `{}` ({place}; {need}).",
        field.wire
    ));
    let limits = describe_limits(&field.limits);
    if !limits.is_empty() {
        doc.push(' ');
        doc.push_str(&limits.join(" "));
        if in_request {
            doc.push_str(" Checked by `validate()`.");
        }
    }
    if let Some(note) = &field.note {
        doc.push_str("\n\nNote: ");
        doc.push_str(note.trim());
    }
    doc
}

/// Structs of all specs, merged by name, in first-seen order.
fn merged_structs(specs: &[SpecFile]) -> Result<Vec<(StructDef, bool)>, String> {
    let mut out: Vec<(StructDef, bool)> = Vec::new();
    for file in specs {
        let request_side = file.spec.request_side_structs();
        for def in &file.spec.structs {
            let is_request = request_side.contains(&def.name);
            match out.iter().find(|(d, _)| d.name == def.name) {
                Some((existing, existing_request)) => {
                    if existing != def || *existing_request != is_request {
                        return Err(format!(
                            "{}: struct `{}` differs from another spec's struct of that name",
                            file.file_name, def.name
                        ));
                    }
                }
                None => out.push((def.clone(), is_request)),
            }
        }
    }
    Ok(out)
}

/// Enum types of all specs, merged by name, in first-seen order.
fn merged_enums(structs: &[(StructDef, bool)]) -> Vec<(String, String, Vec<EnumValue>)> {
    fn visit(ty: &FieldType, out: &mut Vec<(String, String, Vec<EnumValue>)>) {
        match ty {
            FieldType::Enum { name, doc, values } if !out.iter().any(|(n, _, _)| n == name) => {
                out.push((name.clone(), doc.clone(), values.clone()));
            }
            FieldType::Array { items } => visit(items, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (def, _) in structs {
        for field in &def.fields {
            visit(&field.ty, &mut out);
        }
    }
    out
}

fn render_models(header: &str, specs: &[SpecFile]) -> Result<String, String> {
    let spec = &specs[0].spec;
    let structs = merged_structs(specs)?;
    let enums = merged_enums(&structs);
    let mut out = Out::default();
    out.line(header.trim_end());
    out.doc(
        "//!",
        &format!(
            "Request and response models of the {} `{}` API, as the vendor documents them.\n\n\
             Request structs are plain data built with struct literals; call their `validate()` \
             (in [`super::operation`]) before sending. Response and error structs are \
             `#[non_exhaustive]`: the vendor may add fields.",
            spec.provider.display_name(),
            spec.service
        ),
    );
    out.line("");
    out.line("use serde::{Deserialize, Serialize};");
    for (def, is_request) in &structs {
        out.line("");
        out.doc("///", &esc(&def.doc));
        let derive_default = *is_request && def.fields.iter().all(has_default);
        out.line(format!(
            "#[derive(Debug, Clone, PartialEq, Eq, {}Serialize, Deserialize)]",
            if derive_default { "Default, " } else { "" }
        ));
        if !is_request {
            out.line("#[non_exhaustive]");
        }
        out.line(format!("pub struct {} {{", def.name));
        for field in &def.fields {
            out.doc("///", &esc(&field_doc(field, *is_request)));
            if field.location == Location::Body {
                out.line(format!("#[serde(rename = {})]", lit(&field.wire)));
                if !field.required {
                    out.line("#[serde(default, skip_serializing_if = \"Option::is_none\")]");
                }
            } else {
                out.line("#[serde(skip)]");
            }
            out.line(format!("pub {}: {},", field.name, field_type(field)));
        }
        out.line("}");
    }
    for (name, doc, values) in &enums {
        out.line("");
        out.doc("///", &esc(doc));
        out.line("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]");
        out.line("#[non_exhaustive]");
        out.line(format!("pub enum {name} {{"));
        for value in values {
            out.doc(
                "///",
                &esc(&format!("{}\n\nWire value `{}`.", value.doc, value.wire)),
            );
            out.line(format!("#[serde(rename = {})]", lit(&value.wire)));
            out.line(format!("{},", value.variant));
        }
        out.line("}");
        out.line("");
        out.line(format!("impl {name} {{"));
        out.line("/// Every documented value, in documented order.");
        let all: Vec<String> = values
            .iter()
            .map(|v| format!("Self::{}", v.variant))
            .collect();
        out.line(format!(
            "pub const ALL: &'static [Self] = &[{}];",
            all.join(", ")
        ));
        out.line("");
        out.line("/// The value as sent on the wire.");
        out.line("pub const fn as_str(self) -> &'static str {");
        out.line("match self {");
        for value in values {
            out.line(format!("Self::{} => {},", value.variant, lit(&value.wire)));
        }
        out.line("}");
        out.line("}");
        out.line("}");
        out.line("");
        out.line(format!("impl std::fmt::Display for {name} {{"));
        out.line("fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {");
        out.line("f.write_str(self.as_str())");
        out.line("}");
        out.line("}");
    }
    Ok(out.0)
}

/// Error codes of all specs, merged by code, in first-seen order.
fn merged_errors(specs: &[SpecFile], vendor: &[ErrorDef]) -> Result<Vec<ErrorDef>, String> {
    let mut out: Vec<ErrorDef> = Vec::new();
    for file in specs {
        for error in &file.spec.errors {
            match out.iter().find(|e| e.code == error.code) {
                Some(existing) if existing != error => {
                    return Err(format!(
                        "{}: error code `{}` differs from another spec's entry",
                        file.file_name, error.code
                    ));
                }
                Some(_) => {}
                None => out.push(error.clone()),
            }
        }
    }
    // The vendor's common codes, after the API's own (which win).
    for error in vendor {
        if !out.iter().any(|e| e.code == error.code) {
            out.push(error.clone());
        }
    }
    let mut variants = std::collections::BTreeSet::new();
    for error in &out {
        if !variants.insert(error.variant_name()) {
            return Err(format!(
                "error variant `{}` used by two codes",
                error.variant_name()
            ));
        }
    }
    Ok(out)
}

fn render_errors(header: &str, specs: &[SpecFile], vendor: &[ErrorDef]) -> Result<String, String> {
    let spec = &specs[0].spec;
    let errors = merged_errors(specs, vendor)?;
    let mut out = Out::default();
    out.line(header.trim_end());
    out.doc(
        "//!",
        &format!(
            "Error codes the {} `{}` API documents, with their meaning and how to react{}.",
            spec.provider.display_name(),
            spec.service,
            if vendor.is_empty() {
                String::new()
            } else {
                format!(
                    ", then the vendor's codes common to all its APIs \
                     (`crates/cert-common/vendor-errors/{}.json`)",
                    spec.provider.as_str()
                )
            }
        ),
    );
    out.line("");
    out.line("use cert_common::answer::{CodeMeaning, CodeRule};");
    out.line("use cert_common::retry::RetryClass;");
    out.line("");
    out.doc(
        "///",
        "The API's error table, the one place a code's meaning is decided: the runtime's \
         classifier (`cert_common::answer::meaning`) looks a code up here, exact entries first, \
         then the longest family; a code not listed gets a conservative default by HTTP status.",
    );
    out.line("pub const RULES: &[CodeRule] = &[");
    for error in &errors {
        out.line(format!(
            "CodeRule::{}({}, CodeMeaning::{}),",
            if error.family { "family" } else { "exact" },
            lit(&error.code),
            variant_of(error.meaning())
        ));
    }
    out.line("];");
    out.line("");
    out.doc(
        "///",
        "A provider error code: one variant per documented code, `Unknown` for anything else.\n\n\
         Build it with [`ErrorCode::from_code`]; [`ErrorCode::class`] says whether to retry.",
    );
    out.line("#[derive(Debug, Clone, PartialEq, Eq, Hash)]");
    out.line("#[non_exhaustive]");
    out.line("pub enum ErrorCode {");
    for error in &errors {
        let status = error.http_status.map_or_else(
            || "HTTP status undocumented".to_owned(),
            |s| format!("HTTP {s}"),
        );
        let family = if error.family {
            format!(" and the family `{}.*`", error.code)
        } else {
            String::new()
        };
        out.doc(
            "///",
            &esc(&format!(
                "`{}`{family} ({status}; {}, {}): {}.\n\nSource: {}.",
                error.code,
                error.meaning().as_str(),
                variant_of(error.class).to_lowercase(),
                error.description.trim().trim_end_matches('.'),
                error.source.trim().trim_end_matches('.')
            )),
        );
        out.line(format!("{},", error.variant_name()));
    }
    out.line("/// A code this crate does not document, kept as the server sent it.");
    out.line("Unknown(String),");
    out.line("}");
    out.line("");
    out.line("impl ErrorCode {");
    out.line("/// Every documented code, in spec order.");
    let all: Vec<String> = errors
        .iter()
        .map(|e| format!("Self::{}", e.variant_name()))
        .collect();
    out.line(format!(
        "pub const DOCUMENTED: &'static [Self] = &[{}];",
        all.join(", ")
    ));
    out.line("");
    out.line("/// The code for the string the server sent; unknown strings become `Unknown`.");
    out.line("pub fn from_code(code: &str) -> Self {");
    out.line("match code {");
    for error in &errors {
        out.line(format!(
            "{} => Self::{},",
            lit(&error.code),
            error.variant_name()
        ));
    }
    out.line("other => Self::Unknown(other.to_owned()),");
    out.line("}");
    out.line("}");
    out.line("");
    out.line("/// The code as the server sends it.");
    out.line("pub fn as_str(&self) -> &str {");
    out.line("match self {");
    for error in &errors {
        out.line(format!(
            "Self::{} => {},",
            error.variant_name(),
            lit(&error.code)
        ));
    }
    out.line("Self::Unknown(code) => code,");
    out.line("}");
    out.line("}");
    out.line("");
    out.line(
        "/// How a client should react: slow down, retry, or give up, as [`Self::meaning`] says",
    );
    out.line("/// (the runtime's own rule). A code no entry of [`RULES`] covers is `Permanent` here; the");
    out.line("/// runtime then decides by the answer's HTTP status ([`cert_common::answer::default_meaning`]).");
    out.line("pub fn class(&self) -> RetryClass {");
    out.line("self.meaning().map_or(RetryClass::Permanent, CodeMeaning::retry_class)");
    out.line("}");
    out.line("");
    out.line(
        "/// What the code means for a delete: [`RULES`]' entry for it (an exact entry, else the",
    );
    out.line("/// longest family that covers it, as the runtime looks it up), `None` for a code no entry");
    out.line("/// covers, which gets a default by HTTP status.");
    out.line("pub fn meaning(&self) -> Option<CodeMeaning> {");
    out.line("cert_common::answer::lookup(RULES, self.as_str())");
    out.line("}");
    out.line("");
    out.line("/// The HTTP status the code is documented to come with, if documented.");
    out.line("pub fn http_status(&self) -> Option<u16> {");
    out.line("match self {");
    for error in &errors {
        let status = error
            .http_status
            .map_or_else(|| "None".to_owned(), |s| format!("Some({s})"));
        out.line(format!("Self::{} => {status},", error.variant_name()));
    }
    out.line("Self::Unknown(_) => None,");
    out.line("}");
    out.line("}");
    out.line("");
    out.line("/// The vendor's meaning of the code.");
    out.line("pub fn description(&self) -> &'static str {");
    out.line("match self {");
    for error in &errors {
        out.line(format!(
            "Self::{} => {},",
            error.variant_name(),
            lit(error.description.trim())
        ));
    }
    out.line("Self::Unknown(_) => \"an error code this API does not document\",");
    out.line("}");
    out.line("}");
    out.line("}");
    out.line("");
    out.line("impl std::fmt::Display for ErrorCode {");
    out.line("fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {");
    out.line("f.write_str(self.as_str())");
    out.line("}");
    out.line("}");
    out.line("");
    out.line(
        "/// The typed code of an error the server answered with (`None` for errors without a",
    );
    out.line("/// code, such as transport failures). For a retry loop that gave up, the last error's code.");
    out.line("pub fn error_code(error: &cert_common::Error) -> Option<ErrorCode> {");
    out.line("error.code().map(ErrorCode::from_code)");
    out.line("}");
    Ok(out.0)
}

/// The snake_case module name of an operation (`BatchDeleteCSR` → `batch_delete_csr`).
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn opt_str(value: Option<&String>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| format!("Some({})", lit(v)))
}

fn render_operation(header: &str, specs: &[SpecFile]) -> String {
    let spec = &specs[0].spec;
    let mut out = Out::default();
    out.line(header.trim_end());
    out.doc(
        "//!",
        &format!(
            "Operation constants of the {} `{}` API (one module per operation) and the \
             validation and parameter helpers of each request model.",
            spec.provider.display_name(),
            spec.service
        ),
    );
    for file in specs {
        out.line("");
        render_operation_module(&mut out, file);
    }
    for file in specs {
        out.line("");
        render_request_impl(&mut out, &file.spec);
    }
    out.0
}

fn render_operation_module(out: &mut Out, file: &SpecFile) {
    let spec = &file.spec;
    let mut doc = format!("`{}`: {}", spec.operation, spec.doc.trim());
    for note in &spec.notes {
        doc.push_str("\n\n");
        doc.push_str(note.trim());
    }
    doc.push_str(&format!(
        "\n\nGenerated from `spec/{}`, transcribed from {}.",
        file.file_name,
        spec.source.trim().trim_end_matches('.')
    ));
    out.doc("///", &esc(&doc));
    out.line(format!("pub mod {} {{", snake_case(&spec.operation)));
    let consts: Vec<(&str, &str, String)> = vec![
        (
            "The cloud the API belongs to (`huawei`, `tencent` or `aliyun`).",
            "&str",
            lit(spec.provider.as_str()),
        ),
        (
            "The service name used for signing and endpoints.",
            "&str",
            lit(&spec.service),
        ),
        ("The vendor's operation name.", "&str", lit(&spec.operation)),
        ("The HTTP method.", "&str", lit(&spec.http.method)),
        (
            "The path template; `{name}` placeholders are the request's path parameters.",
            "&str",
            lit(&spec.http.path),
        ),
        (
            "The exact `Content-Type` sent (it is signed); `None` when the request has none.",
            "Option<&str>",
            opt_str(spec.http.content_type.as_ref()),
        ),
        (
            "The HTTP status of a successful answer.",
            "u16",
            spec.http.success_status.to_string(),
        ),
        (
            "Whether the request carries a JSON body (the request model's body fields).",
            "bool",
            spec.request_struct()
                .fields
                .iter()
                .any(|f| f.location == Location::Body)
                .to_string(),
        ),
        (
            "Whether a successful answer carries a body to decode.",
            "bool",
            spec.response.is_some().to_string(),
        ),
        (
            "The documented request rate limit per second, if any.",
            "Option<u32>",
            spec.rate_limit_per_second
                .map_or_else(|| "None".to_owned(), |r| format!("Some({r})")),
        ),
        (
            "The documented maximum number of ids per call, if any.",
            "Option<usize>",
            spec.batch_max
                .map_or_else(|| "None".to_owned(), |r| format!("Some({r})")),
        ),
    ];
    let names = [
        "PROVIDER",
        "SERVICE",
        "OPERATION",
        "METHOD",
        "PATH_TEMPLATE",
        "CONTENT_TYPE",
        "SUCCESS_STATUS",
        "HAS_BODY",
        "HAS_RESPONSE_BODY",
        "RATE_LIMIT_PER_SECOND",
        "BATCH_MAX",
    ];
    for (i, (name, (doc, ty, value))) in names.iter().zip(consts).enumerate() {
        if i > 0 {
            out.line("");
        }
        out.doc("///", doc);
        out.line(format!("pub const {name}: {ty} = {value};"));
    }
    out.line("");
    out.line(
        "/// What the client's runtime is told about this API (`Runtime::for_api`): the vendor, \
         the documented rate and the crate's name and version.",
    );
    out.line("pub const API: cert_common::runtime::ApiInfo = cert_common::runtime::ApiInfo {");
    out.line(format!(
        "    provider: cert_common::Provider::{:?},",
        spec.provider
    ));
    out.line("    documented_rate: match RATE_LIMIT_PER_SECOND {");
    out.line("        Some(r) => Some(r as f64),");
    out.line("        None => None,");
    out.line("    },");
    out.line("    crate_name: env!(\"CARGO_PKG_NAME\"),");
    out.line("    crate_version: env!(\"CARGO_PKG_VERSION\"),");
    out.line("};");
    out.line("");
    out.line(
        "/// What the runtime is told about each call (`Runtime::execute`): the vendor, the \
         action named in errors and logs, and whether the signature carries a nonce.",
    );
    out.line("pub const CALL: cert_common::runtime::Operation = cert_common::runtime::Operation {");
    out.line(format!(
        "    provider: cert_common::Provider::{:?},",
        spec.provider
    ));
    let action = if spec.http.rpc.is_some() {
        "ACTION"
    } else {
        "OPERATION"
    };
    out.line(format!("    action: {action},"));
    out.line(format!(
        "    signs_nonce: {},",
        spec.provider == cert_common::Provider::Aliyun
    ));
    out.line("};");
    if let Some(rpc) = &spec.http.rpc {
        out.line("");
        out.line("/// The RPC action name.");
        out.line(format!("pub const ACTION: &str = {};", lit(&rpc.action)));
        out.line("");
        out.line("/// The RPC API version.");
        out.line(format!("pub const VERSION: &str = {};", lit(&rpc.version)));
    }
    let endpoints = &spec.endpoints;
    out.line("");
    let mut doc =
        "The endpoint of a region no override names; `{region}` stands for the region id."
            .to_owned();
    if let Some(note) = &endpoints.note {
        doc.push_str("\n\n");
        doc.push_str(&esc(note.trim()));
    }
    out.doc("///", &doc);
    out.line(format!(
        "pub const DEFAULT_ENDPOINT: &str = {};",
        lit(&endpoints.default)
    ));
    out.line("");
    out.line("/// The international-site endpoint, when the vendor has a separate one.");
    out.line(format!(
        "pub const INTERNATIONAL_ENDPOINT: Option<&str> = {};",
        opt_str(endpoints.international.as_ref())
    ));
    out.line("");
    out.line("/// A regional endpoint pattern the vendor also serves when it is not the default.");
    out.line(format!(
        "pub const REGIONAL_ENDPOINT: Option<&str> = {};",
        opt_str(endpoints.regional.as_ref())
    ));
    out.line("");
    out.line("/// Regions served elsewhere than [`DEFAULT_ENDPOINT`]: (region id, endpoint).");
    let pairs: Vec<String> = endpoints
        .region_overrides
        .iter()
        .flat_map(|o| {
            o.regions
                .iter()
                .map(move |r| format!("({}, {})", lit(r), lit(&o.endpoint)))
        })
        .collect();
    out.line(format!(
        "pub const REGION_ENDPOINT_OVERRIDES: &[(&str, &str)] = &[{}];",
        pairs.join(", ")
    ));
    out.line("");
    out.line("/// The endpoint (scheme included) for `region`: its override, else the default");
    out.line("/// pattern with `{region}` replaced.");
    out.line("pub fn endpoint_for_region(region: &str) -> String {");
    out.line("let pattern = REGION_ENDPOINT_OVERRIDES");
    out.line(".iter()");
    out.line(".find(|(id, _)| *id == region)");
    out.line(".map_or(DEFAULT_ENDPOINT, |(_, endpoint)| *endpoint);");
    out.line("pattern.replace(\"{region}\", region)");
    out.line("}");
    out.line("}");
}

fn charset_predicate(charset: &Charset) -> String {
    let mut tests: Vec<String> = charset
        .classes
        .iter()
        .map(|class| format!("c.{}()", class.method()))
        .collect();
    if !charset.extra.is_empty() {
        let alternatives: Vec<String> = charset.extra.chars().map(|c| format!("{c:?}")).collect();
        tests.push(format!("matches!(c, {})", alternatives.join(" | ")));
    }
    format!("|c: char| {}", tests.join(" || "))
}

fn opt_usize(value: Option<usize>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| format!("Some({v})"))
}

/// The validation statements of one field: `value` is an expression of type `&String` (for
/// string checks) and `len` one of the array's length (for item checks).
fn field_checks(field: &FieldDef, value: &str, len: &str) -> Vec<String> {
    let limits = &field.limits;
    let wire = lit(&field.wire);
    let mut checks = Vec::new();
    if limits.min_length.is_some() || limits.max_length.is_some() {
        checks.push(format!(
            "cert_common::validate::check_length({wire}, {value}, {}, {})?;",
            opt_usize(limits.min_length),
            opt_usize(limits.max_length)
        ));
    }
    if let Some(charset) = &limits.charset {
        checks.push(format!(
            "cert_common::validate::check_charset({wire}, {value}, {}, {})?;",
            charset_predicate(charset),
            lit(&charset.description)
        ));
    }
    if limits.min_items.is_some() || limits.max_items.is_some() {
        checks.push(format!(
            "cert_common::validate::check_items({wire}, {len}, {}, {})?;",
            opt_usize(limits.min_items),
            opt_usize(limits.max_items)
        ));
    }
    checks
}

/// How a scalar field becomes a parameter string.
/// A parameter's value as a `Cow`: strings borrowed from the request, numbers formatted.
fn param_value(field: &FieldDef, value: &str) -> String {
    match field.ty {
        FieldType::Integer { .. } => format!("std::borrow::Cow::Owned({value}.to_string())"),
        _ => format!("std::borrow::Cow::Borrowed({value}.as_str())"),
    }
}

fn render_params(out: &mut Out, def: &StructDef, location: Location, name: &str, doc: &str) {
    let fields: Vec<&FieldDef> = def
        .fields
        .iter()
        .filter(|f| f.location == location)
        .collect();
    out.line("");
    out.doc("///", doc);
    out.line(format!(
        "pub fn {name}(&self) -> Vec<(&'static str, std::borrow::Cow<'_, str>)> {{"
    ));
    let required: Vec<String> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| {
            format!(
                "({}, {})",
                lit(&f.wire),
                param_value(f, &format!("self.{}", f.name))
            )
        })
        .collect();
    let optional: Vec<&&FieldDef> = fields.iter().filter(|f| !f.required).collect();
    if optional.is_empty() {
        if required.is_empty() {
            out.line("Vec::new()");
        } else {
            out.line(format!("vec![{}]", required.join(", ")));
        }
    } else {
        out.line(format!("let mut params = vec![{}];", required.join(", ")));
        for field in optional {
            out.line(format!("if let Some(value) = &self.{} {{", field.name));
            out.line(format!(
                "params.push(({}, {}));",
                lit(&field.wire),
                param_value(field, "value")
            ));
            out.line("}");
        }
        out.line("params");
    }
    out.line("}");
}

fn render_request_impl(out: &mut Out, spec: &Spec) {
    let def = spec.request_struct();
    out.line(format!("impl super::models::{} {{", def.name));
    out.doc(
        "///",
        "Checks the documented limits of every field; the first broken rule is returned and \
         nothing should be sent.",
    );
    out.line("pub fn validate(&self) -> Result<(), cert_common::validate::Violation> {");
    for field in &def.fields {
        if field.limits.is_empty() {
            continue;
        }
        if field.required {
            let value = format!("&self.{}", field.name);
            let len = format!("self.{}.len()", field.name);
            for check in field_checks(field, &value, &len) {
                out.line(check);
            }
        } else {
            out.line(format!("if let Some(value) = &self.{} {{", field.name));
            for check in field_checks(field, "value", "value.len()") {
                out.line(check);
            }
            out.line("}");
        }
    }
    out.line("Ok(())");
    out.line("}");
    render_params(
        out,
        def,
        Location::Path,
        "path_params",
        "The path parameters as (placeholder, raw value) pairs, in template order (strings \
         borrowed from the request); the caller percent-encodes each value when filling the \
         template.",
    );
    render_params(
        out,
        def,
        Location::Query,
        "query_params",
        "The query parameters as (key, raw value) pairs (strings borrowed from the request); \
         absent optional parameters are left out. The caller encodes and orders them as its \
         signing scheme requires.",
    );
    out.line("}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_spec() -> Spec {
        Spec::parse(
            r#"{
              "source": "inline test spec",
              "provider": "huawei", "service": "demo", "operation": "DeleteThingV2",
              "doc": "Deletes a thing.",
              "http": { "method": "DELETE", "path": "/v1/{project_id}/things",
                        "content_type": null, "success_status": 204 },
              "endpoints": { "default": "https://demo.{region}.example.com",
                             "region_overrides": [ { "regions": ["x-1"],
                                                     "endpoint": "https://demo.x-1.example.eu" } ] },
              "rate_limit_per_second": null, "batch_max": null,
              "request": "DeleteThingRequest", "response": null,
              "error_response": "ErrorResponse",
              "structs": [
                { "name": "DeleteThingRequest", "doc": "The request.", "fields": [
                  { "name": "project_id", "wire": "project_id", "location": "path",
                    "type": { "kind": "string" }, "required": true, "doc": "Project.",
                    "limits": { "min_length": 1, "max_length": 32,
                                "charset": { "classes": ["ascii_digit", "ascii_lowercase"],
                                             "extra": "-",
                                             "description": "digits, lowercase letters and -" } } },
                  { "name": "token", "wire": "Token", "location": "query",
                    "type": { "kind": "string" }, "required": false, "doc": "Token.",
                    "limits": { "max_length": 8 } },
                  { "name": "ids", "wire": "Ids",
                    "type": { "kind": "array", "items": { "kind": "integer", "format": "u64" } },
                    "required": true, "doc": "Ids.", "limits": { "min_items": 1, "max_items": 3 } }
                ] },
                { "name": "ErrorResponse", "doc": "An error.", "fields": [
                  { "name": "error_code", "wire": "error_code", "type": { "kind": "string" },
                    "required": true, "doc": "Code." }
                ] }
              ],
              "errors": [
                { "code": "DEMO.0308", "http_status": 429, "class": "throttling",
                  "description": "Slow down.", "source": "test" }
              ]
            }"#,
        )
        .unwrap_or_else(|e| panic!("inline spec is valid: {e}"))
    }

    /// A spec's `builder` section becomes the fluent builder: the struct with `#[must_use]`,
    /// the `Client` method, the id setters and a flag setter; boolean fields are `bool`.
    #[test]
    fn builders_and_boolean_fields_are_rendered() {
        assert_eq!(rust_type(&FieldType::Boolean), "bool");
        let mut spec = small_spec();
        spec.builder = Some(
            serde_json::from_str(
                r#"{"method": "delete_thing",
                    "ids": {"rust_type": "String", "one": "thing_id", "many": "thing_ids",
                            "what": "thing"},
                    "fields": [{"name": "force", "rust_type": "flag",
                                "doc": "Deletes it even when bound."}]}"#,
            )
            .unwrap_or_else(|e| panic!("builder: {e}")),
        );
        let file = SpecFile {
            file_name: "delete_thing_v2.json".to_owned(),
            spec,
        };
        let files = render_crate(&[file], &[]).unwrap_or_else(|e| panic!("renders: {e}"));
        let client = &files["client.rs"];
        for expected in [
            "#[must_use = \"a request does nothing until `.send()` is awaited\"]",
            "pub struct DeleteThingFluentBuilder {",
            "pub(crate) ids: Vec<String>,",
            "pub(crate) force: bool,",
            "pub fn delete_thing(&self) -> DeleteThingFluentBuilder {",
            "pub fn thing_id(mut self, id: impl Into<String>) -> Self {",
            "pub fn thing_ids<I, S>(mut self, ids: I) -> Self",
            "pub fn force(mut self) -> Self {",
        ] {
            assert!(client.contains(expected), "{expected} in:\n{client}");
        }
    }

    fn render_small() -> BTreeMap<String, String> {
        let file = SpecFile {
            file_name: "delete_thing_v2.json".to_owned(),
            spec: small_spec(),
        };
        render_crate(&[file], &[]).unwrap_or_else(|e| panic!("renders: {e}"))
    }

    /// The vendor's common codes join the table after the API's own; a code the API defines
    /// itself keeps the API's entry.
    #[test]
    fn vendor_codes_are_merged_after_the_apis_own() {
        let vendor: Vec<ErrorDef> = serde_json::from_str(
            r#"[
              { "code": "DEMO.0308", "http_status": 429, "class": "permanent",
                "description": "The vendor's other reading.", "source": "vendor" },
              { "code": "GW.0301", "http_status": 401, "class": "permanent",
                "meaning": "credentials_refused", "description": "Token refused.",
                "source": "vendor" }
            ]"#,
        )
        .unwrap_or_else(|e| panic!("vendor errors: {e}"));
        let file = SpecFile {
            file_name: "delete_thing_v2.json".to_owned(),
            spec: small_spec(),
        };
        let files = render_crate(&[file], &vendor).unwrap_or_else(|e| panic!("renders: {e}"));
        let errors = &files["errors.rs"];
        assert!(errors.contains(r#"CodeRule::exact("DEMO.0308", CodeMeaning::Throttling)"#));
        assert!(!errors.contains("The vendor's other reading"));
        assert!(errors.contains(r#"CodeRule::exact("GW.0301", CodeMeaning::CredentialsRefused)"#));
        let own = errors.find("\"DEMO.0308\"").unwrap_or(usize::MAX);
        let common = errors.find("\"GW.0301\"").unwrap_or(0);
        assert!(own < common, "the API's own codes come first");
    }

    #[test]
    fn every_file_starts_with_the_generated_marker() {
        let files = render_small();
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            // The client is generated for every vendor.
            [
                "client.rs",
                "errors.rs",
                "mod.rs",
                "models.rs",
                "operation.rs"
            ]
        );
        assert!(files["mod.rs"].contains("pub mod client;"));
        assert!(files["client.rs"].contains("config.resolve(&SERVICE)"));
        for text in files.values() {
            let first = text.lines().next().unwrap_or_default();
            assert!(first.contains("@generated"), "{first}");
            assert!(first.contains("cargo xtask codegen"), "{first}");
            assert!(first.contains("spec/delete_thing_v2.json"), "{first}");
        }
    }

    #[test]
    fn a_max_length_renders_a_check_that_rejects_long_input() {
        let operation = &render_small()["operation.rs"];
        assert!(
            operation.contains(
                "cert_common::validate::check_length(\"project_id\", &self.project_id, Some(1), Some(32))?;"
            ),
            "{operation}"
        );
        assert!(
            operation.contains(
                "|c: char| c.is_ascii_digit() || c.is_ascii_lowercase() || matches!(c, '-')"
            ),
            "{operation}"
        );
        // Optional fields are checked only when present.
        assert!(
            operation.contains("if let Some(value) = &self.token {"),
            "{operation}"
        );
        assert!(
            operation.contains("check_length(\"Token\", value, None, Some(8))?;"),
            "{operation}"
        );
        assert!(
            operation.contains("check_items(\"Ids\", self.ids.len(), Some(1), Some(3))?;"),
            "{operation}"
        );
    }

    #[test]
    fn models_use_wire_names_and_skip_non_body_fields() {
        let models = &render_small()["models.rs"];
        assert!(
            models.contains("#[serde(rename = \"Ids\")]\npub ids: Vec<u64>,"),
            "{models}"
        );
        assert!(
            models.contains("#[serde(skip)]\npub project_id: String,"),
            "{models}"
        );
        assert!(models.contains("pub token: Option<String>,"), "{models}");
        // The error body is not built by users: non_exhaustive.
        assert!(
            models.contains("#[non_exhaustive]\npub struct ErrorResponse {"),
            "{models}"
        );
        assert!(!models.contains("#[non_exhaustive]\npub struct DeleteThingRequest"));
    }

    #[test]
    fn operation_constants_and_endpoints() {
        let operation = &render_small()["operation.rs"];
        for expected in [
            "pub mod delete_thing_v2 {",
            "pub const METHOD: &str = \"DELETE\";",
            "pub const CONTENT_TYPE: Option<&str> = None;",
            "pub const SUCCESS_STATUS: u16 = 204;",
            "pub const HAS_RESPONSE_BODY: bool = false;",
            "pub const REGION_ENDPOINT_OVERRIDES: &[(&str, &str)] = &[(\"x-1\", \"https://demo.x-1.example.eu\")];",
            "vec![(\"project_id\", std::borrow::Cow::Borrowed(self.project_id.as_str()))]",
            "params.push((\"Token\", std::borrow::Cow::Borrowed(value.as_str())));",
        ] {
            assert!(
                operation.contains(expected),
                "missing {expected}\n{operation}"
            );
        }
        assert!(!operation.contains("ACTION"), "{operation}");
    }

    #[test]
    fn errors_map_codes_classes_and_unknown() {
        let errors = &render_small()["errors.rs"];
        for expected in [
            "\"DEMO.0308\" => Self::Demo0308,",
            "Self::Demo0308 => Some(429),",
            "other => Self::Unknown(other.to_owned()),",
            "self.meaning().map_or(RetryClass::Permanent, CodeMeaning::retry_class)",
            "CodeRule::exact(\"DEMO.0308\", CodeMeaning::Throttling),",
            "cert_common::answer::lookup(RULES, self.as_str())",
        ] {
            assert!(errors.contains(expected), "missing {expected}\n{errors}");
        }
    }

    #[test]
    fn brackets_are_escaped_outside_code_spans_only() {
        assert_eq!(esc("a [b] `[c]`"), "a \\[b\\] `[c]`");
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(render_small(), render_small());
    }

    #[test]
    fn snake_case_of_operations() {
        assert_eq!(snake_case("BatchDeleteCSR"), "batch_delete_csr");
        assert_eq!(snake_case("DeleteCertificateV2"), "delete_certificate_v2");
        assert_eq!(
            snake_case("BatchDeleteCertificates"),
            "batch_delete_certificates"
        );
        assert_eq!(
            snake_case("DeleteUserCertificate"),
            "delete_user_certificate"
        );
    }
}
