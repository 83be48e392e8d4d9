//! Huawei ELB `BatchDeleteCertificates`: `POST /v3/{project_id}/elb/certificates/batch-delete`
//! with `{"certificates": [ids]}`; 200 with one `{"id","ret_status"}` per id
//! (`successful` or `not found`). Invalid input: 400 `ELB.8902` (the emulator's choice; the
//! page names no code).

use serde_json::{Value, json};

use super::valid_project;
use crate::shapes::{Ctx, Reply, huawei_error};
use crate::state::State;
use crate::wire::WireRequest;

/// The code of an invalid-input answer.
pub(crate) const INVALID: &str = "ELB.8902";

pub(crate) fn handle(state: &mut State, project: &str, req: &WireRequest, ctx: &Ctx) -> Reply {
    let bad = |msg: &str| huawei_error(400, INVALID, &format!("Invalid input: {msg}"), ctx);
    if !valid_project(project) {
        return bad("project_id must be 1 to 32 digits and lower-case letters");
    }
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return bad("the request body is not valid JSON");
    };
    let Some(obj) = body.as_object() else {
        return bad("the request body must be a JSON object");
    };
    if let Some(k) = obj.keys().find(|k| *k != "certificates") {
        return bad(&format!("unknown field {k}"));
    }
    let Some(list) = obj.get("certificates").and_then(Value::as_array) else {
        return bad("certificates is required and must be an array of strings");
    };
    if list.is_empty() {
        return bad("certificates must not be empty");
    }
    let mut ids = Vec::with_capacity(list.len());
    for v in list {
        match v.as_str() {
            Some(s) => ids.push(s),
            None => return bad("certificates must be an array of strings"),
        }
    }
    let mut deleted: Vec<&str> = Vec::new();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let held = state.elb.get_mut(project);
        let status = if deleted.contains(&id) {
            // The vendor's own example answers a repeated id as deleted twice.
            "successful"
        } else if let Some(pos) = held.as_ref().and_then(|h| h.iter().position(|x| x == id)) {
            if let Some(h) = held {
                h.remove(pos);
            }
            deleted.push(id);
            "successful"
        } else {
            "not found"
        };
        out.push(json!({"id": id, "ret_status": status}));
    }
    Reply::json(
        200,
        &json!({"certificates": out, "request_id": ctx.request_id}),
    )
    .header("x-request-id", ctx.request_id.clone())
}
