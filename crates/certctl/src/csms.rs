//! `certctl huawei-csms delete-secrets`: irreversible, so it asks first.

use std::io::{BufRead, IsTerminal, Write};

use cert_common::Error;
use huawei_csms::InstanceType;

use crate::cli::{ConnArgs, HuaweiArgs, InstanceTypeArg, OutputFormat};
use crate::report::{EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE};
use crate::run::exit_for;

fn instance_type(t: InstanceTypeArg) -> InstanceType {
    match t {
        InstanceTypeArg::Rds => InstanceType::Rds,
        InstanceTypeArg::TaurusDb => InstanceType::TaurusDb,
        InstanceTypeArg::GaussDb => InstanceType::GaussDb,
        InstanceTypeArg::Apig => InstanceType::Apig,
    }
}

/// Asks on the terminal; without one, `--yes` is required.
fn confirmed(instance_id: &str, yes: bool) -> Result<bool, String> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "deleting every secret of instance {instance_id} cannot be undone; not on a terminal, so pass --yes to confirm"
        ));
    }
    eprint!(
        "Delete EVERY secret bound to instance {instance_id}? This cannot be undone. Type the instance id to confirm: "
    );
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    Ok(line.trim() == instance_id)
}

/// Runs the command; returns the exit status.
pub async fn delete_secrets(
    huawei: &HuaweiArgs,
    instance_id: &str,
    kind: Option<InstanceTypeArg>,
    yes: bool,
    conn: &ConnArgs,
) -> u8 {
    let client =
        match crate::providers::huawei_config(huawei, conn).and_then(huawei_csms::Client::new) {
            Ok(c) => c,
            Err(e) => return fail(&e),
        };
    let mut op = client.batch_delete_secrets().instance_id(instance_id);
    if let Some(k) = kind {
        op = op.instance_type(instance_type(k));
    }
    if let Err(e) = op.plan() {
        return fail(&e);
    }
    if let Err(code) = crate::providers::check_rate_limit(conn).await {
        return code;
    }
    match confirmed(instance_id, yes) {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("certctl: not confirmed; nothing sent");
            return EXIT_USAGE;
        }
        Err(msg) => {
            eprintln!("certctl: {msg}");
            return EXIT_USAGE;
        }
    }
    let out = match op.send().await {
        Ok(o) => o,
        // Nothing was sent.
        Err(e) => {
            eprintln!("certctl: {e}");
            return exit_for(&e);
        }
    };
    if let Some(e) = out.error() {
        // Sent, and failed: no answer says which secrets went.
        eprintln!("certctl: {e}");
        if conn.output == OutputFormat::Json {
            // A script reading stdout still gets the usual document: nothing named, and why.
            let none = cert_common::DeleteReport::<String>::concat([]);
            let mut doc = serde_json::to_value(crate::report::to_json("huawei-csms", &none))
                .unwrap_or_default();
            if let Some(map) = doc.as_object_mut() {
                map.insert("stopped".into(), e.to_string().into());
                map.insert("may_have_applied".into(), e.may_have_applied().into());
            }
            match serde_json::to_string_pretty(&doc) {
                Ok(s) => crate::report::print(&(s + "\n")),
                Err(e) => eprintln!("certctl: cannot render JSON: {e}"),
            }
        }
        return if e.stops_run() {
            exit_for(e)
        } else {
            EXIT_INCOMPLETE
        };
    }
    // The same report every other command prints: one entry per secret the answer names.
    let report = out.report();
    let earlier = out.earlier_attempt_may_have_applied();
    match conn.output {
        OutputFormat::Json => {
            let mut doc = crate::report::to_json("huawei-csms", report);
            doc.earlier_attempt_may_have_applied = earlier;
            match serde_json::to_string_pretty(&doc) {
                Ok(s) => crate::report::print(&(s + "\n")),
                Err(e) => eprintln!("certctl: cannot render JSON: {e}"),
            }
        }
        OutputFormat::Table => {
            crate::report::print(&crate::report::to_table("huawei-csms", report))
        }
    }
    if earlier {
        eprintln!(
            "certctl: an earlier attempt of this request may have reached the server: secrets it \
             deleted are not named in this answer"
        );
    }
    if report.all_gone() && !earlier {
        EXIT_OK
    } else {
        EXIT_INCOMPLETE
    }
}

fn fail(e: &Error) -> u8 {
    eprintln!("certctl: {e}");
    exit_for(e)
}
