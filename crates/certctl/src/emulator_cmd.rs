//! `certctl emulator`: the bundled emulator as a standalone server.

use cert_emulator::{Emulator, Seed, credentials as c};

use crate::cli::EmulatorArgs;

/// Runs the emulator until Ctrl-C; returns the exit status.
pub async fn run(args: &EmulatorArgs) -> u8 {
    let seed = match &args.seed {
        None => Seed::standard(),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| Seed::from_json(&t).map_err(|e| e.to_string()))
        {
            Ok(s) => s,
            Err(e) => {
                eprintln!("certctl: cannot load the seed {path}: {e}");
                return crate::report::EXIT_USAGE;
            }
        },
    };
    let emulator = match Emulator::builder().seed(seed).port(args.port).start().await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("certctl: cannot start the emulator: {e}");
            return crate::report::EXIT_CONFIG;
        }
    };
    println!("emulator listening on {}", emulator.url());
    println!(
        "credentials it accepts (use --endpoint {}):",
        emulator.url()
    );
    println!(
        "  HUAWEICLOUD_SDK_AK={} HUAWEICLOUD_SDK_SK={} HUAWEICLOUD_SDK_PROJECT_ID={}",
        c::HUAWEI_AK,
        c::HUAWEI_SK,
        c::HUAWEI_PROJECT_ID
    );
    println!("  HUAWEICLOUD_SDK_AUTH_TOKEN={}", c::HUAWEI_IAM_TOKEN);
    println!(
        "  TENCENTCLOUD_SECRET_ID={} TENCENTCLOUD_SECRET_KEY={}",
        c::TENCENT_SECRET_ID,
        c::TENCENT_SECRET_KEY
    );
    println!(
        "  ALIBABA_CLOUD_ACCESS_KEY_ID={} ALIBABA_CLOUD_ACCESS_KEY_SECRET={}",
        c::ALIYUN_ACCESS_KEY_ID,
        c::ALIYUN_ACCESS_KEY_SECRET
    );
    println!(
        "(these are the emulator's own test keys, not real cloud credentials; Ctrl-C stops it)"
    );
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown();
    crate::report::EXIT_OK
}
