//! Runs the top-api sandbox gateway standalone, so that clients in any language (the
//! official Java or Python SDKs, curl) can be tested against it. Stops on Ctrl-C.
//!
//! ```text
//! top-sandbox [--port N] [--app-key KEY] [--secret SECRET] [--session TOKEN]
//! ```

use std::process::ExitCode;

use top_api::sandbox::{serve_until_ctrl_c, Sandbox, DEFAULT_APP_KEY, DEFAULT_APP_SECRET};

const USAGE: &str = "usage: top-sandbox [--port N] [--app-key KEY] [--secret SECRET] [--session TOKEN]";

fn main() -> ExitCode {
    // A server left running for hours keeps no log of its calls.
    let mut builder = Sandbox::builder().call_log(0);
    let (mut app_key, mut secret) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        let Some(value) = args.next() else {
            eprintln!("{flag} needs a value\n{USAGE}");
            return ExitCode::from(2);
        };
        match flag.as_str() {
            "--port" => match value.parse() {
                Ok(port) => builder = builder.port(port),
                Err(_) => {
                    eprintln!("--port takes a number from 0 to 65535, not `{value}`");
                    return ExitCode::from(2);
                }
            },
            "--app-key" => app_key = Some(value),
            "--secret" => secret = Some(value),
            "--session" => builder = builder.session(value),
            _ => {
                eprintln!("unknown flag `{flag}`\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    builder = builder.app(
        app_key.unwrap_or_else(|| DEFAULT_APP_KEY.to_owned()),
        secret.unwrap_or_else(|| DEFAULT_APP_SECRET.to_owned()),
    );

    match serve_until_ctrl_c(builder, &mut std::io::stdout()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("top-sandbox: {err}");
            ExitCode::FAILURE
        }
    }
}
