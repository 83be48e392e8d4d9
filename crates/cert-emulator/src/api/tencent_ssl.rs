//! Tencent SSL `BatchDeleteCSR`: `{"CSRIds": [ints]}` (1 to 100); answers
//! `{"Response":{"Success":[deleted ids],"RequestId"}}`. An id that does not exist is simply
//! absent from `Success`. Errors travel in an HTTP 200 body.

use cert_common::sign::parse_query;
use serde_json::{Value, json};

use crate::shapes::{Ctx, Reply, tencent_error};
use crate::state::State;
use crate::wire::WireRequest;

/// Documented maximum of ids per request.
pub(crate) const MAX_IDS: usize = 100;

type Invalid = (&'static str, String);

fn ids_from_body(req: &WireRequest) -> Result<Vec<u64>, Invalid> {
    let ct = req
        .header("Content-Type")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !ct.starts_with("application/json") {
        return Err((
            "InvalidParameter",
            "The Content-Type must be application/json for POST requests.".into(),
        ));
    }
    let body: Value = serde_json::from_slice(&req.body).map_err(|_| {
        (
            "InvalidParameter",
            "The request body is not valid JSON.".to_string(),
        )
    })?;
    let obj = body.as_object().ok_or((
        "InvalidParameter",
        "The request body must be a JSON object.".to_string(),
    ))?;
    if let Some(k) = obj.keys().find(|k| *k != "CSRIds") {
        return Err((
            "UnknownParameter",
            format!("The parameter `{k}` is not recognized."),
        ));
    }
    let list = obj.get("CSRIds").ok_or((
        "MissingParameter",
        "The request is missing a required parameter `CSRIds`.".to_string(),
    ))?;
    let list = list.as_array().ok_or((
        "InvalidParameter",
        "The parameter `CSRIds` must be an array of integers.".to_string(),
    ))?;
    list.iter()
        .map(|v| {
            v.as_u64().ok_or((
                "InvalidParameter.InvalidCSRId",
                format!("Incorrect CSR ID: {v}."),
            ))
        })
        .collect()
}

fn ids_from_query(query: &str) -> Result<Vec<u64>, Invalid> {
    let mut indexed: Vec<(u64, u64)> = Vec::new();
    for (k, v) in parse_query(query, true) {
        let Some(index) = k
            .strip_prefix("CSRIds.")
            .and_then(|i| i.parse::<u64>().ok())
        else {
            return Err((
                "UnknownParameter",
                format!("The parameter `{k}` is not recognized."),
            ));
        };
        let id = v.parse::<u64>().map_err(|_| {
            (
                "InvalidParameter.InvalidCSRId",
                format!("Incorrect CSR ID: {v}."),
            )
        })?;
        indexed.push((index, id));
    }
    if indexed.is_empty() {
        return Err((
            "MissingParameter",
            "The request is missing a required parameter `CSRIds`.".into(),
        ));
    }
    indexed.sort_unstable();
    Ok(indexed.into_iter().map(|(_, id)| id).collect())
}

pub(crate) fn handle(state: &mut State, req: &WireRequest, ctx: &Ctx) -> Reply {
    let ids = if req.method == "GET" {
        ids_from_query(&req.query)
    } else {
        ids_from_body(req)
    };
    let ids = match ids {
        Ok(ids) => ids,
        Err((code, msg)) => return tencent_error(200, code, &msg, ctx),
    };
    if ids.is_empty() || ids.len() > MAX_IDS {
        return tencent_error(
            200,
            "InvalidParameterValue",
            &format!(
                "The parameter `CSRIds` must hold 1 to {MAX_IDS} ids; it holds {}.",
                ids.len()
            ),
            ctx,
        );
    }
    let mut success = Vec::new();
    for id in ids {
        if let Some(pos) = state.tencent.iter().position(|x| *x == id) {
            state.tencent.remove(pos);
            success.push(id);
        }
    }
    Reply::json(
        200,
        &json!({"Response": {"Success": success, "RequestId": ctx.request_id}}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_form() {
        assert_eq!(ids_from_query("CSRIds.1=22&CSRIds.0=11"), Ok(vec![11, 22]));
        assert_eq!(
            ids_from_query("Note=x").map_err(|e| e.0),
            Err("UnknownParameter")
        );
        assert_eq!(
            ids_from_query("CSRIds.0=x").map_err(|e| e.0),
            Err("InvalidParameter.InvalidCSRId")
        );
        assert_eq!(ids_from_query("").map_err(|e| e.0), Err("MissingParameter"));
    }
}
