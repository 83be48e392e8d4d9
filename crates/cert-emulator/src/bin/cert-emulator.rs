//! `cert-emulator`: runs the emulator of the five delete APIs on a loopback port until killed.
//!
//! ```text
//! cert-emulator [--port N] [--seed FILE] [--empty] [--no-rate-limits] [--chaos P --chaos-seed S]
//! ```

use std::process::ExitCode;

use cert_emulator::{Chaos, Emulator, Seed, credentials as c};

const USAGE: &str = "usage: cert-emulator [--port N] [--seed FILE.json] [--empty] [--no-rate-limits] [--chaos PROBABILITY [--chaos-seed N]]";

struct Args {
    port: u16,
    seed: Option<String>,
    empty: bool,
    no_limits: bool,
    chaos: Option<f64>,
    chaos_seed: u64,
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        port: 0,
        seed: None,
        empty: false,
        no_limits: false,
        chaos: None,
        chaos_seed: 1,
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => {
                a.port = value("--port")?
                    .parse()
                    .map_err(|_| "--port: not a port number")?
            }
            "--seed" => a.seed = Some(value("--seed")?),
            "--empty" => a.empty = true,
            "--no-rate-limits" => a.no_limits = true,
            "--chaos" => {
                let p: f64 = value("--chaos")?
                    .parse()
                    .map_err(|_| "--chaos: not a number")?;
                if !(0.0..=1.0).contains(&p) {
                    return Err("--chaos: the probability must be between 0 and 1".into());
                }
                a.chaos = Some(p);
            }
            "--chaos-seed" => {
                a.chaos_seed = value("--chaos-seed")?
                    .parse()
                    .map_err(|_| "--chaos-seed: not an integer")?;
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(a)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut seed = if args.empty {
        Seed::empty()
    } else {
        Seed::standard()
    };
    if let Some(path) = &args.seed {
        let loaded = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| Seed::from_json(&t).map_err(|e| e.to_string()));
        match loaded {
            Ok(s) => seed = s,
            Err(e) => {
                eprintln!("cannot load the seed {path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let mut builder = Emulator::builder().seed(seed).port(args.port);
    if args.no_limits {
        builder = builder.no_rate_limits();
    }
    let emu = match builder.start().await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot listen on 127.0.0.1:{}: {e}", args.port);
            return ExitCode::from(1);
        }
    };
    if let Some(p) = args.chaos {
        emu.set_chaos_all(Chaos::new(p, args.chaos_seed));
    }
    println!("cert-emulator listening on {}", emu.url());
    println!("endpoint for every client: {}", emu.url());
    println!(
        "huawei   AK={} SK={} project_id={}",
        c::HUAWEI_AK,
        c::HUAWEI_SK,
        c::HUAWEI_PROJECT_ID
    );
    println!(
        "huawei   temporary AK={} SK={} X-Security-Token={}",
        c::HUAWEI_TEMP_AK,
        c::HUAWEI_TEMP_SK,
        c::HUAWEI_SECURITY_TOKEN
    );
    println!("huawei   X-Auth-Token={}", c::HUAWEI_IAM_TOKEN);
    println!(
        "tencent  SecretId={} SecretKey={}",
        c::TENCENT_SECRET_ID,
        c::TENCENT_SECRET_KEY
    );
    println!(
        "tencent  temporary SecretId={} SecretKey={} Token={}",
        c::TENCENT_TEMP_SECRET_ID,
        c::TENCENT_TEMP_SECRET_KEY,
        c::TENCENT_TOKEN
    );
    println!(
        "aliyun   AccessKeyId={} AccessKeySecret={}",
        c::ALIYUN_ACCESS_KEY_ID,
        c::ALIYUN_ACCESS_KEY_SECRET
    );
    println!(
        "aliyun   temporary AccessKeyId={} AccessKeySecret={} SecurityToken={}",
        c::ALIYUN_TEMP_ACCESS_KEY_ID,
        c::ALIYUN_TEMP_ACCESS_KEY_SECRET,
        c::ALIYUN_SECURITY_TOKEN
    );
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
