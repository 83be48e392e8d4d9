//! Huawei APIG `DeleteCertificateV2`: `DELETE /v2/{project_id}/apigw/certificates/{id}`; 204.
//! Not found: 404 `APIG.3021`. Bound to a domain name: 400 `APIG.3474` (the emulator's choice;
//! the page only says bound certificates cannot be deleted). Invalid input: 400 `APIG.2012`.

use super::valid_project;
use crate::shapes::{Ctx, Reply, huawei_error};
use crate::state::State;
use crate::wire::WireRequest;

/// Certificate absent.
pub(crate) const NOT_FOUND: &str = "APIG.3021";
/// Certificate bound to a domain name.
pub(crate) const BOUND: &str = "APIG.3474";
/// Invalid parameter.
pub(crate) const INVALID: &str = "APIG.2012";

pub(crate) fn handle(
    state: &mut State,
    project: &str,
    certificate_id: &str,
    _req: &WireRequest,
    ctx: &Ctx,
) -> Reply {
    let bad = |name: &str| {
        huawei_error(
            400,
            INVALID,
            &format!(
                "Invalid parameter value,parameterName:{name}. Please refer to the support documentation"
            ),
            ctx,
        )
    };
    if !valid_project(project) {
        return bad("project_id");
    }
    if certificate_id.is_empty() || certificate_id.len() > 64 {
        return bad("certificate_id");
    }
    let certs = state.apig.get_mut(project);
    let Some((certs, pos)) = certs.and_then(|c| {
        c.iter()
            .position(|x| x.id == certificate_id)
            .map(|p| (c, p))
    }) else {
        return huawei_error(
            404,
            NOT_FOUND,
            &format!("Certificate {certificate_id} does not exist"),
            ctx,
        );
    };
    if !certs[pos].domains.is_empty() {
        let domains = certs[pos].domains.join(",");
        return huawei_error(
            400,
            BOUND,
            &format!(
                "Certificate {certificate_id} is bound to domain names [{domains}]; unbind it before deleting it"
            ),
            ctx,
        );
    }
    certs.remove(pos);
    Reply::empty(204).header("x-request-id", ctx.request_id.clone())
}
