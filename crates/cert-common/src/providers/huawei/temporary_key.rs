//! The answer both Huawei temporary-key sources read: the ECS metadata `securitykey` and IAM's
//! `OS-CREDENTIAL/securitytokens` each send
//! `{"credential": {"access", "secret", "securitytoken", "expires_at"}}`.

use serde::Deserialize;

use crate::credentials::Temporary;
use crate::credentials::metadata::parse_expiry;

#[derive(Deserialize)]
struct KeyAnswer {
    credential: Option<KeyCredential>,
}

#[derive(Deserialize)]
struct KeyCredential {
    access: Option<String>,
    secret: Option<String>,
    securitytoken: Option<String>,
    expires_at: Option<String>,
}

/// The temporary key of such an answer, or what is wrong with it (never a value from it).
pub(crate) fn read(body: &[u8]) -> Result<Temporary, String> {
    let answer: KeyAnswer =
        serde_json::from_slice(body).map_err(|e| format!("not the expected JSON ({e})"))?;
    let Some(KeyCredential {
        access: Some(ak),
        secret: Some(sk),
        securitytoken: Some(token),
        expires_at: Some(exp),
    }) = answer.credential
    else {
        return Err("credential.access, secret, securitytoken or expires_at is missing".into());
    };
    let expires_at = parse_expiry(&exp).ok_or("expires_at is not a UTC time")?;
    Temporary::access_key(ak, sk, token, expires_at).map_err(|e| e.message().to_string())
}
