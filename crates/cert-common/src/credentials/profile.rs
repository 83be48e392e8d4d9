//! The vendors' credentials files: where each lives, how a profile is picked, and the
//! [`ProfileProvider`] that reads one profile of one.
//!
//! Each vendor describes its file with a [`ProfileSpec`] (in
//! `cert_common::providers::<vendor>::credentials`). The rules common to all three:
//!
//! - **The file** is the one named by the vendor's override variable when it is set (and then
//!   it must exist), else the first of the vendor's default paths that exists (paths relative
//!   to the home directory, `HOME` or else `USERPROFILE`).
//! - **The profile** is the one named in the client's configuration (certctl `--profile`),
//!   else the one named by the vendor's profile variable, else the vendor's default name.
//! - **Nothing there** (no file, or the default profile is not in it, and nobody named a
//!   profile) is "not found": a chain goes on to its next source.
//! - **Anything else is an error that stops the chain**: a profile that was named but is not
//!   in the file (or there is no file), a file that cannot be read or parsed, a profile
//!   without a key it needs. The error names the file, the line and the key, never a value.
//!   The vendors' Go SDKs fall through to the next source on some of these; a named profile
//!   silently replaced by other credentials is how a delete reaches the wrong account, so this
//!   SDK stops instead.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use async_trait::async_trait;

use super::ini::{self, IniFile, Section};
use super::{Credentials, Env, ProvideCredentials, not_found};
use crate::error::{Error, ErrorKind};

/// Where a vendor keeps its credentials file and how it picks a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProfileSpec {
    /// The vendor's name, for messages ("Tencent Cloud").
    pub vendor: &'static str,
    /// The variable naming another file, if the vendor has one.
    pub file_var: Option<&'static str>,
    /// The default paths, tried in order; relative ones are under the home directory.
    pub paths: &'static [&'static str],
    /// The variable naming the profile, if the vendor has one.
    pub profile_var: Option<&'static str>,
    /// The profile used when none is named.
    pub default_profile: &'static str,
}

/// Which profile, and who asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Selection {
    /// The profile's name.
    pub name: String,
    /// Who named it ("the configuration", or the variable), or `None` for the default.
    pub named_by: Option<String>,
}

/// One profile, read from its file.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoadedProfile {
    /// The file it was read from.
    pub path: PathBuf,
    /// Its section. Values may be secret: never print them.
    pub section: Section,
}

impl LoadedProfile {
    /// `"profile \"ops\" of /home/me/.tencentcloud/credentials"`.
    pub fn describe(&self) -> String {
        format!("profile {:?} of {}", self.section.name, self.path.display())
    }

    /// The value of `key`, or an error naming the file, the profile, its line and the key.
    pub fn require(&self, key: &str) -> Result<&str, Error> {
        self.section.get(key).ok_or_else(|| {
            Error::new(
                ErrorKind::Credentials,
                format!(
                    "{}, profile [{}] (line {}): `{key}` is missing or empty",
                    self.path.display(),
                    self.section.name,
                    self.section.line
                ),
            )
        })
    }

    /// An error about `key` of this profile (its line when present), saying `what`.
    pub fn bad_key(&self, key: &str, what: &str) -> Error {
        let line = self
            .section
            .entry(key)
            .map_or(self.section.line, |e| e.line);
        Error::new(
            ErrorKind::Credentials,
            format!(
                "{}, line {line}: profile [{}], `{key}`: {what}",
                self.path.display(),
                self.section.name
            ),
        )
    }
}

impl ProfileSpec {
    /// The profile to read: `explicit`, else the profile variable's, else the default.
    pub fn select(&self, explicit: Option<&str>, env: &Env) -> Selection {
        if let Some(name) = explicit.map(str::trim).filter(|n| !n.is_empty()) {
            return Selection {
                name: name.to_string(),
                named_by: Some("the configuration".to_string()),
            };
        }
        if let Some(var) = self.profile_var
            && let Some(name) = env.get(var).map(|n| n.trim().to_string())
            && !name.is_empty()
        {
            return Selection {
                name,
                named_by: Some(var.to_string()),
            };
        }
        Selection {
            name: self.default_profile.to_string(),
            named_by: None,
        }
    }

    /// The file to read: `Ok(None)` when there is none and none was named by the override
    /// variable (which must then name a file that exists).
    pub fn locate(&self, env: &Env) -> Result<Option<PathBuf>, Error> {
        if let Some(var) = self.file_var
            && let Some(p) = env.get(var)
        {
            let path = PathBuf::from(p);
            if !path.is_file() {
                return Err(Error::new(
                    ErrorKind::Credentials,
                    format!(
                        "{var} names {}, which is not a file that exists",
                        path.display()
                    ),
                ));
            }
            return Ok(Some(path));
        }
        Ok(self.default_paths(env).into_iter().find(|p| p.is_file()))
    }

    /// The default paths, resolved against the home directory.
    pub fn default_paths(&self, env: &Env) -> Vec<PathBuf> {
        let home = env.home();
        self.paths
            .iter()
            .filter_map(|p| {
                let p = Path::new(p);
                if p.is_absolute() {
                    Some(p.to_path_buf())
                } else {
                    home.as_ref().map(|h| h.join(p))
                }
            })
            .collect()
    }

    /// Reads the selected profile of the INI file: `Ok(None)` for "nothing there" (see the
    /// module's rules), an error for anything wrong.
    pub fn load_ini(
        &self,
        explicit: Option<&str>,
        env: &Env,
    ) -> Result<Option<LoadedProfile>, Error> {
        let selection = self.select(explicit, env);
        let Some(path) = self.locate(env)? else {
            return match &selection.named_by {
                None => Ok(None),
                Some(by) => Err(Error::new(
                    ErrorKind::Credentials,
                    format!(
                        "profile {:?} (named by {by}) cannot be read: no {} credentials file \
                         (looked for {})",
                        selection.name,
                        self.vendor,
                        self.looked_for(env)
                    ),
                )),
            };
        };
        let file = parse_file(&path)?;
        match file.section(&selection.name) {
            Some(section) => Ok(Some(LoadedProfile {
                path,
                section: section.clone(),
            })),
            None if selection.named_by.is_none() => Ok(None),
            None => Err(missing_profile(&path, &file, &selection)),
        }
    }

    fn looked_for(&self, env: &Env) -> String {
        let mut names: Vec<String> = Vec::new();
        if let Some(var) = self.file_var {
            names.push(format!("${var}"));
        }
        names.extend(
            self.default_paths(env)
                .iter()
                .map(|p| p.display().to_string()),
        );
        if env.home().is_none() {
            names.push("(no HOME)".to_string());
        }
        names.join(", ")
    }
}

/// Reads and parses an INI file; errors name the file.
pub fn parse_file(path: &Path) -> Result<IniFile, Error> {
    ini::parse(path, &read_text(path)?)
}

/// Reads a credentials file as text; errors name the file.
pub fn read_text(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            ErrorKind::Credentials,
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

/// The error of a named profile that is not in its file.
pub fn missing_profile(path: &Path, file: &IniFile, selection: &Selection) -> Error {
    let names: Vec<&str> = file.names().filter(|n| *n != "DEFAULT").collect();
    Error::new(
        ErrorKind::Credentials,
        format!(
            "{}: no profile [{}] (named by {}); the file has {}",
            path.display(),
            selection.name,
            selection.named_by.as_deref().unwrap_or("default"),
            if names.is_empty() {
                "no profiles".to_string()
            } else {
                names
                    .iter()
                    .map(|n| format!("[{n}]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
    )
}

/// How a vendor turns its profile into credentials (`env` for what a role's STS call needs).
pub type ReadProfile = fn(&LoadedProfile, &Env) -> Result<ProfileSource, Error>;

/// What a profile gives: keys, or a source of its own (a role assumed with the profile's keys,
/// behind a cache).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ProfileSource {
    /// Keys (or a token) to use as they are.
    Keys(Credentials),
    /// A provider to ask at every attempt.
    Provider(std::sync::Arc<dyn ProvideCredentials>),
}

impl From<Credentials> for ProfileSource {
    fn from(c: Credentials) -> Self {
        ProfileSource::Keys(c)
    }
}

/// What loading gave, kept for every later attempt (an [`Error`] is not `Clone`).
enum Loaded {
    Found {
        source: ProfileSource,
        described: String,
    },
    NotFound(String),
    Failed(String),
}

/// A profile found: where it is (for [`ProvideCredentials::describe`]) and what it gives.
pub type Found = (String, ProfileSource);

type Loader = Box<dyn Fn() -> Result<Option<Found>, Error> + Send + Sync>;

/// Credentials from a profile of a vendor's credentials file, read once (at the first
/// attempt) and kept: the vendors' files hold long-term keys.
pub struct ProfileProvider {
    vendor: &'static str,
    load: Loader,
    nothing: String,
    loaded: OnceLock<Loaded>,
}

impl fmt::Debug for ProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileProvider")
            .field("vendor", &self.vendor)
            .finish()
    }
}

impl ProfileProvider {
    /// The profile `profile` (or the selected one, see [`ProfileSpec::select`]) of `spec`'s
    /// INI file, turned into credentials by `read`.
    pub fn new(
        spec: &'static ProfileSpec,
        profile: Option<String>,
        env: Env,
        read: ReadProfile,
    ) -> Self {
        let nothing = format!(
            "no {} credentials file with a [{}] profile ({})",
            spec.vendor,
            spec.default_profile,
            spec.looked_for(&env)
        );
        ProfileProvider::from_loader(spec.vendor, nothing, move || {
            match spec.load_ini(profile.as_deref(), &env)? {
                Some(p) => Ok(Some((p.describe(), read(&p, &env)?))),
                None => Ok(None),
            }
        })
    }

    /// A provider whose `load` finds the profile: `Ok(None)` is "nothing there" (a chain goes
    /// on, and `nothing` says why), an error stops the chain.
    pub fn from_loader(
        vendor: &'static str,
        nothing: String,
        load: impl Fn() -> Result<Option<Found>, Error> + Send + Sync + 'static,
    ) -> Self {
        ProfileProvider {
            vendor,
            load: Box::new(load),
            nothing,
            loaded: OnceLock::new(),
        }
    }

    fn loaded(&self) -> &Loaded {
        self.loaded.get_or_init(|| match (self.load)() {
            Ok(Some((described, source))) => {
                let invalid = match &source {
                    ProfileSource::Keys(c) => c.access_key().and_then(|k| k.validate().err()),
                    ProfileSource::Provider(_) => None,
                };
                match invalid {
                    Some(e) => Loaded::Failed(format!("{described}: {}", e.message())),
                    None => Loaded::Found { source, described },
                }
            }
            Ok(None) => Loaded::NotFound(self.nothing.clone()),
            Err(e) => Loaded::Failed(e.message().to_string()),
        })
    }

    /// The answer when it needs no wait: keys, a failure, or what the profile's own source
    /// answers at once.
    fn answer_now(&self) -> Option<Result<Credentials, Error>> {
        match self.loaded() {
            Loaded::Found {
                source: ProfileSource::Keys(c),
                ..
            } => Some(Ok(c.clone())),
            Loaded::Found {
                source: ProfileSource::Provider(p),
                ..
            } => p.provide_now(),
            Loaded::NotFound(m) => Some(Err(not_found(m.clone()))),
            Loaded::Failed(m) => Some(Err(Error::new(ErrorKind::Credentials, m.clone()))),
        }
    }

    fn own_source(&self) -> Option<&std::sync::Arc<dyn ProvideCredentials>> {
        match self.loaded() {
            Loaded::Found {
                source: ProfileSource::Provider(p),
                ..
            } => Some(p),
            _ => None,
        }
    }
}

#[async_trait]
impl ProvideCredentials for ProfileProvider {
    async fn provide(&self) -> Result<Credentials, Error> {
        match self.own_source() {
            Some(p) => super::provide(p.as_ref()).await,
            None => self.answer_now().unwrap_or_else(unreachable_answer),
        }
    }

    fn provide_now(&self) -> Option<Result<Credentials, Error>> {
        self.answer_now()
    }

    fn describe(&self) -> String {
        match self.loaded() {
            Loaded::Found {
                source: ProfileSource::Provider(p),
                described,
            } => format!("{} ({described})", p.describe()),
            Loaded::Found { described, .. } => described.clone(),
            _ => format!("{} credentials file", self.vendor),
        }
    }

    fn invalidate(&self, refused: &Credentials) {
        if let Some(p) = self.own_source() {
            p.invalidate(refused);
        }
    }

    fn refreshable(&self) -> bool {
        self.own_source().is_some_and(|p| p.refreshable())
    }
}

/// Keys and failures always answer at once; only a profile's own source may not.
fn unreachable_answer() -> Result<Credentials, Error> {
    Err(Error::new(
        ErrorKind::Credentials,
        "the profile gave no answer",
    ))
}
