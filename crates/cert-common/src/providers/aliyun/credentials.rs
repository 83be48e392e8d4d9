//! Where Alibaba Cloud credentials and the region come from (`docs/credentials.md` cites the
//! vendor sources).
//!
//! The default chain, in the order of the vendor's `credentials-go`
//! (`NewDefaultCredentialsProvider` in `credentials/providers/default.go`): explicit
//! credentials, the environment ([`EnvVars::ALIYUN`]), the CLI's `~/.aliyun/config.json`
//! ([`CLI_CONFIG`]), `~/.alibabacloud/credentials` ([`PROFILE`]), then the ECS RAM role
//! ([`super::ecs_ram_role`]). The OIDC source of the vendor's chain is not read yet. A profile
//! named in the configuration replaces the environment and the instance role, and must be in
//! one of the two files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use super::sts;
use crate::credentials::profile::{LoadedProfile, ProfileSource, read_text};
use crate::credentials::{
    AccessKey, ChainProvider, Credentials, Env, EnvVars, Misconfigured, ProfileProvider,
    ProfileSpec, ProvideCredentials, StaticProvider, standard_sources,
};
use crate::error::{Error, ErrorKind};

/// `~/.alibabacloud/credentials`, or the file named by `ALIBABA_CLOUD_CREDENTIALS_FILE`; the
/// profile named by `ALIBABA_CLOUD_PROFILE`, else `default`
/// (`credentials/providers/profile.go`). Types read: `access_key` (`access_key_id`,
/// `access_key_secret`) and `sts` (and `security_token`; `credentials/profile_provider.go`).
pub static PROFILE: ProfileSpec = ProfileSpec {
    vendor: "Alibaba Cloud",
    file_var: Some("ALIBABA_CLOUD_CREDENTIALS_FILE"),
    paths: &[".alibabacloud/credentials"],
    profile_var: Some("ALIBABA_CLOUD_PROFILE"),
    default_profile: "default",
};

/// The aliyun CLI's `~/.aliyun/config.json`, or the file named by `ALIBABA_CLOUD_CONFIG_FILE`;
/// the profile named by `ALIBABA_CLOUD_PROFILE`, else the file's `current`; not read when
/// `ALIBABA_CLOUD_CLI_PROFILE_DISABLED` is `true` (`credentials/providers/cli_profile.go`).
/// Modes read: `AK` and `StsToken`. `default_profile` is unused (the file's `current` is).
pub static CLI_CONFIG: ProfileSpec = ProfileSpec {
    vendor: "Alibaba Cloud CLI",
    file_var: Some("ALIBABA_CLOUD_CONFIG_FILE"),
    paths: &[".aliyun/config.json"],
    profile_var: Some("ALIBABA_CLOUD_PROFILE"),
    default_profile: "",
};

/// The CLI switch that turns [`CLI_CONFIG`] off.
pub const CLI_DISABLED_VAR: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";

/// The region variable of the aliyun CLI: `ALIBABA_CLOUD_REGION_ID`.
pub const REGION_VAR: &str = "ALIBABA_CLOUD_REGION_ID";

fn read_profile(p: &LoadedProfile, env: &Env) -> Result<ProfileSource, Error> {
    let kind = p.require("type")?;
    let keys = |p: &LoadedProfile| -> Result<Credentials, Error> {
        Ok(AccessKey::new(p.require("access_key_id")?, p.require("access_key_secret")?).into())
    };
    match kind {
        "access_key" => Ok(keys(p)?.into()),
        "sts" => Ok(Credentials::from(AccessKey::temporary(
            p.require("access_key_id")?,
            p.require("access_key_secret")?,
            p.require("security_token")?,
        ))
        .into()),
        "ram_role_arn" => {
            let role = sts::Role {
                arn: p.require("role_arn")?.to_string(),
                session_name: Some(p.require("role_session_name")?.to_string()),
                duration: profile_duration(p, "role_session_expiration")?,
                policy: p.section.get("policy").map(str::to_string),
            };
            let source = sts::assume(Arc::new(StaticProvider::new(keys(p)?)), role, None, env)
                .map_err(|e| p.bad_key("role_arn", e.message()))?;
            Ok(ProfileSource::Provider(source))
        }
        "oidc_role_arn" => {
            let role = sts::Role {
                arn: p.require("role_arn")?.to_string(),
                session_name: p.section.get("role_session_name").map(str::to_string),
                duration: profile_duration(p, "role_session_expiration")?,
                policy: p.section.get("policy").map(str::to_string),
            };
            let source = sts::oidc(
                p.require("oidc_provider_arn")?.to_string(),
                PathBuf::from(p.require("oidc_token_file_path")?),
                role,
                None,
                env,
            )
            .map_err(|e| p.bad_key("role_arn", e.message()))?;
            Ok(ProfileSource::Provider(source))
        }
        "ecs_ram_role" => Ok(ProfileSource::Provider(super::ecs_ram_role::named(
            p.section.get("role_name").map(str::to_string),
            env,
        ))),
        "rsa_key_pair"
        | "bearer"
        | "credentials_uri"
        | "chainable_ram_role_arn"
        | "cloud_sso"
        | "oauth"
        | "external" => Err(p.bad_key(
            "type",
            &format!(
                "type {kind:?} is not supported by this SDK yet (supported: access_key, sts, \
                 ram_role_arn, oidc_role_arn, ecs_ram_role)"
            ),
        )),
        _ => Err(p.bad_key(
            "type",
            "unknown type (this SDK reads access_key, sts, ram_role_arn, oidc_role_arn and \
             ecs_ram_role)",
        )),
    }
}

/// A profile's session life in seconds, or the default.
fn profile_duration(p: &LoadedProfile, key: &str) -> Result<u32, Error> {
    match p.section.get(key) {
        None => Ok(sts::DEFAULT_DURATION),
        Some(v) => v
            .parse()
            .map_err(|_| p.bad_key(key, "is not a number of seconds")),
    }
}

#[derive(Deserialize)]
struct CliConfig {
    #[serde(default)]
    current: String,
    #[serde(default)]
    profiles: Vec<CliProfile>,
}

#[derive(Deserialize)]
struct CliProfile {
    #[serde(default)]
    name: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    access_key_id: String,
    #[serde(default)]
    access_key_secret: String,
    #[serde(default)]
    sts_token: String,
    #[serde(default)]
    region_id: String,
    #[serde(default)]
    ram_role_arn: String,
    #[serde(default)]
    ram_session_name: String,
    #[serde(default)]
    expired_seconds: u32,
    #[serde(default)]
    sts_region: String,
    #[serde(default)]
    policy: String,
    #[serde(default)]
    oidc_provider_arn: String,
    #[serde(default)]
    oidc_token_file: String,
    #[serde(default)]
    ram_role_name: String,
}

/// One profile of the CLI's config file.
struct CliFound {
    path: PathBuf,
    profile: CliProfile,
}

fn cli_error(path: &Path, what: String) -> Error {
    Error::new(
        ErrorKind::Credentials,
        format!("{}: {what}", path.display()),
    )
}

/// The selected profile of the CLI config: `Ok(None)` when there is no file, it is disabled,
/// or the profile is not in it.
fn load_cli(profile: Option<&str>, env: &Env) -> Result<Option<CliFound>, Error> {
    if env
        .get(CLI_DISABLED_VAR)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Ok(None);
    }
    let Some(path) = CLI_CONFIG.locate(env)? else {
        return Ok(None);
    };
    let text = read_text(&path)?;
    let config: CliConfig = serde_json::from_str(&text).map_err(|e| {
        // serde_json's message names the line and column, never the value.
        cli_error(&path, format!("not a CLI config: {e}"))
    })?;
    let selection = CLI_CONFIG.select(profile, env);
    let name = match &selection.named_by {
        Some(_) => selection.name,
        None => config.current.clone(),
    };
    let Some(found) = config.profiles.into_iter().find(|p| p.name == name) else {
        return Ok(None);
    };
    Ok(Some(CliFound {
        path,
        profile: found,
    }))
}

fn cli_credentials(f: &CliFound, env: &Env) -> Result<ProfileSource, Error> {
    let p = &f.profile;
    let need = |field: &str, v: &str| -> Result<(), Error> {
        if v.is_empty() {
            Err(cli_error(
                &f.path,
                format!(
                    "profile {:?} (mode {}): `{field}` is missing or empty",
                    p.name, p.mode
                ),
            ))
        } else {
            Ok(())
        }
    };
    let nonempty = |v: &str| (!v.is_empty()).then(|| v.to_string());
    let role = || sts::Role {
        arn: p.ram_role_arn.clone(),
        session_name: nonempty(&p.ram_session_name),
        duration: if p.expired_seconds == 0 {
            sts::DEFAULT_DURATION
        } else {
            p.expired_seconds
        },
        policy: nonempty(&p.policy),
    };
    let bad_role = |e: Error| cli_error(&f.path, format!("profile {:?}: {}", p.name, e.message()));
    match p.mode.as_str() {
        "AK" => {
            need("access_key_id", &p.access_key_id)?;
            need("access_key_secret", &p.access_key_secret)?;
            Ok(Credentials::from(AccessKey::new(
                p.access_key_id.clone(),
                p.access_key_secret.clone(),
            ))
            .into())
        }
        "StsToken" => {
            need("access_key_id", &p.access_key_id)?;
            need("access_key_secret", &p.access_key_secret)?;
            need("sts_token", &p.sts_token)?;
            Ok(Credentials::from(AccessKey::temporary(
                p.access_key_id.clone(),
                p.access_key_secret.clone(),
                p.sts_token.clone(),
            ))
            .into())
        }
        "RamRoleArn" => {
            need("access_key_id", &p.access_key_id)?;
            need("access_key_secret", &p.access_key_secret)?;
            need("ram_role_arn", &p.ram_role_arn)?;
            let keys = Credentials::from(AccessKey::new(
                p.access_key_id.clone(),
                p.access_key_secret.clone(),
            ));
            let source = sts::assume(
                Arc::new(StaticProvider::new(keys)),
                role(),
                nonempty(&p.sts_region).as_deref(),
                env,
            )
            .map_err(bad_role)?;
            Ok(ProfileSource::Provider(source))
        }
        "OIDC" => {
            need("ram_role_arn", &p.ram_role_arn)?;
            need("oidc_provider_arn", &p.oidc_provider_arn)?;
            need("oidc_token_file", &p.oidc_token_file)?;
            let source = sts::oidc(
                p.oidc_provider_arn.clone(),
                PathBuf::from(&p.oidc_token_file),
                role(),
                nonempty(&p.sts_region).as_deref(),
                env,
            )
            .map_err(bad_role)?;
            Ok(ProfileSource::Provider(source))
        }
        "EcsRamRole" => Ok(ProfileSource::Provider(super::ecs_ram_role::named(
            nonempty(&p.ram_role_name),
            env,
        ))),
        other => Err(cli_error(
            &f.path,
            format!(
                "profile {:?}: mode {other:?} is not supported by this SDK yet (supported: AK, \
                 StsToken, RamRoleArn, OIDC, EcsRamRole)",
                p.name
            ),
        )),
    }
}

/// The default chain: `explicit`, the environment, the CLI config, the credentials file, the
/// ECS RAM role; when `profile` is named, `explicit` then that profile (CLI config first) only.
pub fn default_chain(
    explicit: Option<Credentials>,
    profile: Option<String>,
    env: Env,
) -> Arc<dyn ProvideCredentials> {
    let named = profile.is_some();
    let chain_env = env.clone();
    let nothing = format!(
        "no Alibaba Cloud CLI config or credentials file with the profile ({} or {})",
        CLI_CONFIG
            .default_paths(&env)
            .first()
            .map_or("no HOME".into(), |p| p.display().to_string()),
        PROFILE
            .default_paths(&env)
            .first()
            .map_or("no HOME".into(), |p| p.display().to_string()),
    );
    let profile = ProfileProvider::from_loader("Alibaba Cloud", nothing, move || {
        if let Some(f) = load_cli(profile.as_deref(), &env)? {
            let source = format!("profile {:?} of {}", f.profile.name, f.path.display());
            return Ok(Some((source, cli_credentials(&f, &env)?)));
        }
        // A profile named but missing from the CLI config must be in this file.
        match PROFILE.load_ini(profile.as_deref(), &env)? {
            Some(p) => Ok(Some((p.describe(), read_profile(&p, &env)?))),
            None => Ok(None),
        }
    });
    let env_at = usize::from(explicit.is_some());
    let mut chain = standard_sources(explicit, named, EnvVars::ALIYUN, &chain_env, profile);
    if !named {
        // The vendor's order: the environment's keys, then RRSA (OIDC), then the files.
        if let Some(oidc) = sts::env_oidc(&chain_env) {
            chain.insert(env_at + 1, oidc.unwrap_or_else(|e| Misconfigured::arc(&e)));
        }
        chain.push(super::ecs_ram_role::provider(&chain_env));
    }
    Arc::new(ChainProvider::new(chain))
}

/// The region: `explicit`, else `ALIBABA_CLOUD_REGION_ID`, else the CLI profile's `region_id`
/// (a broken or missing CLI config gives no region; the credentials say why).
pub fn region(explicit: Option<String>, profile: Option<&str>, env: &Env) -> Option<String> {
    explicit.or_else(|| env.get(REGION_VAR)).or_else(|| {
        load_cli(profile, env)
            .ok()
            .flatten()
            .map(|f| f.profile.region_id)
            .filter(|r| !r.is_empty())
    })
}

impl crate::credentials::EnvVars {
    /// Alibaba Cloud: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
    /// `ALIBABA_CLOUD_SECURITY_TOKEN`.
    pub const ALIYUN: EnvVars = EnvVars {
        access_key_id: "ALIBABA_CLOUD_ACCESS_KEY_ID",
        secret: "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        security_token: &["ALIBABA_CLOUD_SECURITY_TOKEN"],
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn home(files: &[(&str, &str)]) -> std::path::PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "ali-cred-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        for (rel, text) in files {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        dir
    }

    fn env(home: &Path, pairs: &[(&str, &str)]) -> Env {
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

    fn key(p: &Arc<dyn ProvideCredentials>) -> Result<AccessKey, Error> {
        Ok(p.provide_now()
            .expect("at once")?
            .access_key()
            .expect("key")
            .clone())
    }

    const INI: &str = "[default]\ntype = sts\naccess_key_id = STS.INI\naccess_key_secret = s\n\
                       security_token = t\n[role]\ntype = ram_role_arn\naccess_key_id = a\n\
                       [sso]\ntype = cloud_sso\n";
    const CLI: &str = r#"{"current":"cli","profiles":[{"name":"cli","mode":"AK",
        "access_key_id":"LTAICLI","access_key_secret":"s","region_id":"cn-shanghai"},
        {"name":"arn","mode":"RamRoleArn"},{"name":"sso","mode":"CloudSSO"}]}"#;

    #[test]
    fn cli_config_first_then_the_credentials_file() {
        let h = home(&[
            (".alibabacloud/credentials", INI),
            (".aliyun/config.json", CLI),
        ]);
        let k = key(&default_chain(None, None, env(&h, &[]))).unwrap();
        assert_eq!(k.id(), "LTAICLI");
        assert_eq!(
            region(None, None, &env(&h, &[])).as_deref(),
            Some("cn-shanghai")
        );
        let e = env(&h, &[(REGION_VAR, "cn-beijing")]);
        assert_eq!(region(None, None, &e).as_deref(), Some("cn-beijing"));
        // The CLI config switched off: the ini's [default], an sts profile.
        let off = env(&h, &[(CLI_DISABLED_VAR, "true")]);
        let k = key(&default_chain(None, None, off.clone())).unwrap();
        assert_eq!(k.id(), "STS.INI");
        assert_eq!(k.security_token().map(|t| t.expose()), Some("t"));
        assert_eq!(region(None, None, &off), None);
        // ALIBABA_CLOUD_PROFILE names a profile only the ini has.
        let named = env(&h, &[("ALIBABA_CLOUD_PROFILE", "default")]);
        assert_eq!(
            key(&default_chain(None, None, named)).unwrap().id(),
            "STS.INI"
        );
    }

    #[test]
    fn unsupported_types_and_modes_are_refused_naming_file_line_and_key() {
        let h = home(&[
            (".alibabacloud/credentials", INI),
            (".aliyun/config.json", CLI),
        ]);
        let off = env(&h, &[(CLI_DISABLED_VAR, "true")]);
        let m = key(&default_chain(None, Some("role".into()), off.clone()))
            .unwrap_err()
            .to_string();
        // A ram_role_arn profile without its role: the file, profile, line and key.
        assert!(
            m.contains("credentials, profile [role] (line 6): `role_arn` is missing"),
            "{m}"
        );
        let m = key(&default_chain(None, Some("sso".into()), off.clone()))
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("credentials, line 10: profile [sso], `type`") && m.contains("cloud_sso"),
            "{m}"
        );
        let m = key(&default_chain(None, Some("arn".into()), env(&h, &[])))
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("config.json") && m.contains("`access_key_id` is missing"),
            "{m}"
        );
        let m = key(&default_chain(None, Some("sso".into()), env(&h, &[])))
            .unwrap_err()
            .to_string();
        assert!(m.contains("config.json") && m.contains("CloudSSO"), "{m}");
        let m = key(&default_chain(None, Some("nosuch".into()), env(&h, &[])))
            .unwrap_err()
            .to_string();
        assert!(m.contains("no profile [nosuch]"), "{m}");
        let bad = home(&[(".aliyun/config.json", "{\"profiles\": [")]);
        let m = key(&default_chain(None, None, env(&bad, &[])))
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("config.json: not a CLI config") && m.contains("line 1"),
            "{m}"
        );
    }
}
