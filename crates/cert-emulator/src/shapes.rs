//! Response shapes of the three providers.

use cert_common::Provider;
use serde_json::{Value, json};

/// An answer to send.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// The provider error code this answer carries, if any.
    pub code: Option<String>,
}

impl Reply {
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "application/json".to_string())],
            body: serde_json::to_vec(body).unwrap_or_default(),
            code: None,
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            code: None,
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    fn with_code(mut self, code: &str) -> Reply {
        self.code = Some(code.to_string());
        self
    }
}

/// Per-request facts the shapes need.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub request_id: String,
    pub host: String,
}

/// Huawei: `{"error_code","error_msg","request_id"}` plus `X-Request-Id`.
pub(crate) fn huawei_error(status: u16, code: &str, msg: &str, ctx: &Ctx) -> Reply {
    Reply::json(
        status,
        &json!({"error_code": code, "error_msg": msg, "request_id": ctx.request_id}),
    )
    .header("x-request-id", ctx.request_id.clone())
    .with_code(code)
}

/// Tencent: `{"Response":{"Error":{"Code","Message"},"RequestId"}}`, normally with HTTP 200.
pub(crate) fn tencent_error(status: u16, code: &str, msg: &str, ctx: &Ctx) -> Reply {
    Reply::json(
        status,
        &json!({"Response": {"Error": {"Code": code, "Message": msg}, "RequestId": ctx.request_id}}),
    )
    .with_code(code)
}

/// Aliyun: `{"RequestId","HostId","Code","Message","Recommend"}`.
pub(crate) fn aliyun_error(status: u16, code: &str, msg: &str, ctx: &Ctx) -> Reply {
    let host = if ctx.host.is_empty() {
        "cas.aliyuncs.com"
    } else {
        ctx.host.as_str()
    };
    Reply::json(
        status,
        &json!({
            "RequestId": ctx.request_id,
            "HostId": host,
            "Code": code,
            "Message": msg,
            "Recommend": format!(
                "https://api.aliyun.com/troubleshoot?q={code}&product=cas&requestId={}",
                ctx.request_id
            ),
        }),
    )
    .header("x-acs-request-id", ctx.request_id.clone())
    .with_code(code)
}

/// The provider's error shape.
pub(crate) fn error(provider: Provider, status: u16, code: &str, msg: &str, ctx: &Ctx) -> Reply {
    match provider {
        Provider::Tencent => tencent_error(status, code, msg, ctx),
        Provider::Aliyun => aliyun_error(status, code, msg, ctx),
        _ => huawei_error(status, code, msg, ctx),
    }
}
