//! Where Huawei Cloud credentials and the project id come from (`docs/credentials.md` cites
//! the vendor sources).
//!
//! The default chain, in the order of the vendor's Go SDK (`BasicCredentialProviderChain` in
//! `core/auth/provider/provider_chain.go`): explicit credentials, the environment
//! ([`EnvVars::HUAWEI`]), ID-token federation from the environment ([`super::federation`]),
//! the profile file ([`PROFILE`], whose `idp_id`/`id_token_file` federate too); then this
//! SDK's IAM token variable,
//! then the ECS agency's keys from the instance metadata ([`super::metadata`]). A profile named
//! in the configuration replaces the environment and the instance metadata.

use std::sync::Arc;

use crate::credentials::profile::{LoadedProfile, ProfileSource};
use crate::credentials::{
    AccessKey, ChainProvider, Credentials, Env, EnvVars, Misconfigured, ProfileProvider,
    ProfileSpec, ProvideCredentials, standard_sources,
};
use crate::error::Error;

/// `~/.huaweicloud/credentials`, or the file named by `HUAWEICLOUD_SDK_CREDENTIALS_FILE`
/// (`core/auth/provider/profile_provider.go`). Its sections are credential types: these APIs
/// are project-scoped, so the vendor reads `[basic]`; this SDK reads any section named in the
/// configuration (certctl `--profile`). Keys `ak`, `sk`, `security_token`, `project_id`.
pub static PROFILE: ProfileSpec = ProfileSpec {
    vendor: "Huawei Cloud",
    file_var: Some("HUAWEICLOUD_SDK_CREDENTIALS_FILE"),
    paths: &[".huaweicloud/credentials"],
    profile_var: None,
    default_profile: "basic",
};

fn read_profile(p: &LoadedProfile, env: &Env) -> Result<ProfileSource, Error> {
    // ID-token federation: `idp_id` and `id_token_file` instead of keys.
    if p.section.get("idp_id").is_some() || p.section.get("id_token_file").is_some() {
        let idp = p.require("idp_id")?;
        let file = p.require("id_token_file")?;
        let source = super::federation::provider(idp.to_string(), file.into(), env)
            .map_err(|e| p.bad_key("idp_id", e.message()))?;
        return Ok(ProfileSource::Provider(source));
    }
    let ak = p.require("ak")?;
    let sk = p.require("sk")?;
    let keys: Credentials = match p.section.get("security_token") {
        Some(t) => AccessKey::temporary(ak, sk, t),
        None => AccessKey::new(ak, sk),
    }
    .into();
    Ok(keys.into())
}

/// The credential sources before the IAM token variable: `explicit`, then the environment,
/// then the profile file; when `profile` is named, `explicit` then that profile only.
pub fn default_sources(
    explicit: Option<Credentials>,
    profile: Option<String>,
    env: Env,
) -> Vec<Arc<dyn ProvideCredentials>> {
    let named = profile.is_some();
    let env_at = usize::from(explicit.is_some());
    let env_for_chain = env.clone();
    let profile = ProfileProvider::new(&PROFILE, profile, env, read_profile);
    let mut chain = standard_sources(explicit, named, EnvVars::HUAWEI, &env_for_chain, profile);
    if !named && let Some(federation) = super::federation::from_env(&env_for_chain) {
        chain.insert(
            env_at + 1,
            federation.unwrap_or_else(|e| Misconfigured::arc(&e)),
        );
    }
    chain
}

/// A chain of `sources`.
pub fn chain(sources: Vec<Arc<dyn ProvideCredentials>>) -> Arc<dyn ProvideCredentials> {
    Arc::new(ChainProvider::new(sources))
}

/// The project id of the profile, if the file and the profile are there and it has one.
pub fn profile_project_id(profile: Option<&str>, env: &Env) -> Result<Option<String>, Error> {
    Ok(PROFILE
        .load_ini(profile, env)?
        .and_then(|p| p.section.get("project_id").map(str::to_string)))
}

impl crate::credentials::EnvVars {
    /// Huawei Cloud: `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, `HUAWEICLOUD_SDK_SECURITY_TOKEN`.
    pub const HUAWEI: EnvVars = EnvVars {
        access_key_id: "HUAWEICLOUD_SDK_AK",
        secret: "HUAWEICLOUD_SDK_SK",
        security_token: &["HUAWEICLOUD_SDK_SECURITY_TOKEN"],
    };
    /// Huawei IAM token: `HUAWEICLOUD_SDK_AUTH_TOKEN` (this SDK's own name; the vendor SDKs do
    /// not read tokens from the environment).
    pub const HUAWEI_TOKEN_VAR: &'static str = "HUAWEICLOUD_SDK_AUTH_TOKEN";
}
