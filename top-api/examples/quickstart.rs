//! The quickstart: calls the three seed APIs and shows one gateway error.
//!
//! With no credentials it starts the embedded sandbox gateway and talks to it, offline.
//! With `TOP_APP_KEY` and `TOP_APP_SECRET` set it talks to the real gateway (or to
//! `TOP_GATEWAY`), with `TOP_SESSION` for the API that needs a user's session.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use std::fmt::Debug;

use serde::Serialize;
use top_api::apis::{
    AlibabaIdleInteractLoanUserQuery, AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo, TaobaoBaodianDepositGet,
};
use top_api::sandbox::Sandbox;
use top_api::{Client, Error, Request, Response};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the sandbox alive for the whole run when there is one.
    let (client, session, _sandbox) = match Client::builder_from_env() {
        Ok(builder) => {
            let client = builder.build()?;
            println!("talking to the TOP gateway at {} as app {}", client.gateway(), client.app_key());
            let session = std::env::var("TOP_SESSION").unwrap_or_default();
            (client, session, None)
        }
        Err(_) => {
            let sandbox = Sandbox::start()?;
            println!("no TOP_APP_KEY/TOP_APP_SECRET set: talking to the embedded sandbox gateway at {}", sandbox.url());
            let client = sandbox.client().build()?;
            (client, sandbox.session().to_owned(), Some(sandbox))
        }
    };

    let query = AlibabaIdleInteractLoanUserQuery { user: "3".into(), scene_code: "xx".into(), env: "pre".into() };
    show(&query, client.execute(&query));

    let author = AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo {
        user_id: 406_797_230,
        action_name: Some("jason_zb".into()),
        desensitization: Some(1),
        encrypt_list: None,
    };
    show(&author, client.execute(&author));

    if session.is_empty() {
        println!("\n{} needs a user's session: set TOP_SESSION to call it", TaobaoBaodianDepositGet::METHOD);
    } else {
        show(&TaobaoBaodianDepositGet, client.with_session(&session).execute(&TaobaoBaodianDepositGet));
    }

    println!("\nand a gateway error: the same call with a session the gateway does not know");
    show(&TaobaoBaodianDepositGet, client.with_session("not-a-session").execute(&TaobaoBaodianDepositGet));
    Ok(())
}

/// Prints an answer as pretty JSON, or the error with the gateway's codes.
fn show<R: Request>(_request: &R, result: Result<Response<R::Response>, Error>)
where
    R::Response: Serialize + Debug,
{
    println!("\n{}", R::METHOD);
    match result {
        Ok(answer) => {
            println!("  request_id: {}", answer.request_id().unwrap_or("-"));
            let pretty = serde_json::to_string_pretty(answer.get()).unwrap_or_else(|_| format!("{:#?}", answer.get()));
            for line in pretty.lines() {
                println!("  {line}");
            }
        }
        Err(err) => {
            println!("  error: {err}");
            if let Some(api) = err.api() {
                println!(
                    "  code {} msg {:?} sub_code {:?} sub_msg {:?}",
                    api.code(),
                    api.msg(),
                    api.sub_code(),
                    api.sub_msg()
                );
            }
        }
    }
}
