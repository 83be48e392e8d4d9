//! Alibaba Cloud CAS `DeleteUserCertificate`: `POST /?CertId=<int>[&ClientToken=...]`;
//! 200 `{"RequestId"}`. The emulator's codes (CAS documents only common errors):
//! absent certificate → 404 `InvalidCertificate.NotFound`; in use → 400
//! `InvalidCertificate.InUse`; no `CertId` → 400 `MissingCertId`; bad value → 400
//! `InvalidParameter`; a `ClientToken` reused with another `CertId` → 400
//! `IdempotentParameterMismatch`. Repeating a request with the same `ClientToken` and
//! `CertId` answers the first success again (idempotency).

use cert_common::sign::parse_query;
use serde_json::json;

use crate::shapes::{Ctx, Reply, aliyun_error};
use crate::state::State;
use crate::wire::WireRequest;

/// Certificate absent.
pub(crate) const NOT_FOUND: &str = "InvalidCertificate.NotFound";
/// Certificate in use.
pub(crate) const IN_USE: &str = "InvalidCertificate.InUse";

fn ok(request_id: &str) -> Reply {
    Reply::json(200, &json!({"RequestId": request_id}))
        .header("x-acs-request-id", request_id.to_string())
}

pub(crate) fn handle(state: &mut State, req: &WireRequest, ctx: &Ctx) -> Reply {
    let params = parse_query(&req.query, true);
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(raw) = get("CertId") else {
        return aliyun_error(
            400,
            "MissingCertId",
            "CertId is mandatory for this action.",
            ctx,
        );
    };
    let cert_id = match raw.trim().parse::<i64>() {
        Ok(id) if id > 0 => id,
        _ => {
            return aliyun_error(
                400,
                "InvalidParameter",
                &format!(
                    "The specified parameter CertId ({raw}) is not valid: it must be a positive integer."
                ),
                ctx,
            );
        }
    };
    let token = get("ClientToken");
    if let Some(t) = token {
        if t.is_empty() || t.len() > 64 || !t.is_ascii() {
            return aliyun_error(
                400,
                "InvalidParameter",
                "The specified parameter ClientToken is not valid: 1 to 64 ASCII characters.",
                ctx,
            );
        }
        if let Some((previous_id, previous_request)) = state.aliyun_client_tokens.get(t) {
            return if *previous_id == cert_id {
                ok(previous_request)
            } else {
                aliyun_error(
                    400,
                    "IdempotentParameterMismatch",
                    "The ClientToken was already used with a different CertId.",
                    ctx,
                )
            };
        }
    }
    let Some(pos) = state.aliyun.iter().position(|c| c.id == cert_id) else {
        return aliyun_error(
            404,
            NOT_FOUND,
            &format!("The certificate {cert_id} does not exist."),
            ctx,
        );
    };
    if !state.aliyun[pos].in_use_by.is_empty() {
        let users = state.aliyun[pos].in_use_by.join(",");
        return aliyun_error(
            400,
            IN_USE,
            &format!("The certificate {cert_id} is in use by [{users}] and cannot be deleted."),
            ctx,
        );
    }
    state.aliyun.remove(pos);
    if let Some(t) = token {
        state
            .aliyun_client_tokens
            .insert(t.to_string(), (cert_id, ctx.request_id.clone()));
    }
    ok(&ctx.request_id)
}
