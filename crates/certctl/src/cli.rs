//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Delete TLS certificates, CSRs and secrets on Huawei Cloud, Tencent Cloud and Alibaba Cloud.
///
/// Credentials come from the vendors' environment variables: HUAWEICLOUD_SDK_AK,
/// HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_SECURITY_TOKEN, HUAWEICLOUD_SDK_PROJECT_ID;
/// TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_SESSION_TOKEN (or
/// TENCENTCLOUD_SECURITY_TOKEN, TENCENTCLOUD_TOKEN);
/// ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN.
///
/// Exit status: 0 every id deleted or absent; 1 some id refused or unconfirmed; 2 usage or
/// input error (nothing sent); 3 credentials or configuration error (nothing sent).
#[derive(Debug, Parser)]
#[command(name = "certctl", version)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
    /// Request-level logs on stderr (-v: one line per request; -vv: requests in detail).
    /// RUST_LOG, when set, chooses what is logged instead (e.g. RUST_LOG=cert_common=debug);
    /// -v still raises what it does not name. Secrets are always redacted.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Huawei Cloud ELB v3.
    #[command(name = "huawei-elb", subcommand)]
    HuaweiElb(HuaweiElbCommand),
    /// Huawei Cloud API Gateway v2.
    #[command(name = "huawei-apig", subcommand)]
    HuaweiApig(HuaweiApigCommand),
    /// Huawei Cloud CSMS v1 (secrets).
    #[command(name = "huawei-csms", subcommand)]
    HuaweiCsms(HuaweiCsmsCommand),
    /// Tencent Cloud SSL certificates.
    #[command(name = "tencent-ssl", subcommand)]
    TencentSsl(TencentSslCommand),
    /// Alibaba Cloud Certificate Management Service.
    #[command(name = "aliyun-cas", subcommand)]
    AliyunCas(AliyunCasCommand),
    /// Print the report of every run a journal (--journal FILE) records: each id once, with
    /// its last outcome; ids sent by an interrupted run and never settled are unconfirmed.
    Report {
        /// The journal.
        file: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        output: OutputFormat,
    },
    /// Client configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Run the bundled emulator of the five APIs on loopback.
    Emulator(EmulatorArgs),
    /// Start the emulator in-process, delete through all five crates, print what happened.
    Demo,
    /// Print a shell completion script for certctl to standard output, e.g.
    /// `certctl completions bash > /etc/bash_completion.d/certctl`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// `certctl config` commands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print what a delete would use: the region, the endpoint, where the credentials come
    /// from and the access key id (masked). Sends nothing.
    Show {
        /// The API.
        #[arg(value_enum)]
        api: ShowApi,
        /// Tencent: the international endpoint.
        #[arg(long)]
        international: bool,
        /// Huawei options.
        #[command(flatten)]
        huawei: HuaweiArgs,
        /// Connection options.
        #[command(flatten)]
        conn: ConnArgs,
    },
}

/// An API `certctl config show` describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowApi {
    /// Huawei ELB.
    HuaweiElb,
    /// Huawei API Gateway.
    HuaweiApig,
    /// Huawei CSMS.
    HuaweiCsms,
    /// Tencent SSL.
    TencentSsl,
    /// Alibaba Cloud CAS.
    AliyunCas,
}

/// A shell that `certctl completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// bash (source the script, or put it in bash-completion's directory).
    Bash,
    /// zsh (put the script in a directory of `$fpath`, named `_certctl`).
    Zsh,
    /// fish (put the script in `~/.config/fish/completions/certctl.fish`).
    Fish,
}

/// `huawei-elb` commands.
#[derive(Debug, Subcommand)]
pub enum HuaweiElbCommand {
    /// Batch delete certificates.
    DeleteCertificates {
        /// Huawei options.
        #[command(flatten)]
        huawei: HuaweiArgs,
        /// Options every delete takes.
        #[command(flatten)]
        common: CommonArgs,
    },
}

/// `huawei-apig` commands.
#[derive(Debug, Subcommand)]
pub enum HuaweiApigCommand {
    /// Delete SSL certificates (one request each, concurrently within the rate limit).
    DeleteCertificate {
        /// Huawei options.
        #[command(flatten)]
        huawei: HuaweiArgs,
        /// Options every delete takes.
        #[command(flatten)]
        common: CommonArgs,
    },
}

/// `huawei-csms` commands.
#[derive(Debug, Subcommand)]
pub enum HuaweiCsmsCommand {
    /// Delete every secret bound to a service instance. Irreversible: asks for confirmation on a
    /// terminal, and needs --yes otherwise.
    DeleteSecrets {
        /// Huawei options.
        #[command(flatten)]
        huawei: HuaweiArgs,
        /// The service instance whose secrets are deleted (e.g. an RDS instance id).
        #[arg(long)]
        instance_id: String,
        /// The service type of the instance.
        #[arg(long, value_enum)]
        instance_type: Option<InstanceTypeArg>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// Connection options.
        #[command(flatten)]
        conn: ConnArgs,
    },
}

/// `tencent-ssl` commands.
#[derive(Debug, Subcommand)]
pub enum TencentSslCommand {
    /// Batch delete CSRs (100 ids per request, 10 requests per second by default).
    DeleteCsrs {
        /// Use the international endpoint (ssl.intl.tencentcloudapi.com).
        #[arg(long)]
        international: bool,
        /// Options every delete takes.
        #[command(flatten)]
        common: CommonArgs,
    },
}

/// `aliyun-cas` commands.
#[derive(Debug, Subcommand)]
pub enum AliyunCasCommand {
    /// Delete certificates (one request each, concurrently within the rate limit).
    DeleteCertificates {
        /// Options every delete takes.
        #[command(flatten)]
        common: CommonArgs,
    },
}

/// Huawei-only options.
#[derive(Debug, Args)]
pub struct HuaweiArgs {
    /// Project id (default: HUAWEICLOUD_SDK_PROJECT_ID).
    #[arg(long)]
    pub project_id: Option<String>,
    /// Authenticate with the IAM token in HUAWEICLOUD_SDK_AUTH_TOKEN (X-Auth-Token) instead of
    /// AK/SK signing.
    #[arg(long)]
    pub iam_token: bool,
}

/// Connection options.
#[derive(Debug, Args, Clone)]
pub struct ConnArgs {
    /// Region (selects the vendor's endpoint).
    #[arg(long)]
    pub region: Option<String>,
    /// Any endpoint, e.g. http://127.0.0.1:8080 for a local emulator.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Read credentials from this profile of the vendor's credentials files
    /// (~/.tencentcloud/credentials, ~/.aliyun/config.json or ~/.alibabacloud/credentials,
    /// ~/.huaweicloud/credentials) instead of the environment's keys. It must exist.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Attempts per request, the first included.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// Requests per second, 0.001 to 100000 (default: the API's documented limit).
    #[arg(long, value_parser = parse_qps)]
    pub qps: Option<f64>,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub concurrency: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Allow a plain `http://` endpoint on a host other than this machine's loopback
    /// addresses. Signed requests and security tokens then travel in clear text.
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Trust the roots of this PEM bundle too, beside the system's (or the bundled ones of a
    /// build with the webpki-roots feature): for networks whose proxies re-sign TLS. Without
    /// it, the file SSL_CERT_FILE names is used the same way.
    #[arg(long, value_name = "FILE")]
    pub ca_bundle: Option<std::path::PathBuf>,
    /// How requests are signed: hmac-sha256, or hmac-sm3 (Huawei SDK-HMAC-SM3, Alibaba Cloud
    /// ACS3-HMAC-SM3) where rules require the Chinese national algorithms. Tencent Cloud has
    /// no SM3 scheme and refuses it.
    #[arg(long, value_enum, default_value_t = SigningArg::HmacSha256)]
    pub signing_algorithm: SigningArg,
    /// Seconds one attempt may take, from sending to the last byte of the answer (1 to 600).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub attempt_timeout: u64,
    /// Share the rate limit with every other worker deleting through the same account, in
    /// any process or machine, through this Redis: redis://HOST:PORT/DB or rediss://... (a
    /// password in it is never printed). When Redis is unreachable, each worker paces itself
    /// at the rate divided by --rate-limit-workers, warns once, and tries Redis again every 2 s.
    #[arg(long, value_name = "URL", value_parser = crate::providers::RateLimitUrlParser)]
    pub rate_limit: Option<cert_ratelimit_redis::RedisUrl>,
    /// How many workers share the --rate-limit limit (1 to 10000). Used only while its Redis
    /// is unreachable: each worker then sends at the rate divided by this number, so all of
    /// them together still stay within the limit.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub rate_limit_workers: u32,
}

/// The lowest `--qps`: one request every 1,000 s.
const MIN_QPS: f64 = 0.001;

/// `--qps`: a finite number of requests per second, from [`MIN_QPS`] to 100000.
fn parse_qps(text: &str) -> Result<f64, String> {
    let q: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if !q.is_finite() || !(MIN_QPS..=100_000.0).contains(&q) {
        return Err(format!(
            "{text:?} is not a rate: give requests per second, from {MIN_QPS} to 100000"
        ));
    }
    Ok(q)
}

/// Options every id-list delete takes.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Ids to delete.
    pub ids: Vec<String>,
    /// Read ids from FILE, or - for standard input (one per line; # starts a comment).
    #[arg(long, value_name = "FILE")]
    pub ids_from: Option<String>,
    /// Validate and show what would be sent; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Append one JSON line per settled id to FILE (and one per request just before it is
    /// sent), so a run that is killed can be resumed with --resume and its report rebuilt
    /// with `certctl report FILE`. An existing journal is never overwritten.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<String>,
    /// Continue the run the --journal FILE records: ids it settled are skipped, the rest
    /// are sent. Refused if the journal was written for another API, endpoint, region or
    /// account.
    #[arg(long, requires = "journal")]
    pub resume: bool,
    /// With --resume, send the ids the journal has as unconfirmed again.
    #[arg(long, requires = "resume")]
    pub retry_unconfirmed: bool,
    /// Ids per request, at most (default: the API's own batch limit; 1 for APIs that delete
    /// one id per request).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub batch_size: Option<u32>,
    /// Connection options.
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// `--signing-algorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SigningArg {
    /// HMAC-SHA256 (every vendor's default).
    HmacSha256,
    /// HMAC-SM3.
    HmacSm3,
}

impl SigningArg {
    /// The library's value.
    pub fn algorithm(self) -> cert_common::sign::SigningAlgorithm {
        match self {
            SigningArg::HmacSha256 => cert_common::sign::SigningAlgorithm::HmacSha256,
            SigningArg::HmacSm3 => cert_common::sign::SigningAlgorithm::HmacSm3,
        }
    }
}

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A readable table.
    Table,
    /// One JSON document.
    Json,
}

/// `--instance-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InstanceTypeArg {
    /// RDS.
    #[value(name = "RDS")]
    Rds,
    /// TaurusDB.
    #[value(name = "TaurusDB")]
    TaurusDb,
    /// GaussDB.
    #[value(name = "GaussDB")]
    GaussDb,
    /// APIG.
    #[value(name = "APIG")]
    Apig,
}

/// `certctl emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Seed state from a JSON file.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<String>,
}
