//! Huawei CSMS `BatchDeleteSecrets`: `POST /v1/{project_id}/secrets/batch-delete` with
//! `{"instance_id","instance_type"}`; deletes every secret of that instance (and type, when
//! given). 200 `{"total","success_secrets","failed_secrets"}`; a secret already pending
//! deletion fails with `CSMS.0107` and stays. Invalid input: 400 `CSMS.0005` (the emulator's
//! choice). The emulator requires `instance_id`: the vendor does not document what an empty
//! body does, and it refuses to guess for an irreversible bulk delete.

use serde_json::{Value, json};

use super::valid_project;
use crate::shapes::{Ctx, Reply, huawei_error};
use crate::state::State;
use crate::wire::WireRequest;

/// Invalid input.
pub(crate) const INVALID: &str = "CSMS.0005";
/// The documented instance types.
pub(crate) const INSTANCE_TYPES: [&str; 4] = ["RDS", "TaurusDB", "GaussDB", "APIG"];

pub(crate) fn handle(state: &mut State, project: &str, req: &WireRequest, ctx: &Ctx) -> Reply {
    let bad = |msg: &str| huawei_error(400, INVALID, &format!("Invalid parameter: {msg}"), ctx);
    if !valid_project(project) {
        return bad("project_id must be 1 to 32 digits and lower-case letters");
    }
    let body: Value = if req.body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(&req.body) {
            Ok(v) => v,
            Err(_) => return bad("the request body is not valid JSON"),
        }
    };
    let Some(obj) = body.as_object() else {
        return bad("the request body must be a JSON object");
    };
    if let Some(k) = obj
        .keys()
        .find(|k| *k != "instance_id" && *k != "instance_type")
    {
        return bad(&format!("unknown field {k}"));
    }
    let instance_type = match obj.get("instance_type") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if INSTANCE_TYPES.contains(&t.as_str()) => Some(t.as_str()),
        Some(_) => return bad("instance_type must be one of RDS, TaurusDB, GaussDB, APIG"),
    };
    let instance_id = match obj.get("instance_id") {
        Some(Value::String(i)) if !i.is_empty() && i.len() <= 64 => i.as_str(),
        None | Some(Value::Null) => {
            return bad(
                "instance_id is required (deleting every secret of a project is not supported)",
            );
        }
        Some(_) => return bad("instance_id must be a string of 1 to 64 characters"),
    };
    let mut success = Vec::new();
    let mut failed = Vec::new();
    let mut total = 0;
    if let Some(secrets) = state.csms.get_mut(project) {
        secrets.retain(|s| {
            let matches =
                s.instance_id == instance_id && instance_type.is_none_or(|t| t == s.instance_type);
            if !matches {
                return true;
            }
            total += 1;
            if s.pending_deletion {
                failed.push(json!({
                    "secret_name": s.name,
                    "error_msg": "CSMS.0107: Secret is already in the **Pending deletion** state."
                }));
                true
            } else {
                success.push(s.name.clone());
                false
            }
        });
    }
    Reply::json(
        200,
        &json!({"total": total, "success_secrets": success, "failed_secrets": failed}),
    )
    .header("x-request-id", ctx.request_id.clone())
}
