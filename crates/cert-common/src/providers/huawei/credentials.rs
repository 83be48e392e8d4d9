//! Where Huawei Cloud credentials and the project id come from (`docs/credentials.md` cites
//! the vendor sources).
//!
//! The default chain, in the order of the vendor's Go SDK (`BasicCredentialProviderChain` in
//! `core/auth/provider/provider_chain.go`): explicit credentials, the environment
//! ([`EnvVars::HUAWEI`]), the profile file ([`PROFILE`]); then this SDK's IAM token variable,
//! then the ECS agency's keys from the instance metadata ([`super::metadata`]). A profile named
//! in the configuration replaces the environment and the instance metadata.

use std::sync::Arc;

use crate::credentials::profile::{LoadedProfile, ProfileSource};
use crate::credentials::{
    AccessKey, ChainProvider, Credentials, Env, EnvVars, ProfileProvider, ProfileSpec,
    ProvideCredentials, standard_sources,
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

fn read_profile(p: &LoadedProfile, _env: &Env) -> Result<ProfileSource, Error> {
    for key in ["idp_id", "id_token_file"] {
        if p.section.get(key).is_some() {
            return Err(p.bad_key(
                key,
                "ID-token federation is not supported by this SDK yet; use ak/sk",
            ));
        }
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
    let env_for_chain = env.clone();
    let profile = ProfileProvider::new(&PROFILE, profile, env, read_profile);
    standard_sources(explicit, named, EnvVars::HUAWEI, &env_for_chain, profile)
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
