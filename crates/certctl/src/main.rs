//! `certctl`: delete TLS certificates, CSRs and secrets on Huawei Cloud, Tencent Cloud and
//! Alibaba Cloud from the command line. Run `certctl --help`, or `certctl demo` to see every
//! crate work against the bundled emulator.

mod cli;
mod csms;
mod demo;
mod emulator_cmd;
mod ids;
mod journal;
mod providers;
mod report;
mod run;
mod shards;

use std::process::ExitCode;

/// mimalloc instead of the system allocator: a streamed run allocates on one runtime thread
/// and frees on another for nearly every request, and glibc's malloc then takes the other
/// thread's arena lock (a futex wait) each time. Built without transparent huge pages
/// (`no_thp`): with them its arenas grow in 2 MiB pages, and a million ids went over 64 MiB.
/// See docs/performance.md, section 6.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use cli::{
    AliyunCasCommand, Cli, Command, ConfigCommand, HuaweiApigCommand, HuaweiCsmsCommand,
    HuaweiElbCommand, ShowApi, TencentSslCommand,
};

/// Logs on stderr: `-v` debug, `-vv` trace; `RUST_LOG` (tracing's `EnvFilter` syntax), when
/// set, decides per target, and `-v` gives the level of what it does not name.
fn init_logs(verbose: u8) {
    use tracing_subscriber::filter::{EnvFilter, LevelFilter};
    let level = match verbose {
        0 => LevelFilter::OFF,
        1 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let from_env = std::env::var_os(EnvFilter::DEFAULT_ENV).is_some_and(|v| !v.is_empty());
    if !from_env && verbose == 0 {
        return;
    }
    let filter = if from_env {
        match EnvFilter::builder()
            .with_default_directive(level.into())
            .from_env()
        {
            Ok(f) => f,
            Err(e) => {
                eprintln!("certctl: warning: RUST_LOG is not a valid filter ({e}); ignoring it");
                EnvFilter::default().add_directive(level.into())
            }
        }
    } else {
        EnvFilter::default().add_directive(level.into())
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(true)
        .try_init();
}

/// `certctl completions SHELL`: the script on standard output.
fn completions(shell: cli::Shell) -> u8 {
    use clap::CommandFactory;
    use clap_complete::Shell as S;
    let shell = match shell {
        cli::Shell::Bash => S::Bash,
        cli::Shell::Zsh => S::Zsh,
        cli::Shell::Fish => S::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "certctl", &mut script);
    report::print(&String::from_utf8_lossy(&script));
    report::EXIT_OK
}

/// `certctl config show`: the resolved scope, with nothing sent.
async fn config_show(scope: Result<cert_common::Scope, cert_common::Error>) -> u8 {
    match scope {
        Ok(s) => {
            report::print(&format!(
                "api:         {}\nlimit scope: {} (the region, else the endpoint host)\nendpoint:    {}\ncredentials: {}\nkey id:      {}\naccount:     {} (hash of the key id)\n",
                s.api,
                s.region.as_deref().unwrap_or("(none)"),
                s.endpoint,
                s.credentials_source,
                s.key_id,
                s.account
            ));
            if let Some(p) = &s.project {
                report::print(&format!("project:     {p}\n"));
            }
            0
        }
        Err(e) => {
            eprintln!("certctl: {e}");
            run::exit_for(&e)
        }
    }
}

async fn dispatch(cli: Cli) -> u8 {
    let built = |r: Result<std::sync::Arc<dyn cert_common::Deleter>, cert_common::Error>| match r {
        Ok(d) => Ok(d),
        Err(e) => {
            eprintln!("certctl: {e}");
            Err(run::exit_for(&e))
        }
    };
    match cli.command {
        Command::HuaweiElb(HuaweiElbCommand::DeleteCertificates { huawei, common }) => {
            match built(providers::huawei_elb(&huawei, &common.conn)) {
                Ok(d) => run::delete(d, &common).await,
                Err(code) => code,
            }
        }
        Command::HuaweiApig(HuaweiApigCommand::DeleteCertificate { huawei, common }) => {
            match built(providers::huawei_apig(&huawei, &common.conn)) {
                Ok(d) => run::delete(d, &common).await,
                Err(code) => code,
            }
        }
        Command::HuaweiCsms(HuaweiCsmsCommand::DeleteSecrets {
            huawei,
            instance_id,
            instance_type,
            yes,
            conn,
        }) => csms::delete_secrets(&huawei, &instance_id, instance_type, yes, &conn).await,
        Command::TencentSsl(TencentSslCommand::DeleteCsrs {
            international,
            common,
        }) => match built(providers::tencent_ssl(international, &common.conn)) {
            Ok(d) => run::delete(d, &common).await,
            Err(code) => code,
        },
        Command::AliyunCas(AliyunCasCommand::DeleteCertificates { common }) => {
            match built(providers::aliyun_cas(&common.conn)) {
                Ok(d) => run::delete(d, &common).await,
                Err(code) => code,
            }
        }
        Command::Report { file, output } => run::replay(&file, output),
        Command::Emulator(args) => emulator_cmd::run(&args).await,
        Command::Config(ConfigCommand::Show {
            api,
            international,
            huawei,
            conn,
        }) => {
            let deleter = match api {
                ShowApi::HuaweiElb => providers::huawei_elb(&huawei, &conn),
                ShowApi::HuaweiApig => providers::huawei_apig(&huawei, &conn),
                ShowApi::TencentSsl => providers::tencent_ssl(international, &conn),
                ShowApi::AliyunCas => providers::aliyun_cas(&conn),
                // CSMS deletes by instance, not by id: not a `Deleter`, but it has a scope.
                ShowApi::HuaweiCsms => {
                    let client =
                        providers::huawei_config(&huawei, &conn).and_then(huawei_csms::Client::new);
                    return match client {
                        Ok(c) => config_show(c.scope().await).await,
                        Err(e) => {
                            eprintln!("certctl: {e}");
                            run::exit_for(&e)
                        }
                    };
                }
            };
            match built(deleter) {
                Ok(d) => config_show(d.scope().await).await,
                Err(code) => code,
            }
        }
        Command::Demo => demo::run().await,
        Command::Completions { shell } => completions(shell),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                report::EXIT_USAGE
            } else {
                0
            });
        }
    };
    init_logs(cli.verbose);
    // One current-thread runtime per core, each on its own thread (`shards`); this thread's
    // runs the command.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("certctl: cannot start the async runtime: {e}");
            return ExitCode::from(report::EXIT_CONFIG);
        }
    };
    let shards = match shards::Shards::start(runtime.handle().clone(), None) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("certctl: cannot start the runtime threads: {e}");
            return ExitCode::from(report::EXIT_CONFIG);
        }
    };
    // A task, so that a panic in the command is reported as one instead of unwinding here.
    let status = runtime.block_on(async { tokio::spawn(dispatch(cli)).await });
    drop(shards);
    match status {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("certctl: internal error: the command stopped: {e}");
            ExitCode::from(report::EXIT_CONFIG)
        }
    }
}
