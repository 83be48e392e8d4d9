//! The credentials the emulator accepts by default, and the type to configure others.
//!
//! These are test values, not secrets: print them, commit them, hand them to the code under
//! test. Every key is accepted for every project and resource.

use std::fmt;

/// Huawei access key id (permanent key).
pub const HUAWEI_AK: &str = "EMULATORHUAWEIAK0001";
/// Huawei secret key of [`HUAWEI_AK`].
pub const HUAWEI_SK: &str = "emulator-huawei-secret-key-0000000000001";
/// The Huawei project id seeded with resources by default.
pub const HUAWEI_PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";
/// Huawei temporary access key id (needs [`HUAWEI_SECURITY_TOKEN`] as `X-Security-Token`).
pub const HUAWEI_TEMP_AK: &str = "EMULATORHUAWEITMP001";
/// Huawei temporary secret key of [`HUAWEI_TEMP_AK`].
pub const HUAWEI_TEMP_SK: &str = "emulator-huawei-temporary-secret-key-001";
/// The security token of [`HUAWEI_TEMP_AK`].
pub const HUAWEI_SECURITY_TOKEN: &str = "emulator-huawei-security-token+/=0001";
/// A Huawei IAM user token accepted as `X-Auth-Token`.
pub const HUAWEI_IAM_TOKEN: &str = "emulator-huawei-iam-token-0001";
/// Tencent SecretId (permanent key).
pub const TENCENT_SECRET_ID: &str = "AKIDEMULATOR00000000000000000001";
/// Tencent SecretKey of [`TENCENT_SECRET_ID`].
pub const TENCENT_SECRET_KEY: &str = "emulator-tencent-secret-key-0001";
/// Tencent temporary SecretId (needs [`TENCENT_TOKEN`] as `X-TC-Token`).
pub const TENCENT_TEMP_SECRET_ID: &str = "AKIDEMULATORTMP0000000000000001";
/// Tencent temporary SecretKey of [`TENCENT_TEMP_SECRET_ID`].
pub const TENCENT_TEMP_SECRET_KEY: &str = "emulator-tencent-temporary-key-01";
/// The token of [`TENCENT_TEMP_SECRET_ID`].
pub const TENCENT_TOKEN: &str = "emulator-tencent-token-0001";
/// Alibaba Cloud AccessKey ID (permanent key).
pub const ALIYUN_ACCESS_KEY_ID: &str = "LTAI5tEMULATOR0000000001";
/// Alibaba Cloud AccessKey secret of [`ALIYUN_ACCESS_KEY_ID`].
pub const ALIYUN_ACCESS_KEY_SECRET: &str = "emulator-aliyun-secret-000000001";
/// Alibaba Cloud STS AccessKey ID (needs [`ALIYUN_SECURITY_TOKEN`] as `x-acs-security-token`).
pub const ALIYUN_TEMP_ACCESS_KEY_ID: &str = "STS.EMULATOR000000000001";
/// Alibaba Cloud STS AccessKey secret of [`ALIYUN_TEMP_ACCESS_KEY_ID`].
pub const ALIYUN_TEMP_ACCESS_KEY_SECRET: &str = "emulator-aliyun-sts-secret-00001";
/// The security token of [`ALIYUN_TEMP_ACCESS_KEY_ID`].
pub const ALIYUN_SECURITY_TOKEN: &str = "emulator-aliyun-sts-token+/=0001";

/// An accepted key: id, secret and, for temporary keys, the token that must accompany it.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// Access key id / SecretId.
    pub id: String,
    /// Secret key.
    pub secret: String,
    /// Security token that must be sent with this key (temporary credentials).
    pub token: Option<String>,
    /// When the key stops being accepted (Unix seconds on the emulator's clock); `None`: never.
    pub expires_at: Option<i64>,
}

impl KeyPair {
    /// A permanent key.
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        KeyPair {
            id: id.into(),
            secret: secret.into(),
            token: None,
            expires_at: None,
        }
    }

    /// A temporary key that must come with `token`.
    pub fn temporary(
        id: impl Into<String>,
        secret: impl Into<String>,
        token: impl Into<String>,
    ) -> Self {
        KeyPair {
            id: id.into(),
            secret: secret.into(),
            token: Some(token.into()),
            expires_at: None,
        }
    }

    /// The same key, accepted only before `unix` (seconds on the emulator's clock).
    pub fn expiring_at(mut self, unix: i64) -> Self {
        self.expires_at = Some(unix);
        self
    }

    /// Whether the key has expired at `now` (Unix seconds).
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|e| now >= e)
    }
}

impl fmt::Debug for KeyPair {
    /// The secret and token are redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("id", &self.id)
            .field("secret", &"** redacted **")
            .field("token", &self.token.as_ref().map(|_| "** redacted **"))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Finds a key by id.
pub(crate) fn find<'a>(keys: &'a [KeyPair], id: &str) -> Option<&'a KeyPair> {
    keys.iter().find(|k| k.id == id)
}

/// Every credential the emulator accepts, per provider.
#[derive(Clone, PartialEq, Eq)]
pub struct AcceptedCredentials {
    /// Huawei AK/SK pairs (for ELB, APIG and CSMS).
    pub huawei: Vec<KeyPair>,
    /// Huawei IAM tokens accepted as `X-Auth-Token`.
    pub huawei_iam_tokens: Vec<String>,
    /// Tencent SecretId/SecretKey pairs.
    pub tencent: Vec<KeyPair>,
    /// Alibaba Cloud AccessKey pairs.
    pub aliyun: Vec<KeyPair>,
}

impl AcceptedCredentials {
    /// Accepts nothing (every request is refused until keys are added).
    pub fn none() -> Self {
        AcceptedCredentials {
            huawei: Vec::new(),
            huawei_iam_tokens: Vec::new(),
            tencent: Vec::new(),
            aliyun: Vec::new(),
        }
    }
}

impl Default for AcceptedCredentials {
    /// The constants of this module: one permanent and one temporary key per provider, plus
    /// the Huawei IAM token.
    fn default() -> Self {
        AcceptedCredentials {
            huawei: vec![
                KeyPair::new(HUAWEI_AK, HUAWEI_SK),
                KeyPair::temporary(HUAWEI_TEMP_AK, HUAWEI_TEMP_SK, HUAWEI_SECURITY_TOKEN),
            ],
            huawei_iam_tokens: vec![HUAWEI_IAM_TOKEN.to_string()],
            tencent: vec![
                KeyPair::new(TENCENT_SECRET_ID, TENCENT_SECRET_KEY),
                KeyPair::temporary(
                    TENCENT_TEMP_SECRET_ID,
                    TENCENT_TEMP_SECRET_KEY,
                    TENCENT_TOKEN,
                ),
            ],
            aliyun: vec![
                KeyPair::new(ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET),
                KeyPair::temporary(
                    ALIYUN_TEMP_ACCESS_KEY_ID,
                    ALIYUN_TEMP_ACCESS_KEY_SECRET,
                    ALIYUN_SECURITY_TOKEN,
                ),
            ],
        }
    }
}

impl fmt::Debug for AcceptedCredentials {
    /// Shows key ids only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids = |v: &[KeyPair]| v.iter().map(|k| k.id.clone()).collect::<Vec<_>>();
        f.debug_struct("AcceptedCredentials")
            .field("huawei", &ids(&self.huawei))
            .field("huawei_iam_tokens", &self.huawei_iam_tokens.len())
            .field("tencent", &ids(&self.tencent))
            .field("aliyun", &ids(&self.aliyun))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let s = format!("{:?}", AcceptedCredentials::default());
        for secret in [
            HUAWEI_SK,
            HUAWEI_SECURITY_TOKEN,
            HUAWEI_IAM_TOKEN,
            TENCENT_SECRET_KEY,
            TENCENT_TOKEN,
            ALIYUN_ACCESS_KEY_SECRET,
            ALIYUN_SECURITY_TOKEN,
        ] {
            assert!(!s.contains(secret), "{s}");
        }
        assert!(s.contains(HUAWEI_AK), "{s}");
        let k = format!("{:?}", KeyPair::temporary("id", "sec-ret", "tok-en"));
        assert!(!k.contains("sec-ret") && !k.contains("tok-en"), "{k}");
    }
}
