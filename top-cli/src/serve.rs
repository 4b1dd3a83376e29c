//! `top sandbox`: the sandbox gateway standalone, for clients in any language (the official
//! Java or Python SDKs, curl), answering every API of the catalog until Ctrl-C.

use std::io;

use top_api::sandbox::Sandbox;

use crate::sample;

/// Gives every API of the catalog that has no answer yet a sample answer, after the
/// gateway's checks of its params.
pub fn serve_catalog(sandbox: &Sandbox) {
    for found in crate::embedded::all() {
        if sandbox.handles(&found.entry.method) {
            continue;
        }
        let api = found.api();
        let (method, session) = (api.method.clone(), api.session);
        let clock = sandbox.clock();
        let handler = move |params: &top_api::Params| {
            sample::check(&api, params)?;
            Ok(sample::answer(&api, clock.now_gmt8()))
        };
        if found.api().qimen {
            sandbox.handle_qimen_untyped(method, handler);
        } else {
            sandbox.handle_untyped(method, session, handler);
        }
    }
}

/// Runs a started sandbox (its handlers set) until Ctrl-C, for clients in other languages:
/// prints its URL, app key, secret and session as `TOP_*` settings on `out`, then
/// `sandbox stopped` once interrupted.
///
/// # Errors
///
/// When Ctrl-C cannot be caught, or `out` cannot be written.
pub fn run_until_ctrl_c(sandbox: Sandbox, out: &mut dyn io::Write) -> io::Result<()> {
    let (stop, stopped) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop.send(());
    })
    .map_err(|err| io::Error::other(format!("cannot catch Ctrl-C: {err}")))?;
    writeln!(out, "top-api sandbox gateway")?;
    writeln!(out, "  TOP_GATEWAY={}", sandbox.url())?;
    writeln!(out, "  TOP_APP_KEY={}", sandbox.app_key())?;
    writeln!(out, "  TOP_APP_SECRET={}", sandbox.app_secret())?;
    writeln!(out, "  TOP_SESSION={}", sandbox.session())?;
    writeln!(out, "  TOP_TMC_URL={}", sandbox.tmc_url())?;
    writeln!(out, "  authorize page: http://{}/oauth/authorize", sandbox.addr())?;
    writeln!(out, "serving {} APIs; Ctrl-C stops", sandbox.handled())?;
    out.flush()?;
    let _ = stopped.recv();
    sandbox.stop();
    writeln!(out, "sandbox stopped")?;
    out.flush()
}
