//! The spec file format: one JSON file per API operation, at
//! `crates/<crate>/spec/<operation_snake>.json`.
//!
//! A spec is a faithful transcription of the vendor's API page (the seed named in
//! [`Spec::source`]) plus the wire facts of `shared/reference/protocol.md`. Every entry that
//! does not come from the seed says where it comes from (`source`/`note` fields), so a reader
//! can tell documented facts from inferred ones.
//!
//! Shape, in brief (all keys are required unless marked optional):
//!
//! ```json
//! {
//!   "source": "002_ac928e43f685a041.txt",
//!   "provider": "tencent", "service": "ssl", "operation": "BatchDeleteCSR",
//!   "doc": "…", "notes": ["…"],                                  // notes optional
//!   "http": { "method": "POST", "path": "/", "content_type": "application/json",
//!             "success_status": 200,
//!             "rpc": { "action": "BatchDeleteCSR", "version": "2019-12-05" } },  // rpc optional
//!   "endpoints": { "default": "https://ssl.tencentcloudapi.com",
//!                  "international": "https://ssl.intl.tencentcloudapi.com",   // optional
//!                  "regional": "https://ssl.{region}.tencentcloudapi.com",    // optional
//!                  "region_overrides": [{ "regions": ["…"], "endpoint": "…" }],
//!                  "note": "…" },                                             // optional
//!   "rate_limit_per_second": 10, "batch_max": 100,                // null when undocumented
//!   "request": "BatchDeleteCsrRequest", "response": "BatchDeleteCsrResponse",  // response null: no body
//!   "error_response": "ErrorResponse",
//!   "structs": [{ "name": "…", "doc": "…", "fields": [{
//!       "name": "csr_ids", "wire": "CSRIds", "location": "body",
//!       "type": { "kind": "array", "items": { "kind": "integer", "format": "u64" } },
//!       "required": true, "doc": "…", "limits": { "min_items": 1, "max_items": 100 } }] }],
//!   "errors": [{ "code": "RequestLimitExceeded", "http_status": 200, "class": "throttling",
//!                "description": "…", "source": "protocol.md §2.7" }]
//! }
//! ```
//!
//! [`Spec::check`] enforces the rules the renderer relies on (names resolve, path placeholders
//! match path fields, limits fit the field's type, codes are unique, …).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

/// One API operation, as its vendor documents it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The file(s) under `shared/seeds/` (and/or `protocol.md` sections) the spec was
    /// transcribed from.
    pub source: String,
    /// Which cloud the API belongs to; selects the signing scheme.
    pub provider: Provider,
    /// The service name used for signing and endpoints (`elb`, `apig`, `csms`, `ssl`, `cas`).
    pub service: String,
    /// The vendor's name for the operation (`BatchDeleteCertificates`, `BatchDeleteCSR`, …).
    pub operation: String,
    /// What the operation does, from the vendor's page.
    pub doc: String,
    /// Further facts worth knowing (constraints, caveats), one paragraph each.
    #[serde(default)]
    pub notes: Vec<String>,
    /// How the request travels over HTTP.
    pub http: Http,
    /// Where the API is served.
    pub endpoints: Endpoints,
    /// The documented request rate limit, per second; `null` when the vendor documents none.
    pub rate_limit_per_second: Option<u32>,
    /// The documented maximum number of ids one call accepts; `null` when none is documented.
    pub batch_max: Option<usize>,
    /// Name of the struct (in [`Spec::structs`]) that models the request.
    pub request: String,
    /// Name of the struct that models a successful response body; `null` when the success
    /// response has no body (e.g. HTTP 204).
    pub response: Option<String>,
    /// Name of the struct that models the documented error body.
    pub error_response: String,
    /// Every struct the request, response and error bodies are made of.
    pub structs: Vec<StructDef>,
    /// The documented error codes.
    pub errors: Vec<ErrorDef>,
    /// The fluent builder codegen writes for the operation (the crate writes its `plan()` and
    /// `send()`); `null` when the crate writes it all by hand.
    #[serde(default)]
    pub builder: Option<Builder>,
    /// The crate's `cert_common::Deleter` impl, written by codegen over the builder; `null`
    /// when the crate has none (or writes it by hand).
    #[serde(default)]
    pub deleter: Option<DeleterSpec>,
}

/// What codegen needs to write a crate's `Deleter` impl over its builder (whose `plan()`
/// returns the planned requests and whose `send()` returns an output with `into_report()`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleterSpec {
    /// Ids a streamed run puts in one batch; `null` for the trait's default (one).
    #[serde(default)]
    pub stream_batch: Option<usize>,
    /// For numeric ids: the parameter named in the error of an id that is not one
    /// (`CSRIds`).
    #[serde(default)]
    pub id_field: Option<String>,
    /// For numeric ids: what an id is, in that error (`CSR id`).
    #[serde(default)]
    pub id_what: Option<String>,
}

/// The fluent builder of an operation: the `Client` method that starts a call, the ids it
/// deletes and any further optional values.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Builder {
    /// The `Client` method that starts a call (`batch_delete_certificates`); the builder is
    /// named after it (`BatchDeleteCertificatesFluentBuilder`).
    pub method: String,
    /// The ids a call deletes; `null` for an operation that names none (CSMS deletes what a
    /// filter matches).
    #[serde(default)]
    pub ids: Option<BuilderIds>,
    /// Further optional values, each set at most once.
    #[serde(default)]
    pub fields: Vec<BuilderField>,
}

/// The ids of a fluent builder.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuilderIds {
    /// The Rust type of one id: `String`, `u64` or `i64`.
    pub rust_type: String,
    /// The setter adding one id (`certificate_id`).
    pub one: String,
    /// The setter adding many (`certificate_ids`).
    pub many: String,
    /// What an id names, in docs (`certificate`, `CSR`).
    pub what: String,
}

/// A further optional value of a fluent builder.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuilderField {
    /// The field, and its setter unless `setter` names another (`client_token`).
    pub name: String,
    /// The setter's name, when it is not the field's.
    #[serde(default)]
    pub setter: Option<String>,
    /// Its Rust type: `String` (the setter takes `impl Into<String>`), `flag` (a `bool` the
    /// setter, without argument, turns on), or a type of the generated models.
    pub rust_type: String,
    /// What it is, for the setter's doc.
    pub doc: String,
}

/// The cloud an API belongs to: cert-common's `Provider`, defined once for the workspace.
pub use cert_common::Provider;

/// The HTTP shape of an operation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Http {
    /// The HTTP method, upper case (`GET`, `POST`, `PUT`, `DELETE`).
    pub method: String,
    /// The path template; `{name}` placeholders are filled from `path` fields of the request.
    pub path: String,
    /// The `Content-Type` header the vendor's SDK sends (it is signed, so it must be exact);
    /// `null` when no Content-Type is sent.
    pub content_type: Option<String>,
    /// The HTTP status of a successful answer.
    pub success_status: u16,
    /// Action and version, for RPC-style APIs (Tencent, Aliyun).
    #[serde(default)]
    pub rpc: Option<Rpc>,
}

/// Action and version of an RPC-style API.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rpc {
    /// The action name (`BatchDeleteCSR`, `DeleteUserCertificate`).
    pub action: String,
    /// The API version (`2019-12-05`, `2020-04-07`).
    pub version: String,
}

/// Where an API is served. Patterns may contain `{region}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    /// The endpoint used for a region no override names (scheme included).
    pub default: String,
    /// The international-site endpoint, when the vendor has a separate one.
    #[serde(default)]
    pub international: Option<String>,
    /// A regional endpoint pattern the vendor also serves, when it is not the default.
    #[serde(default)]
    pub regional: Option<String>,
    /// Regions whose endpoint differs from [`Endpoints::default`].
    #[serde(default)]
    pub region_overrides: Vec<RegionOverride>,
    /// Where the facts come from and what else to know.
    #[serde(default)]
    pub note: Option<String>,
}

/// Regions served at an endpoint other than the default pattern.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionOverride {
    /// The region ids.
    pub regions: Vec<String>,
    /// Their endpoint (scheme included; may contain `{region}`).
    pub endpoint: String,
}

/// A struct of the request, response or error body.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructDef {
    /// The Rust type name (UpperCamelCase).
    pub name: String,
    /// What the struct is.
    pub doc: String,
    /// Its fields, in wire order.
    pub fields: Vec<FieldDef>,
}

/// One field of a struct.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// The Rust field name (snake_case).
    pub name: String,
    /// The name on the wire (JSON key, path placeholder or query key).
    pub wire: String,
    /// Where the field travels; only request fields may be outside the body.
    #[serde(default)]
    pub location: Location,
    /// The field's type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Whether the vendor marks the field mandatory; optional fields become `Option<T>`.
    pub required: bool,
    /// What the field means.
    pub doc: String,
    /// Documented limits, checked before a request is sent.
    #[serde(default)]
    pub limits: Limits,
    /// Where a fact about this field comes from when it is not the seed, or other remarks.
    #[serde(default)]
    pub note: Option<String>,
}

/// Where a request field travels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// A `{placeholder}` of the path template.
    Path,
    /// A query-string parameter.
    Query,
    /// A key of the JSON body (the default).
    #[default]
    Body,
}

/// The type of a field.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldType {
    /// A UTF-8 string (`String`).
    String,
    /// A JSON boolean (`bool`), in a body only.
    Boolean,
    /// An integer of the given Rust width.
    Integer {
        /// `i64` or `u64`.
        format: IntFormat,
    },
    /// A JSON array (`Vec<T>`).
    Array {
        /// The element type.
        items: Box<FieldType>,
    },
    /// A string restricted to documented values; becomes a Rust enum.
    Enum {
        /// The Rust enum name.
        name: String,
        /// What the enum is.
        doc: String,
        /// The allowed values, in documented order.
        values: Vec<EnumValue>,
    },
    /// Another struct of [`Spec::structs`], by name.
    Struct {
        /// The struct's name.
        name: String,
    },
}

/// The Rust width of an integer field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntFormat {
    /// Signed 64-bit.
    I64,
    /// Unsigned 64-bit.
    U64,
}

/// One allowed value of an enum field.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The value on the wire.
    pub wire: String,
    /// The Rust variant name (UpperCamelCase).
    pub variant: String,
    /// What the value means.
    pub doc: String,
}

/// Documented limits of a field. Lengths count characters; bounds are inclusive.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Minimum string length.
    #[serde(default)]
    pub min_length: Option<usize>,
    /// Maximum string length.
    #[serde(default)]
    pub max_length: Option<usize>,
    /// The characters a string may contain.
    #[serde(default)]
    pub charset: Option<Charset>,
    /// Minimum number of array items.
    #[serde(default)]
    pub min_items: Option<usize>,
    /// Maximum number of array items.
    #[serde(default)]
    pub max_items: Option<usize>,
}

impl Limits {
    /// Whether no limit is set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The characters a string may contain: the union of some classes and extra characters.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Charset {
    /// Character classes allowed.
    pub classes: Vec<CharClass>,
    /// Further single characters allowed (e.g. `"-_"`).
    #[serde(default)]
    pub extra: String,
    /// The rule in words, used in error messages ("digits and lowercase letters").
    pub description: String,
}

/// A class of characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CharClass {
    /// Any ASCII character.
    Ascii,
    /// `0-9`.
    AsciiDigit,
    /// `a-z`.
    AsciiLowercase,
    /// `A-Z`.
    AsciiUppercase,
    /// `a-z`, `A-Z`.
    AsciiAlphabetic,
    /// `a-z`, `A-Z`, `0-9`.
    AsciiAlphanumeric,
}

impl CharClass {
    /// The `char` method that tests the class.
    pub fn method(self) -> &'static str {
        match self {
            Self::Ascii => "is_ascii",
            Self::AsciiDigit => "is_ascii_digit",
            Self::AsciiLowercase => "is_ascii_lowercase",
            Self::AsciiUppercase => "is_ascii_uppercase",
            Self::AsciiAlphabetic => "is_ascii_alphabetic",
            Self::AsciiAlphanumeric => "is_ascii_alphanumeric",
        }
    }
}

/// A vendor's codes common to all its APIs (its API gateway's, its common error page's):
/// `crates/cert-common/vendor-errors/<vendor>.json`, merged into the error table of each of
/// that vendor's crates after the crate's own entries (an API's own entry for a code wins).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorErrors {
    /// The vendor.
    pub provider: Provider,
    /// Where the codes come from.
    pub source: String,
    /// The codes.
    pub errors: Vec<ErrorDef>,
}

/// A documented error code.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorDef {
    /// The code as the server sends it (`APIG.0308`, `RequestLimitExceeded`).
    pub code: String,
    /// The Rust variant name; derived from the code when absent.
    #[serde(default)]
    pub variant: Option<String>,
    /// The HTTP status the error comes with, where documented (Tencent: always 200).
    pub http_status: Option<u16>,
    /// How a client should react.
    pub class: ErrorClass,
    /// What the code means for a delete (`not_found`, `in_use`, `refused`, `auth`,
    /// `credentials_refused`, `clock_skew`, `throttling`, `server_error`, `wrong_endpoint`); derived from `class` when absent
    /// (throttling → `throttling`, transient → `server_error`, permanent → `refused`).
    #[serde(default)]
    pub meaning: Option<Meaning>,
    /// True when the entry also covers the documented family `code.*`
    /// (`RequestLimitExceeded.*`). A `not_found` entry is never a family.
    #[serde(default)]
    pub family: bool,
    /// The vendor's meaning of the code.
    pub description: String,
    /// Where the entry comes from: the seed file, a `protocol.md` section, or the vendor's
    /// common-error documentation.
    pub source: String,
}

/// What a code means for a delete, and how a client reacts to it: cert-common's own types,
/// read from the spec's spelling (`not_found`, `server_error`, ...; `throttling`, `transient`,
/// `permanent`). Defined once, there.
pub use cert_common::answer::CodeMeaning as Meaning;
pub use cert_common::retry::RetryClass as ErrorClass;

/// The name of an enum variant of cert-common's (`NotFound`, `Throttling`), as generated code
/// writes it.
pub fn variant_of(value: impl std::fmt::Debug) -> String {
    format!("{value:?}")
}

impl ErrorDef {
    /// What the code means: the explicit meaning, or the one its class implies.
    pub fn meaning(&self) -> Meaning {
        self.meaning.unwrap_or(match self.class {
            ErrorClass::Throttling => Meaning::Throttling,
            ErrorClass::Transient => Meaning::ServerError,
            _ => Meaning::Refused,
        })
    }

    /// The Rust variant name: the explicit one, or one derived from the code.
    pub fn variant_name(&self) -> String {
        self.variant
            .clone()
            .unwrap_or_else(|| variant_from_code(&self.code))
    }
}

/// Turns an error code into an UpperCamelCase identifier: segments split at non-alphanumeric
/// characters, all-caps segments title-cased (`APIG.0308` → `Apig0308`,
/// `AuthFailure.SignatureExpire` → `AuthFailureSignatureExpire`).
pub fn variant_from_code(code: &str) -> String {
    let mut out = String::new();
    for segment in code.split(|c: char| !c.is_ascii_alphanumeric()) {
        if segment.is_empty() {
            continue;
        }
        let all_caps = !segment.chars().any(|c| c.is_ascii_lowercase());
        let mut chars = segment.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            if all_caps {
                out.extend(chars.map(|c| c.to_ascii_lowercase()));
            } else {
                out.extend(chars);
            }
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'E');
    }
    out
}

impl Spec {
    /// Parses a spec from JSON text and checks it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let spec: Self = serde_json::from_str(text).map_err(|e| e.to_string())?;
        spec.check()?;
        Ok(spec)
    }

    /// Finds a struct by name.
    pub fn struct_def(&self, name: &str) -> Option<&StructDef> {
        self.structs.iter().find(|s| s.name == name)
    }

    /// The request struct.
    pub fn request_struct(&self) -> &StructDef {
        self.struct_def(&self.request)
            .expect("Spec::check ensures the request struct exists")
    }

    /// Names of the structs reachable from the request (they are built by users).
    pub fn request_side_structs(&self) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![self.request.clone()];
        while let Some(name) = todo.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(def) = self.struct_def(&name) {
                for field in &def.fields {
                    if let Some(inner) = field.ty.struct_name() {
                        todo.push(inner.to_owned());
                    }
                }
            }
        }
        seen
    }

    /// The `{placeholder}` names of the path template, in order.
    pub fn path_placeholders(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = self.http.path.as_str();
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            match after.find('}') {
                Some(end) => {
                    out.push(after[..end].to_owned());
                    rest = &after[end + 1..];
                }
                None => break,
            }
        }
        out
    }

    /// Checks the rules the renderer relies on; the error says what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if !["GET", "POST", "PUT", "DELETE", "PATCH"].contains(&self.http.method.as_str()) {
            return Err(format!("unsupported HTTP method `{}`", self.http.method));
        }
        if !self.http.path.starts_with('/') {
            return Err(format!("path `{}` must start with `/`", self.http.path));
        }
        if !is_snake(&self.service) {
            return Err(format!("service `{}` must be lower-case", self.service));
        }
        if !self.endpoints.default.starts_with("https://") {
            return Err("endpoints.default must start with https://".to_owned());
        }
        let mut names = BTreeSet::new();
        for def in &self.structs {
            if !is_camel(&def.name) {
                return Err(format!("struct name `{}` must be UpperCamelCase", def.name));
            }
            if !names.insert(def.name.as_str()) {
                return Err(format!("struct `{}` is defined twice", def.name));
            }
        }
        for (role, name) in [
            ("request", Some(&self.request)),
            ("response", self.response.as_ref()),
            ("error_response", Some(&self.error_response)),
        ] {
            if let Some(name) = name
                && !names.contains(name.as_str())
            {
                return Err(format!(
                    "{role} struct `{name}` is not defined in `structs`"
                ));
            }
        }
        let request_side = self.request_side_structs();
        let mut enums = BTreeMap::new();
        for def in &self.structs {
            let mut fields = BTreeSet::new();
            let mut wires = BTreeSet::new();
            for field in &def.fields {
                let at = format!("{}.{}", def.name, field.name);
                if !is_snake(&field.name) || is_keyword(&field.name) {
                    return Err(format!("{at}: field name must be a snake_case non-keyword"));
                }
                if !fields.insert(field.name.as_str()) || !wires.insert(field.wire.as_str()) {
                    return Err(format!("{at}: field or wire name repeated"));
                }
                self.check_type(&at, &field.ty, &request_side, &def.name, &mut enums)?;
                check_limits(&at, field)?;
                if field.location != Location::Body {
                    if def.name != self.request {
                        return Err(format!("{at}: only request fields may be outside the body"));
                    }
                    let scalar = matches!(field.ty, FieldType::String | FieldType::Integer { .. });
                    if !scalar {
                        return Err(format!("{at}: path and query fields must be scalars"));
                    }
                }
                if field.location == Location::Path && !field.required {
                    return Err(format!("{at}: path fields must be required"));
                }
            }
        }
        let placeholders = self.path_placeholders();
        let request = self.request_struct();
        let path_fields: Vec<String> = request
            .fields
            .iter()
            .filter(|f| f.location == Location::Path)
            .map(|f| f.wire.clone())
            .collect();
        if placeholders != path_fields {
            return Err(format!(
                "path placeholders {placeholders:?} must match the request's path fields \
                 {path_fields:?}, in order"
            ));
        }
        let mut codes = BTreeSet::new();
        let mut variants = BTreeSet::new();
        for error in &self.errors {
            let variant = error.variant_name();
            if !codes.insert(error.code.as_str()) {
                return Err(format!("error code `{}` listed twice", error.code));
            }
            if error.meaning == Some(Meaning::Undocumented) {
                return Err(format!(
                    "error code `{}`: `undocumented` is the runtime's default, not a meaning \
                     a spec gives",
                    error.code
                ));
            }
            if error.meaning().retry_class() != error.class {
                return Err(format!(
                    "error code `{}`: meaning `{}` contradicts class `{}`",
                    error.code,
                    error.meaning().as_str(),
                    variant_of(error.class).to_lowercase()
                ));
            }
            if error.family && error.meaning() == Meaning::NotFound {
                return Err(format!(
                    "error code `{}`: a not_found entry must be one exact code, not a family",
                    error.code
                ));
            }
            if error.source.trim().is_empty() {
                return Err(format!("error code `{}` has no source", error.code));
            }
            if !is_camel(&variant) || variant == "Unknown" || !variants.insert(variant.clone()) {
                return Err(format!(
                    "error code `{}`: variant `{variant}` is invalid or repeated",
                    error.code
                ));
            }
        }
        Ok(())
    }

    fn check_type(
        &self,
        at: &str,
        ty: &FieldType,
        request_side: &BTreeSet<String>,
        owner: &str,
        enums: &mut BTreeMap<String, FieldType>,
    ) -> Result<(), String> {
        match ty {
            FieldType::String | FieldType::Boolean | FieldType::Integer { .. } => Ok(()),
            FieldType::Array { items } => match **items {
                FieldType::Array { .. } => Err(format!("{at}: nested arrays are not supported")),
                _ => self.check_type(at, items, request_side, owner, enums),
            },
            FieldType::Struct { name } => {
                if self.struct_def(name).is_some() {
                    Ok(())
                } else {
                    Err(format!("{at}: struct `{name}` is not defined"))
                }
            }
            FieldType::Enum { name, values, .. } => {
                if !request_side.contains(owner) {
                    return Err(format!(
                        "{at}: enums are only supported in request structs (a response enum \
                         would need an unknown-value case)"
                    ));
                }
                if !is_camel(name) || values.is_empty() {
                    return Err(format!(
                        "{at}: enum `{name}` needs a CamelCase name and values"
                    ));
                }
                let mut seen = BTreeSet::new();
                for value in values {
                    if !is_camel(&value.variant) || !seen.insert(value.variant.as_str()) {
                        return Err(format!("{at}: enum variant `{}` invalid", value.variant));
                    }
                }
                if let Some(previous) = enums.insert(name.clone(), ty.clone())
                    && &previous != ty
                {
                    return Err(format!("{at}: enum `{name}` defined twice, differently"));
                }
                Ok(())
            }
        }
    }
}

impl FieldType {
    /// The struct this type refers to, directly or as array items.
    pub fn struct_name(&self) -> Option<&str> {
        match self {
            Self::Struct { name } => Some(name),
            Self::Array { items } => items.struct_name(),
            _ => None,
        }
    }
}

fn check_limits(at: &str, field: &FieldDef) -> Result<(), String> {
    let limits = &field.limits;
    let is_string = matches!(field.ty, FieldType::String);
    let is_array = matches!(field.ty, FieldType::Array { .. });
    let has_length =
        limits.min_length.is_some() || limits.max_length.is_some() || limits.charset.is_some();
    if has_length && !is_string {
        return Err(format!(
            "{at}: length and charset limits apply to strings only"
        ));
    }
    if (limits.min_items.is_some() || limits.max_items.is_some()) && !is_array {
        return Err(format!("{at}: item limits apply to arrays only"));
    }
    if let (Some(min), Some(max)) = (limits.min_length, limits.max_length)
        && min > max
    {
        return Err(format!("{at}: min_length > max_length"));
    }
    if let (Some(min), Some(max)) = (limits.min_items, limits.max_items)
        && min > max
    {
        return Err(format!("{at}: min_items > max_items"));
    }
    if let Some(charset) = &limits.charset
        && charset.classes.is_empty()
        && charset.extra.is_empty()
    {
        return Err(format!("{at}: a charset must allow something"));
    }
    Ok(())
}

fn is_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_camel(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_keyword(s: &str) -> bool {
    [
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
        "true", "type", "unsafe", "use", "where", "while", "yield",
    ]
    .contains(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_from_codes() {
        assert_eq!(variant_from_code("APIG.0308"), "Apig0308");
        assert_eq!(
            variant_from_code("AuthFailure.SignatureExpire"),
            "AuthFailureSignatureExpire"
        );
        assert_eq!(
            variant_from_code("InvalidParameter.InvalidCSRId"),
            "InvalidParameterInvalidCSRId"
        );
        assert_eq!(variant_from_code("Throttling.User"), "ThrottlingUser");
        assert_eq!(variant_from_code("404"), "E404");
    }
}
