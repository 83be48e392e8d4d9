//! `certctl emulator`: the bundled emulator as a standalone server.

use std::io::Write;

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
    let url = emulator.url();
    let banner = format!(
        "emulator listening on {url}\n\
         credentials it accepts (use --endpoint {url}):\n  \
         HUAWEICLOUD_SDK_AK={} HUAWEICLOUD_SDK_SK={} HUAWEICLOUD_SDK_PROJECT_ID={}\n  \
         HUAWEICLOUD_SDK_AUTH_TOKEN={}\n  \
         TENCENTCLOUD_SECRET_ID={} TENCENTCLOUD_SECRET_KEY={}\n  \
         ALIBABA_CLOUD_ACCESS_KEY_ID={} ALIBABA_CLOUD_ACCESS_KEY_SECRET={}\n\
         (these are the emulator's own test keys, not real cloud credentials; Ctrl-C stops it)\n",
        c::HUAWEI_AK,
        c::HUAWEI_SK,
        c::HUAWEI_PROJECT_ID,
        c::HUAWEI_IAM_TOKEN,
        c::TENCENT_SECRET_ID,
        c::TENCENT_SECRET_KEY,
        c::ALIYUN_ACCESS_KEY_ID,
        c::ALIYUN_ACCESS_KEY_SECRET,
    );
    // One write, and a reader that stops reading (`| head -1`, a test that takes the address
    // line) does not stop the server: `println!` would panic on the closed pipe.
    {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    }
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown();
    crate::report::EXIT_OK
}
