//! `top`: call any TOP API, run the sandbox gateway, sign params, and generate annotated
//! Rust from APIs' documentation pages.
//!
//! Exit codes: 0 success; 1 the gateway refused the call (its code and sub code are
//! printed); 2 a usage mistake; 3 any other failure (transport, a bad page, …).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use top_api::{Client, Format, SignMethod};
use top_cli::{emit, gen, sample, serve};

#[derive(Parser)]
#[command(
    name = "top",
    version,
    about = "Call TOP APIs, run the sandbox gateway, sign params, generate Rust from API pages"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Calls any API and prints its answer as pretty JSON: `top call taobao.time.get fields=time`.
    Call {
        /// The method, such as `taobao.time.get`.
        method: String,
        /// The API's params, as `name=value`.
        params: Vec<String>,
        /// The user's session.
        #[arg(long, env = "TOP_SESSION", hide_env_values = true)]
        session: Option<String>,
        /// The answer's format.
        #[arg(long, value_enum, default_value_t = FormatArg::Json)]
        format: FormatArg,
        /// How the call is signed.
        #[arg(long, value_enum, default_value_t = SignArg::HmacSha256)]
        sign_method: SignArg,
        #[command(flatten)]
        app: App,
        /// Prints the answer's body as it came.
        #[arg(long)]
        raw: bool,
        /// The XML body (the `<request>` document) of a Qimen API: a file, or `-` for
        /// standard input. The call goes to the Qimen router (`customerId=…` among the
        /// params), and its XML answer is printed as it came.
        #[arg(long)]
        body: Option<PathBuf>,
    },
    /// Runs the sandbox gateway until Ctrl-C: every API of the platform catalog answers a
    /// sample built from its facts, after the gateway's checks of its params.
    Sandbox {
        /// The port on 127.0.0.1 (0 for an ephemeral one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The app key it accepts.
        #[arg(long, default_value = top_api::sandbox::DEFAULT_APP_KEY)]
        app_key: String,
        /// The secret it checks signatures with.
        #[arg(long, default_value = top_api::sandbox::DEFAULT_APP_SECRET)]
        secret: String,
        /// The session it accepts.
        #[arg(long, default_value = top_api::sandbox::DEFAULT_SESSION)]
        session: String,
    },
    /// Prints the signature of params, to debug a signature error.
    Sign {
        /// Every param sent but `sign`, as `name=value`.
        params: Vec<String>,
        /// The app secret.
        #[arg(long, env = "TOP_APP_SECRET", hide_env_values = true)]
        secret: String,
        /// How to sign (default: the `sign_method` param, else md5, as the gateway does).
        #[arg(long, value_enum)]
        sign_method: Option<SignArg>,
        /// Also prints the string that is digested (without the secret).
        #[arg(long, short)]
        verbose: bool,
    },
    /// Finds APIs in the platform catalog, and the `top-api` feature that enables each.
    Apis {
        #[command(subcommand)]
        command: ApisCommand,
    },
    /// Consumes or publishes the platform's messages (TMC).
    Messages {
        #[command(subcommand)]
        command: MessagesCommand,
    },
    /// Calls an app's own server as the platform calls an SPI (or the Qimen router a WMS),
    /// signed with the app secret, and prints the answer: `top spi call URL method=… k=v`.
    Spi {
        #[command(subcommand)]
        command: SpiCommand,
    },
    /// Authorizes users: the authorize URL, a code for a token, a token refreshed.
    Oauth {
        #[command(subcommand)]
        command: OauthCommand,
    },
    /// Generates annotated Rust from API documentation pages (files, or folders of `.txt`),
    /// or from the platform catalog (`top gen taobao.tbk.item.info.get`).
    Gen {
        /// Pages, folders of pages, or methods of the catalog.
        #[arg(required = true)]
        pages: Vec<PathBuf>,
        /// Writes one module per namespace into this folder, with a `mod.rs`, instead of
        /// printing one file.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

/// The app a command calls as, and the gateway it calls.
#[derive(Args)]
struct App {
    /// The gateway URL (default: the production gateway).
    #[arg(long, env = "TOP_GATEWAY")]
    gateway: Option<String>,
    /// The app key.
    #[arg(long, env = "TOP_APP_KEY")]
    app_key: String,
    /// The app secret.
    #[arg(long, env = "TOP_APP_SECRET", hide_env_values = true)]
    app_secret: String,
}

impl App {
    /// A client builder for the app, at its gateway.
    fn client(self) -> top_api::ClientBuilder {
        let builder = Client::builder(self.app_key, self.app_secret);
        match self.gateway {
            Some(gateway) => builder.gateway(gateway),
            None => builder,
        }
    }
}

#[derive(Subcommand)]
enum OauthCommand {
    /// Prints the URL that sends a user to the platform's authorize page for the app.
    Url {
        /// The callback the platform sends the user back to, with `code` and `state`.
        #[arg(long)]
        redirect_uri: String,
        /// The opaque value that comes back with the code.
        #[arg(long)]
        state: Option<String>,
        /// The page's layout.
        #[arg(long, value_enum, default_value_t = ViewArg::Web)]
        view: ViewArg,
        /// The authorize page (default: the platform's, or the sandbox's beside its gateway).
        #[arg(long)]
        authorize_url: Option<String>,
        #[command(flatten)]
        app: App,
    },
    /// Exchanges a code for a token (`taobao.top.auth.token.create`) and prints the token as
    /// JSON (it holds the session: keep it as a secret); who and until when on standard error.
    Token {
        /// The code the callback received.
        code: String,
        /// Also keeps the token in this folder (a file store: one file per user, readable
        /// by its owner only).
        #[arg(long)]
        store: Option<PathBuf>,
        #[command(flatten)]
        app: App,
    },
    /// Refreshes a token (`taobao.top.auth.token.refresh`) and prints the new one as JSON.
    Refresh {
        /// A file holding the token's JSON, as `top oauth token` printed it, or `-` for
        /// standard input.
        token: PathBuf,
        /// Also keeps the new token in this folder.
        #[arg(long)]
        store: Option<PathBuf>,
        #[command(flatten)]
        app: App,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ViewArg {
    Web,
    Wap,
}

#[derive(Subcommand)]
enum SpiCommand {
    /// Makes one signed call and prints the status and the body.
    Call {
        /// The server's URL.
        url: String,
        /// The SPI's method, such as `taobao.refund.spi.check`.
        #[arg(long)]
        method: String,
        /// Query params, as `name=value`.
        params: Vec<String>,
        /// The body: a file, or `-` for standard input (default: none, a form post).
        #[arg(long)]
        body: Option<PathBuf>,
        /// The body's content type.
        #[arg(long, default_value = "text/xml;charset=utf-8")]
        content_type: String,
        /// A header to send and sign, as `name:value` (repeatable).
        #[arg(long = "header")]
        headers: Vec<String>,
        /// The app key.
        #[arg(long, env = "TOP_APP_KEY")]
        app_key: String,
        /// The app secret.
        #[arg(long, env = "TOP_APP_SECRET", hide_env_values = true)]
        app_secret: String,
    },
}

#[derive(Subcommand)]
enum MessagesCommand {
    /// Prints each message of the group as a JSON line, and confirms it once printed, until
    /// Ctrl-C (or `--count` messages).
    Listen {
        /// The group to consume.
        #[arg(long, default_value = top_api::messages::DEFAULT_GROUP)]
        group: String,
        /// Leaves the messages queued: prints them, confirms none.
        #[arg(long)]
        no_confirm: bool,
        /// Stops after this many messages.
        #[arg(long)]
        count: Option<usize>,
        /// Polls the gateway's REST APIs instead of the WebSocket.
        #[arg(long)]
        rest: bool,
        /// The message channel's URL (default: the platform's).
        #[arg(long, env = "TOP_TMC_URL")]
        url: Option<String>,
        /// Gets the CONNECT's token through `taobao.tmc.auth.get` on the gateway before each
        /// connection, where the channel asks for one.
        #[arg(long)]
        auth: bool,
        /// The CONNECT's `minor_group`.
        #[arg(long)]
        minor_group: Option<String>,
        /// The CONNECT's `filter_exp`.
        #[arg(long)]
        filter_exp: Option<String>,
        #[command(flatten)]
        app: App,
    },
    /// Reads a message page (`消息属性`, `消息示例`) and prints its topic as the message
    /// catalog (`catalog/messages/`) keeps one: facts only, with the page's address.
    Read {
        /// The page, as text (a browser's copy or a saved page).
        page: std::path::PathBuf,
        /// Where the page was read from, kept with the facts.
        #[arg(long)]
        source: Option<String>,
    },
    /// Publishes a message through `taobao.tmc.message.produce` and prints its id.
    Publish {
        /// The topic, such as `taobao_trade_TradeCreate`.
        topic: String,
        /// The content, JSON text.
        content: String,
        /// The group it is for (default: the platform's default).
        #[arg(long)]
        group: Option<String>,
        #[command(flatten)]
        app: App,
    },
}

#[derive(Subcommand)]
enum ApisCommand {
    /// Lists the APIs whose method, title or package holds every word:
    /// `top apis search tbk 物料`.
    Search {
        /// Words to look for (case-insensitive).
        #[arg(required = true)]
        words: Vec<String>,
    },
    /// Shows one API: its title, session need, feature, Rust path, params and documentation page.
    Show {
        /// The method, such as `taobao.tbk.item.info.get`.
        method: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Json,
    Xml,
}

#[derive(Clone, Copy, ValueEnum)]
enum SignArg {
    Md5,
    Hmac,
    #[value(name = "hmac-sha256")]
    HmacSha256,
}

impl From<SignArg> for SignMethod {
    fn from(arg: SignArg) -> SignMethod {
        match arg {
            SignArg::Md5 => SignMethod::Md5,
            SignArg::Hmac => SignMethod::Hmac,
            SignArg::HmacSha256 => SignMethod::HmacSha256,
        }
    }
}

/// A failure, with the exit code it ends the command with, and what to say (nothing for
/// an output the reader closed).
struct Failure(u8, String);

/// Writes a line to standard output. A reader that closed the pipe (`top … | head`) ends
/// the command quietly, and a full disk (`> /dev/full`) with a message, each with a failure
/// status: never a panic.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*).map_err(output_failure)?
    }};
}

/// Writes a line to standard error, if it is still open.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

fn output_failure(err: std::io::Error) -> Failure {
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        // As a shell reports a command ended by SIGPIPE.
        Failure(141, String::new())
    } else {
        Failure(3, format!("top: cannot write the output: {err}"))
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(code, message)) => {
            if !message.is_empty() {
                say!("{message}");
            }
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Call { method, params, session, format, sign_method, app, raw, body } => {
            let params = pairs(&params)?;
            let format = match format {
                FormatArg::Json => Format::Json,
                FormatArg::Xml => Format::Xml,
            };
            let client = app
                .client()
                .format(format)
                .sign_method(sign_method.into())
                .build()
                .map_err(|err| Failure(2, format!("top call: {err}")))?;
            let mut typed = None;
            match top_cli::embedded::find(&method) {
                Some(found) => {
                    let api = found.api();
                    let names: Vec<&str> = params.iter().map(|(name, _)| name.as_str()).collect();
                    for warning in sample::warnings(&api, &names) {
                        say!("warning: {warning}");
                    }
                    // The checks the gateway (and the sandbox) make, as the client makes them
                    // of a typed API before sending: warnings, since the catalog may be older.
                    let mut own = top_api::Params::new();
                    for (name, value) in &params {
                        own.push(name.clone(), value.clone());
                    }
                    // (A missing one is warned of above.)
                    if let Some(why) = sample::check(&api, &own).err().as_ref().and_then(top_api::ApiError::sub_msg) {
                        say!("warning: the gateway will likely refuse the call: {why}");
                    }
                    typed = Some(found.typed_api());
                }
                None => {
                    say!("warning: `{method}` is not in the platform catalog (it may be newer than the catalog)")
                }
            }
            let qimen = typed.as_ref().is_some_and(|api| api.qimen);
            match body {
                Some(path) => qimen_call(&client, &method, params, &path),
                None if qimen => Err(Failure(
                    2,
                    format!("top call: `{method}` is a Qimen API: its request goes as an XML body, `--body FILE`"),
                )),
                None => call(&client, &method, params, session.filter(|s| !s.trim().is_empty()), raw, typed.as_ref()),
            }
        }
        Command::Sandbox { port, app_key, secret, session } => {
            let fail = |err: std::io::Error| Failure(3, format!("top sandbox: {err}"));
            // A server left running for hours keeps no log of its calls.
            let sandbox = top_api::sandbox::Sandbox::builder()
                .call_log(0)
                .port(port)
                .app(app_key, secret)
                .session(session)
                .start()
                .map_err(fail)?;
            serve::serve_catalog(&sandbox);
            serve::run_until_ctrl_c(sandbox, &mut std::io::stdout()).map_err(fail)
        }
        Command::Messages {
            command: MessagesCommand::Listen { group, no_confirm, count, rest, url, auth, minor_group, filter_exp, app },
        } => listen(Listen { group, no_confirm, count, rest, url, auth, minor_group, filter_exp, app }),
        Command::Messages { command: MessagesCommand::Read { page, source } } => {
            let fail = |message: String| Failure(3, format!("top messages read: {message}"));
            let text = std::fs::read_to_string(&page).map_err(|err| fail(format!("{}: {err}", page.display())))?;
            let (topic, warnings) = top_cli::page::parse_message(&text)
                .and_then(|read| top_cli::page::read_message(&read))
                .map_err(|err| fail(format!("{}:{}: {}", page.display(), err.line, err.message)))?;
            for warning in warnings {
                eprintln!("{}:{}: warning: {}", page.display(), warning.line, warning.message);
            }
            let entry = top_cli::catalog::TopicEntry::from_topic(&topic, source)
                .ok_or_else(|| fail(format!("`{}` is not a topic name", topic.topic)))?;
            let json = serde_json::to_string_pretty(&entry).map_err(|err| fail(err.to_string()))?;
            println!("{json}");
            Ok(())
        }
        Command::Messages { command: MessagesCommand::Publish { topic, content, group, app } } => {
            let client = app.client().build().map_err(|err| Failure(2, format!("top messages publish: {err}")))?;
            let mut params = vec![("topic", topic), ("content", content)];
            if let Some(group) = group {
                params.push(("target_group", group));
            }
            let answer = client
                .call("taobao.tmc.message.produce", params)
                .map_err(|err| Failure(1, format!("top messages publish: {err}")))?;
            let ids = answer.get().get("msg_ids").cloned().unwrap_or_default();
            out!("{}", serde_json::json!({"is_success": answer.get()["is_success"], "msg_ids": ids}));
            Ok(())
        }
        Command::Apis { command: ApisCommand::Search { words } } => {
            let found = top_cli::embedded::search(&words);
            if found.is_empty() {
                return Err(Failure(1, format!("no API of the catalog matches {}", words.join(" "))));
            }
            for api in &found {
                out!("{}  {}  [feature `{}`]", api.entry.method, api.entry.title, api.info.feature);
            }
            Ok(())
        }
        Command::Apis { command: ApisCommand::Show { method } } => {
            let found = top_cli::embedded::find(&method)
                .ok_or_else(|| Failure(1, format!("`{method}` is not in the platform catalog")))?;
            show(found)?;
            Ok(())
        }
        Command::Sign { params, secret, sign_method, verbose } => {
            let params = pairs(&params)?;
            let method = match sign_method {
                Some(arg) => arg.into(),
                None => match params.iter().find(|(n, _)| n == "sign_method") {
                    Some((_, value)) => SignMethod::from_wire(value)
                        .ok_or_else(|| Failure(2, format!("top sign: unknown sign_method `{value}`")))?,
                    None => SignMethod::Md5,
                },
            };
            let signed = params.iter().filter(|(n, _)| n != "sign");
            if verbose {
                out!("string to sign: {}", top_api::sign::string_to_sign(signed.clone(), ""));
                out!("sign_method: {method}");
            }
            out!("{}", top_api::sign::sign(signed, &secret, method));
            Ok(())
        }
        Command::Spi {
            command: SpiCommand::Call { url, method, params, body, content_type, headers, app_key, app_secret },
        } => {
            let fail = |code, message: String| Failure(code, format!("top spi call: {message}"));
            let mut call = top_api::sandbox::SpiCall::new(method);
            for (name, value) in pairs(&params)? {
                call = call.param(name, value);
            }
            for header in &headers {
                let (name, value) =
                    header.split_once(':').ok_or_else(|| fail(2, format!("`{header}` is not `name:value`")))?;
                call = call.header(name.trim(), value.trim());
            }
            if let Some(path) = body {
                let bytes = read_input(&path).map_err(|err| fail(2, format!("{}: {err}", path.display())))?;
                call = call.body(content_type, bytes);
            }
            let answer = call.send(&url, &app_key, &app_secret).map_err(|err| fail(3, err.to_string()))?;
            out!("{}", answer.status);
            out!("{}", String::from_utf8_lossy(&answer.body));
            if (200..300).contains(&answer.status) {
                Ok(())
            } else {
                Err(Failure(1, format!("top spi call: the server answered {}", answer.status)))
            }
        }
        Command::Oauth { command } => oauth(command),
        Command::Gen { pages, out } => {
            gen::run(&pages, out.as_deref(), &mut std::io::stderr()).map_err(|err| match err {
                gen::GenError::Usage(message) => Failure(2, message),
                gen::GenError::Failed(message) => Failure(3, message),
                gen::GenError::Output(err) => output_failure(err),
            })
        }
    }
}

/// `top oauth …`.
fn oauth(command: OauthCommand) -> Result<(), Failure> {
    use top_api::oauth::{FileStore, Token, TokenStore, View};
    let usage = |err: top_api::Error| Failure(2, format!("top oauth: {err}"));
    let refused = |err: top_api::Error| match err.api() {
        Some(_) => Failure(1, format!("top oauth: {err}")),
        None => Failure(3, format!("top oauth: {err}")),
    };
    let (token, store) = match command {
        OauthCommand::Url { redirect_uri, state, view, authorize_url, app } => {
            let mut builder = app.client();
            if let Some(page) = authorize_url {
                builder = builder.authorize_url(page);
            }
            let client = builder.build().map_err(usage)?;
            let mut url = client.authorize_url(redirect_uri).view(match view {
                ViewArg::Web => View::Web,
                ViewArg::Wap => View::Wap,
            });
            if let Some(state) = state {
                url = url.state(state);
            }
            out!("{url}");
            return Ok(());
        }
        OauthCommand::Token { code, store, app } => {
            let client = app.client().build().map_err(usage)?;
            (client.create_token(&code).map_err(refused)?, store)
        }
        OauthCommand::Refresh { token, store, app } => {
            let client = app.client().build().map_err(usage)?;
            let text = read_text(&token)
                .map_err(|err| Failure(2, format!("top oauth refresh: {}: {err}", token.display())))?;
            let old = Token::parse(&text)
                .map_err(|err| Failure(2, format!("top oauth refresh: {}: {err}", token.display())))?;
            (client.refresh_token(&old).map_err(refused)?, store)
        }
    };
    let at = |time: Option<std::time::SystemTime>| {
        time.map_or_else(|| "unknown".to_owned(), |time| top_api::DateTime::from(time).to_string())
    };
    say!(
        "token of user {} ({}): session until {}, refresh until {}",
        token.owner().as_deref().unwrap_or("unknown"),
        token.user_nick().unwrap_or(""),
        at(token.expires_at(top_api::oauth::Level::Session)),
        at(token.refresh_expires_at()),
    );
    if let Some(folder) = store {
        let key = token
            .owner()
            .ok_or_else(|| Failure(3, "top oauth: the token names no user to keep it under".to_owned()))?;
        FileStore::new(&folder)
            .and_then(|store| store.save(&key, &token))
            .map_err(|err| Failure(3, format!("top oauth: {}: {err}", folder.display())))?;
        say!("kept in {} under {key}", folder.display());
    }
    out!("{}", token.to_json());
    Ok(())
}

/// Prints what the catalog says of one API.
fn show(found: top_cli::embedded::Found) -> Result<(), Failure> {
    let api = found.api();
    out!("{}  {}", api.method, api.title);
    out!("  package `{}`: enable it with the `top-api` feature `{}`", found.package, found.info.feature);
    out!("  Rust: {}", found.rust_path());
    out!("  session: {}", api.session.as_str());
    if let Some(doc_id) = api.doc_id {
        out!("  documentation: {}", emit::doc_url(doc_id));
    }
    out!("  params:");
    if api.request.is_empty() {
        out!("    (none)");
    }
    for member in &api.request {
        let required = if member.required { "required" } else { "optional" };
        out!("    {} {} {required}", member.name, member.ty.top_name());
    }
    out!("  answer:");
    for member in &api.response {
        out!("    {} {}", member.name, member.ty.top_name());
    }
    Ok(())
}

fn pairs(params: &[String]) -> Result<Vec<(String, String)>, Failure> {
    params
        .iter()
        .map(|param| match param.split_once('=') {
            Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
            _ => Err(Failure(2, format!("expected `name=value`, found `{param}`"))),
        })
        .collect()
}

fn call(
    client: &Client,
    method: &str,
    params: Vec<(String, String)>,
    session: Option<String>,
    raw: bool,
    typed: Option<&top_cli::model::Api>,
) -> Result<(), Failure> {
    if raw {
        let body = match &session {
            Some(session) => client.with_session(session.as_str()).call_raw(method, params),
            None => client.call_raw(method, params),
        }
        .map_err(refused)?;
        out!("{body}");
        // The raw body is printed either way; a refusal still ends non-zero.
        let refusal = top_api::decode::<RawCall>(body.as_bytes(), client_format(&body)).err();
        return match refusal.filter(|err| err.api().is_some()) {
            Some(err) => Err(refused(err)),
            None => Ok(()),
        };
    }
    let answer = match &session {
        Some(session) => client.with_session(session.as_str()).call(method, params),
        None => client.call(method, params),
    }
    .map_err(refused)?;
    let pretty = serde_json::to_string_pretty(answer.get()).map_err(|err| Failure(3, err.to_string()))?;
    out!("{pretty}");
    // Where the answer and the API's generated type disagree, as a typed call lists it.
    if let Some(api) = typed {
        for drift in top_cli::page::answer_drift(&api.response, answer.get()) {
            say!("drift: {drift}");
        }
    }
    Ok(())
}

/// A call's failure: exit 1 with the gateway's code and sub code when it refused, else 3.
fn refused(err: top_api::Error) -> Failure {
    match err.api() {
        Some(api) => {
            Failure(1, format!("error: {err}\ncode: {}\nsub_code: {}", api.code(), api.sub_code().unwrap_or("-")))
        }
        None => Failure(3, format!("error: {err}")),
    }
}

/// The bytes of a file, or of standard input for `-`.
fn read_input(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map(|_| bytes)
    } else {
        std::fs::read(path)
    }
}

/// The text of a file, or of standard input for `-`: UTF-8, or an `InvalidData` error.
fn read_text(path: &std::path::Path) -> std::io::Result<String> {
    String::from_utf8(read_input(path)?).map_err(|err| std::io::Error::new(std::io::ErrorKind::InvalidData, err))
}

/// `top call METHOD k=v --body FILE`: a Qimen call, its XML answer printed as it came.
fn qimen_call(
    client: &Client,
    method: &str,
    params: Vec<(String, String)>,
    path: &std::path::Path,
) -> Result<(), Failure> {
    let body = read_text(path).map_err(|err| Failure(2, format!("top call: {}: {err}", path.display())))?;
    let answer = client.call_qimen(method, params, &body, &top_api::CallOptions::default()).map_err(refused)?;
    out!("{answer}");
    Ok(())
}

/// Any call's answer, to tell a refusal in a raw body.
#[top_api::top_api(method = "top.raw.call", response = serde_json::Value)]
struct RawCall;

fn client_format(body: &str) -> Format {
    if body.trim_start().starts_with('<') {
        Format::Xml
    } else {
        Format::Json
    }
}

/// What `top messages listen` was told.
struct Listen {
    group: String,
    no_confirm: bool,
    count: Option<usize>,
    rest: bool,
    url: Option<String>,
    auth: bool,
    minor_group: Option<String>,
    filter_exp: Option<String>,
    app: App,
}

/// A message as `top messages listen` prints it: one JSON line, the content as JSON when it
/// is JSON.
fn message_line(message: &top_api::messages::Message) -> String {
    let content = serde_json::from_str::<serde_json::Value>(message.content().as_str())
        .unwrap_or_else(|_| serde_json::Value::String(message.content().as_str().to_owned()));
    serde_json::json!({
        "id": message.id(),
        "topic": message.topic(),
        "user_id": message.user_id(),
        "nick": message.nick(),
        "published": message.published().map(|at| at.to_string()),
        "content": content,
    })
    .to_string()
}

/// `top messages listen`: prints each message, then (unless told not to) confirms it; a
/// message that cannot be printed is not confirmed.
fn listen(args: Listen) -> Result<(), Failure> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use top_api::messages::{ConfirmMode, Consumer, Message};

    let printed = Arc::new(AtomicUsize::new(0));
    let broken = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (counter, pipe) = (printed.clone(), broken.clone());
    let limit = args.count.unwrap_or(usize::MAX);
    let handler = move |message: &Message| -> Result<(), String> {
        use std::io::Write as _;
        if counter.load(Ordering::SeqCst) >= limit {
            return Err("enough messages were printed".to_owned());
        }
        let mut stdout = std::io::stdout().lock();
        if let Err(err) = writeln!(stdout, "{}", message_line(message)).and_then(|()| stdout.flush()) {
            pipe.store(true, Ordering::SeqCst);
            return Err(format!("cannot print it: {err}"));
        }
        counter.fetch_add(1, Ordering::SeqCst);
        Ok(())
    };
    let mut builder =
        Consumer::builder(args.app.app_key.clone(), args.app.app_secret.clone()).group(args.group).workers(1);
    if args.no_confirm {
        // Nothing will be confirmed: stopping waits for no confirm.
        builder = builder.confirm(ConfirmMode::Manual).stop_within(std::time::Duration::ZERO);
    }
    let consumer = if args.rest {
        let client = args.app.client().build().map_err(|err| Failure(2, format!("top messages listen: {err}")))?;
        builder.start_polling(client, handler)
    } else {
        if let Some(url) = args.url {
            builder = builder.url(url);
        }
        if args.auth {
            let client = args.app.client().build().map_err(|err| Failure(2, format!("top messages listen: {err}")))?;
            builder = builder.auth_with(client);
        }
        if let Some(minor_group) = args.minor_group {
            builder = builder.minor_group(minor_group);
        }
        if let Some(filter_exp) = args.filter_exp {
            builder = builder.filter_exp(filter_exp);
        }
        builder.start(handler)
    }
    .map_err(|err| Failure(1, format!("top messages listen: {err}")))?;

    let (stop, stopped) = std::sync::mpsc::channel();
    let interrupted = stop.clone();
    let _ = ctrlc::set_handler(move || {
        let _ = interrupted.send(());
    });
    loop {
        if stopped.recv_timeout(std::time::Duration::from_millis(50)).is_ok()
            || printed.load(Ordering::SeqCst) >= limit
            || broken.load(Ordering::SeqCst)
        {
            break;
        }
        if let Some(why) = consumer.failure() {
            return Err(Failure(1, format!("top messages listen: {why}")));
        }
    }
    drop(stop);
    consumer.stop();
    if broken.load(Ordering::SeqCst) {
        return Err(Failure(141, String::new()));
    }
    Ok(())
}
