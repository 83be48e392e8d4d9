//! Where Tencent Cloud credentials and the region come from (`docs/credentials.md` cites the
//! vendor sources).
//!
//! The default chain, in the order of the vendor's Go SDK (`DefaultProviderChain` in
//! `tencentcloud/common/provider_chain.go`): explicit credentials, the environment
//! ([`EnvVars::TENCENT`]), the profile file ([`PROFILE`]), then the CVM instance role
//! ([`super::cvm_role`]). A profile named in the configuration replaces the environment and
//! the instance role.

use std::sync::Arc;

use super::sts;
use crate::credentials::profile::{LoadedProfile, ProfileSource};
use crate::credentials::{
    AccessKey, ChainProvider, Credentials, Env, EnvVars, Misconfigured, ProfileProvider,
    ProfileSpec, ProvideCredentials, StaticProvider, standard_sources,
};
use crate::error::Error;

/// `~/.tencentcloud/credentials`, or the file named by `TENCENTCLOUD_CREDENTIALS_FILE`
/// (`tencentcloud/common/profile_provider.go`). The vendor reads only `[default]`; this SDK
/// reads any profile named in the configuration (certctl `--profile`). Keys `secret_id`,
/// `secret_key`, and `token` for temporary keys (this SDK's addition).
pub static PROFILE: ProfileSpec = ProfileSpec {
    vendor: "Tencent Cloud",
    file_var: Some("TENCENTCLOUD_CREDENTIALS_FILE"),
    paths: &[".tencentcloud/credentials"],
    profile_var: None,
    default_profile: "default",
};

/// The region variable of Tencent's Terraform provider and `tccli`: `TENCENTCLOUD_REGION`.
pub const REGION_VAR: &str = "TENCENTCLOUD_REGION";

fn read_profile(p: &LoadedProfile, env: &Env) -> Result<ProfileSource, Error> {
    let id = p.require("secret_id")?;
    let key = p.require("secret_key")?;
    let keys: Credentials = match p.section.get("token") {
        Some(t) => AccessKey::temporary(id, key, t),
        None => AccessKey::new(id, key),
    }
    .into();
    let Some(arn) = p.section.get("role_arn") else {
        return Ok(keys.into());
    };
    let duration = match p.section.get("duration_seconds") {
        None => sts::DEFAULT_DURATION,
        Some(d) => d
            .parse()
            .map_err(|_| p.bad_key("duration_seconds", "is not a number of seconds"))?,
    };
    let role = sts::Role {
        arn: arn.to_string(),
        session_name: p.section.get("role_session_name").map(str::to_string),
        duration,
    };
    let source = sts::assume(Arc::new(StaticProvider::new(keys)), role, env)
        .map_err(|e| p.bad_key("role_arn", e.message()))?;
    Ok(ProfileSource::Provider(source))
}

/// The default chain: `explicit`, then the environment, the profile file and the CVM role;
/// when `profile` is named, `explicit` then that profile only.
pub fn default_chain(
    explicit: Option<Credentials>,
    profile: Option<String>,
    env: Env,
) -> Arc<dyn ProvideCredentials> {
    let named = profile.is_some();
    let env_at = usize::from(explicit.is_some());
    let env_for_chain = env.clone();
    let profile = ProfileProvider::new(&PROFILE, profile, env, read_profile);
    let mut chain = standard_sources(explicit, named, EnvVars::TENCENT, &env_for_chain, profile);
    if !named {
        // TENCENTCLOUD_ROLE_ARN: the environment's keys assume that role.
        if let Some(role) = sts::env_role(chain[env_at].clone(), &env_for_chain) {
            chain[env_at] = role.unwrap_or_else(|e| Misconfigured::arc(&e));
        }
        if let Some(oidc) = sts::tke_oidc(&env_for_chain) {
            chain.insert(env_at + 1, oidc.unwrap_or_else(|e| Misconfigured::arc(&e)));
        }
        chain.push(super::cvm_role::provider(&env_for_chain));
    }
    Arc::new(ChainProvider::new(chain))
}

/// The region: `explicit`, else `TENCENTCLOUD_REGION`. The vendor's credentials file has no
/// region.
pub fn region(explicit: Option<String>, env: &Env) -> Option<String> {
    explicit.or_else(|| env.get(REGION_VAR))
}

impl crate::credentials::EnvVars {
    /// Tencent Cloud: `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, and for temporary
    /// keys any of `TENCENTCLOUD_SESSION_TOKEN` (this SDK's name so far),
    /// `TENCENTCLOUD_SECURITY_TOKEN` (Tencent's Terraform provider, `tencentcloud/provider.go`
    /// of tencentcloudstack/terraform-provider-tencentcloud) and `TENCENTCLOUD_TOKEN` (used by
    /// Tencent Cloud scripts and integrations). The vendor's Go SDK reads no token variable
    /// (`tencentcloud/common/env_provider.go`).
    pub const TENCENT: EnvVars = EnvVars {
        access_key_id: "TENCENTCLOUD_SECRET_ID",
        secret: "TENCENTCLOUD_SECRET_KEY",
        security_token: &[
            "TENCENTCLOUD_SESSION_TOKEN",
            "TENCENTCLOUD_SECURITY_TOKEN",
            "TENCENTCLOUD_TOKEN",
        ],
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::is_not_found;
    use std::collections::HashMap;

    fn home_with(text: Option<&str>) -> std::path::PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tc-cred-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(dir.join(".tencentcloud")).expect("mkdir");
        if let Some(t) = text {
            std::fs::write(dir.join(".tencentcloud/credentials"), t).expect("write");
        }
        dir
    }

    fn env(home: &std::path::Path, pairs: &[(&str, &str)]) -> Env {
        let mut m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        m.insert("HOME".into(), home.display().to_string());
        // Unit tests never reach for a metadata service.
        m.entry("CERT_SDK_METADATA_DISABLED".into())
            .or_insert_with(|| "true".into());
        Env::from_fn(move |k| m.get(k).cloned())
    }

    fn id(p: &Arc<dyn ProvideCredentials>) -> Result<String, Error> {
        let c = p.provide_now().expect("answers at once")?;
        Ok(c.access_key().expect("key").id().to_string())
    }

    const FILE: &str = "[default]\nsecret_id = AKIDFILE\nsecret_key = filesecret\n\
                        [ops]\nsecret_id = AKIDOPS\nsecret_key = opssecret\ntoken = t\n";
    const ENV: &[(&str, &str)] = &[
        ("TENCENTCLOUD_SECRET_ID", "AKIDENV"),
        ("TENCENTCLOUD_SECRET_KEY", "envsecret"),
    ];

    /// One row per line of the precedence table in docs/credentials.md.
    #[test]
    fn precedence_table() {
        let home = home_with(Some(FILE));
        let explicit = || Some(Credentials::from(AccessKey::new("AKIDEXPLICIT", "s")));
        // explicit > environment > profile file
        let chain = default_chain(explicit(), None, env(&home, ENV));
        assert_eq!(id(&chain).unwrap(), "AKIDEXPLICIT");
        assert_eq!(
            chain.describe(),
            "explicit credentials (the client's configuration)"
        );
        let chain = default_chain(None, None, env(&home, ENV));
        assert_eq!(id(&chain).unwrap(), "AKIDENV");
        assert_eq!(chain.describe(), "environment (TENCENTCLOUD_SECRET_ID)");
        let chain = default_chain(None, None, env(&home, &[]));
        assert_eq!(id(&chain).unwrap(), "AKIDFILE");
        assert!(
            chain.describe().starts_with("profile \"default\" of "),
            "{}",
            chain.describe()
        );
        // A named profile replaces the environment; explicit still wins over it.
        let chain = default_chain(None, Some("ops".into()), env(&home, ENV));
        assert_eq!(id(&chain).unwrap(), "AKIDOPS");
        let chain = default_chain(explicit(), Some("ops".into()), env(&home, ENV));
        assert_eq!(id(&chain).unwrap(), "AKIDEXPLICIT");
        // The file's override variable wins over the default path.
        let other = home_with(Some("[default]\nsecret_id = AKIDOTHER\nsecret_key = o\n"));
        let path = other
            .join(".tencentcloud/credentials")
            .display()
            .to_string();
        let chain = default_chain(
            None,
            None,
            env(&home, &[("TENCENTCLOUD_CREDENTIALS_FILE", &path)]),
        );
        assert_eq!(id(&chain).unwrap(), "AKIDOTHER");
        // Region: explicit > TENCENTCLOUD_REGION.
        let e = env(&home, &[("TENCENTCLOUD_REGION", "ap-beijing")]);
        assert_eq!(region(None, &e).as_deref(), Some("ap-beijing"));
        assert_eq!(
            region(Some("ap-guangzhou".into()), &e).as_deref(),
            Some("ap-guangzhou")
        );
    }

    #[test]
    fn nothing_there_falls_through_and_a_named_profile_never_does() {
        let empty = home_with(None);
        let e = id(&default_chain(None, None, env(&empty, &[]))).unwrap_err();
        assert!(is_not_found(&e), "{e}");
        let e = id(&default_chain(None, Some("ops".into()), env(&empty, &[]))).unwrap_err();
        assert!(!is_not_found(&e), "{e}");
        assert!(e.message().contains("profile \"ops\""), "{e}");
        let home = home_with(Some(FILE));
        let e = id(&default_chain(None, Some("nosuch".into()), env(&home, ENV))).unwrap_err();
        assert!(e.message().contains("no profile [nosuch]"), "{e}");
        assert!(e.message().contains("[default], [ops]"), "{e}");
        // A missing file named by the variable is an error too.
        let e = id(&default_chain(
            None,
            None,
            env(
                &empty,
                &[("TENCENTCLOUD_CREDENTIALS_FILE", "/nonexistent/creds")],
            ),
        ))
        .unwrap_err();
        assert!(
            !is_not_found(&e) && e.message().contains("/nonexistent/creds"),
            "{e}"
        );
    }

    #[test]
    fn bad_files_name_file_line_and_key_but_no_value() {
        let home = home_with(Some("[default]\nsecret_id = AKIDFILE\nsecret_key\n"));
        let e = id(&default_chain(None, None, env(&home, &[]))).unwrap_err();
        let m = e.to_string();
        assert!(m.contains(".tencentcloud/credentials, line 3:"), "{m}");
        assert!(!m.contains("AKIDFILE"), "{m}");
        let home = home_with(Some("[default]\nsecret_id = AKIDFILE\n"));
        let m = id(&default_chain(None, None, env(&home, &[])))
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("profile [default] (line 1): `secret_key` is missing"),
            "{m}"
        );
        let home = home_with(Some(
            "[default]\nsecret_id = AKIDFILE \nsecret_key = \" s\"\n",
        ));
        let m = id(&default_chain(None, None, env(&home, &[])))
            .unwrap_err()
            .to_string();
        assert!(m.contains("secret key") && !m.contains(" s\""), "{m}");
    }
}
