//! User authorization end to end against the sandbox, through the public API: the
//! authorize page over HTTP, the callback, the code for a token, calls with its session,
//! expiry under the sandbox's clock, refresh; the token's JSON as the platform writes it;
//! the stores.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use top_api::apis::TaobaoBaodianDepositGet;
use top_api::oauth::{Callback, FileStore, Level, MemoryStore, OAuthError, Token, TokenStore, View};
use top_api::sandbox::{Node, Sandbox, TokenLifetimes, CODE_LIFETIME};
use top_api::{Client, Error, ErrorKind, SessionNeed};

/// 2026-12-05 00:00:00 UTC: a fixed instant for the sandbox's clock.
fn start() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_428_800)
}

/// A sandbox on a fixed clock, and a client that keeps time with it.
fn sandbox_and_client(builder: top_api::sandbox::SandboxBuilder) -> (Sandbox, Client) {
    let sandbox = builder.clock(start()).start().unwrap();
    let clock = sandbox.clock();
    let client = sandbox.client().clock(move || clock.now()).timeout(Duration::from_secs(10)).build().unwrap();
    (sandbox, client)
}

/// What a browser does with the authorize URL: a GET, and the redirect's `Location`
/// (not followed), or the status and body of a page that does not redirect.
fn browse(url: &str) -> Result<String, (u16, String)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut response = agent.get(url).call().expect("the sandbox answers");
    let status = response.status().as_u16();
    if status == 302 {
        let location = response.headers().get("location").expect("a redirect has a Location");
        return Ok(location.to_str().unwrap().to_owned());
    }
    Err((status, response.body_mut().read_to_string().unwrap_or_default()))
}

fn api_code(err: &Error) -> Option<(i64, Option<String>)> {
    err.api().map(|api| (api.code(), api.sub_code().map(str::to_owned)))
}

#[test]
fn a_whole_round_authorize_code_token_call_expiry_refresh() {
    let (sandbox, client) = sandbox_and_client(Sandbox::builder().oauth_user(2_210_000_000_042, "沙箱 卖家+1"));
    // 1. The authorize URL, served by the sandbox beside its gateway.
    let url = client.authorize_url("https://app.example.com/cb?from=shop").state("xyz-123").view(View::Wap).to_string();
    assert!(
        url.starts_with(&format!("http://{}/oauth/authorize?response_type=code&client_id=12345678&", sandbox.addr()))
    );
    assert!(url.contains("redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%3Ffrom%3Dshop") && url.contains("view=wap"));
    // 2. The browser is sent back to the callback with the code and the state.
    let callback = browse(&url).expect("a redirect");
    assert!(callback.starts_with("https://app.example.com/cb?from=shop&code="), "{callback}");
    let code = Callback::read(&callback, Some("xyz-123")).unwrap();
    assert_eq!(code.state(), Some("xyz-123"));
    assert!(!format!("{code:?}").contains(code.code()), "the code is not shown");
    // 3. The code for a token.
    let token = client.create_token(code.code()).unwrap();
    assert_eq!(token.user_id(), Some(2_210_000_000_042));
    assert_eq!(token.user_nick(), Some("沙箱 卖家+1"), "the nick comes URL-encoded and is decoded");
    assert_eq!(token.token_type(), Some("Bearer"));
    assert_eq!(token.expires_in(Level::Session), Some(Duration::from_secs(24 * 3600)));
    let day_later = start() + Duration::from_secs(24 * 3600);
    let expires = token.expires_at(Level::Session).unwrap();
    assert!(expires >= day_later && expires < day_later + Duration::from_secs(5), "{expires:?}");
    assert!(token.is_valid_at(Level::W2, start() + Duration::from_secs(60)));
    assert!(!token.is_valid_at(Level::W2, start() + Duration::from_secs(31 * 60)), "write 2 lasts 30 minutes");
    assert!(token.is_valid_at(Level::W1, start() + Duration::from_secs(31 * 60)));
    let shown = format!("{token:?} {}", Error::from(OAuthError::NotRefreshable));
    assert!(!shown.contains(token.access_token()) && !shown.contains(token.refresh_token().unwrap()), "{shown}");
    // 4. Calls with its session.
    let deposit = client.with_token(&token).unwrap().execute(&TaobaoBaodianDepositGet).unwrap();
    assert!(deposit.user_coin_deposit.is_some());
    assert_eq!(
        sandbox.calls().last().unwrap().params.iter().find(|(n, _)| n == "session").unwrap().1,
        token.access_token()
    );
    // 5. Refreshed before it expires: a new session; the old one ends, and so does the old
    // refresh token.
    sandbox.set_clock(start() + Duration::from_secs(12 * 3600));
    let renewed = client.refresh_token(&token).unwrap();
    assert_ne!(renewed.access_token(), token.access_token());
    assert_eq!(renewed.user_nick(), Some("沙箱 卖家+1"));
    client.with_token(&renewed).unwrap().execute(&TaobaoBaodianDepositGet).unwrap();
    let old = client.with_token(&token).unwrap().execute(&TaobaoBaodianDepositGet).unwrap_err();
    assert_eq!(api_code(&old), Some((27, Some("invalid-sessionkey".to_owned()))));
    let again = client.refresh_token(&token).unwrap_err();
    assert_eq!(api_code(&again).map(|(code, _)| code), Some(15), "a refresh token works once: {again}");
    // 6. A day and a half on, the new session has expired: the client says so before
    // sending, and the gateway refuses it with 27 when it is sent anyway.
    sandbox.set_clock(start() + Duration::from_secs(37 * 3600));
    let expired = client.with_token(&renewed).unwrap_err();
    assert!(matches!(&expired, Error::OAuth(OAuthError::Expired { what: "session", .. })), "{expired}");
    assert_eq!(expired.kind(), ErrorKind::Auth);
    let sent = client.with_session(renewed.access_token()).execute(&TaobaoBaodianDepositGet).unwrap_err();
    assert_eq!(api_code(&sent), Some((27, Some("session-expired".to_owned()))));
    assert!(sent.is_auth());
    // The refresh token still serves: a new session.
    let third = client.refresh_token(&renewed).unwrap();
    client.with_token(&third).unwrap().execute(&TaobaoBaodianDepositGet).unwrap();
    // The session the builder gave never expires.
    client.with_session(sandbox.session()).execute(&TaobaoBaodianDepositGet).unwrap();
    // 31 days on, the refresh token too is over: refused before anything is sent.
    sandbox.set_clock(start() + Duration::from_secs(70 * 24 * 3600));
    let calls = sandbox.calls().len();
    let over = client.refresh_token(&third).unwrap_err();
    assert!(matches!(&over, Error::OAuth(OAuthError::Expired { what: "refresh token", .. })), "{over}");
    assert_eq!(sandbox.calls().len(), calls, "nothing was sent");
}

#[test]
fn a_code_works_once_and_only_for_a_few_minutes() {
    let (sandbox, client) = sandbox_and_client(Sandbox::builder());
    let code = sandbox.authorization_code();
    client.create_token(&code).unwrap();
    let twice = client.create_token(&code).unwrap_err();
    assert_eq!(api_code(&twice), Some((15, Some("isv.code-invalid".to_owned()))));

    let late = sandbox.authorization_code();
    sandbox.set_clock(start() + CODE_LIFETIME + Duration::from_secs(1));
    let err = client.create_token(&late).unwrap_err();
    assert_eq!(api_code(&err), Some((15, Some("isv.code-expired".to_owned()))));
    let unknown = client.create_token("made-up").unwrap_err();
    assert_eq!(api_code(&unknown), Some((15, Some("isv.code-invalid".to_owned()))));
    let blank = client.create_token("").unwrap_err();
    assert!(matches!(blank, Error::Check(_)), "a required param left blank is caught before sending: {blank}");
}

#[test]
fn the_authorize_page_gives_no_code_to_an_unknown_app_or_a_bad_callback() {
    let (sandbox, client) = sandbox_and_client(Sandbox::builder());
    let page = client.authorize_page().to_owned();
    let other_app = top_api::oauth::AuthorizeUrl::new(&page, "87654321", "https://app.example.com/cb").to_string();
    let (status, body) = browse(&other_app).unwrap_err();
    assert_eq!(status, 400);
    assert!(body.contains("87654321") && !body.contains("code="), "{body}");
    assert!(matches!(sandbox.authorize(&other_app), Err(Error::Status { status: 400, .. })));

    for redirect in ["", "ftp://app.example.com/cb", "https://app.example.com/a b", "javascript:alert(1)"] {
        let url = client.authorize_url(redirect).to_string();
        let refused = browse(&url).unwrap_err();
        assert_eq!(refused.0, 400, "{redirect:?}: {refused:?}");
    }
    let odd_view = client.authorize_url("https://app.example.com/cb").to_string().replace("view=web", "view=desktop");
    assert_eq!(browse(&odd_view).unwrap_err().0, 400);

    // Not `response_type=code`: back to the callback with the error, no code.
    let token_flow =
        client.authorize_url("https://app.example.com/cb").state("s").to_string().replace("=code", "=token");
    let back = browse(&token_flow).unwrap();
    assert!(back.contains("error=unsupported_response_type") && !back.contains("code="), "{back}");
    assert!(matches!(Callback::read(&back, Some("s")), Err(OAuthError::Denied { .. })));
}

#[test]
fn a_user_who_says_no_a_forged_state_and_a_callback_without_a_code_are_typed_errors() {
    let (sandbox, client) = sandbox_and_client(Sandbox::builder());
    sandbox.deny_authorization(true);
    let url = client.authorize_url("https://app.example.com/cb").state("s-1").to_string();
    let back = sandbox.authorize(&url).unwrap();
    assert_eq!(browse(&url).unwrap().split_once('?').unwrap().0, "https://app.example.com/cb");
    match Callback::read(&back, Some("s-1")) {
        Err(OAuthError::Denied { error, description }) => {
            assert_eq!(error, "access_denied");
            assert!(description.is_some());
        }
        other => panic!("{other:?}"),
    }
    sandbox.deny_authorization(false);
    let back = sandbox.authorize(&url).unwrap();
    assert_eq!(Callback::read(&back, Some("another")).unwrap_err(), OAuthError::StateMismatch);
    assert_eq!(Callback::read(&back, None).unwrap_err(), OAuthError::StateMismatch);
    assert!(Callback::read(&back, Some("s-1")).is_ok());
    assert_eq!(
        Callback::read("https://app.example.com/cb?state=s-1", Some("s-1")).unwrap_err(),
        OAuthError::MissingCode
    );
    assert_eq!(Callback::read("code=&state=", None).unwrap_err(), OAuthError::MissingCode);
    assert_eq!(Callback::read("code=abc", None).unwrap().code(), "abc");
    let err = Error::from(OAuthError::StateMismatch);
    assert_eq!(err.kind(), ErrorKind::Caller);
}

#[test]
fn a_token_result_that_cannot_be_read_is_a_typed_error_that_does_not_repeat_it() {
    let (sandbox, client) = sandbox_and_client(Sandbox::builder());
    for (answer, why) in [
        (r#"{"token_result":"access_token=6101abc; not json"}"#, "not JSON"),
        (r#"{"token_result":"{\"access_token\":\"6101abc\""}"#, "cut short"),
        (r#"{"token_result":"[\"6101abc\"]"}"#, "not an object"),
        (r#"{"token_result":"{\"refresh_token\":\"6201abc\"}"}"#, "no `access_token`"),
        (r#"{}"#, "no `token_result`"),
    ] {
        sandbox.answer("taobao.top.auth.token.create", SessionNeed::Optional, Node::from_json(answer).unwrap());
        let err = client.create_token("any").unwrap_err();
        let Error::OAuth(OAuthError::BadToken(reason)) = &err else { panic!("{answer}: {err:?}") };
        assert!(reason.contains(why), "{answer}: {reason}");
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert!(!format!("{err} {err:?}").contains("abc"), "the token's text is not repeated: {err:?}");
    }
}

/// A `token_result` as the platform writes one: ids and counts as text or numbers,
/// absolute times in epoch milliseconds, nicks URL-encoded, members the crate does not know.
const PLATFORM_TOKEN: &str = r#"{"w1_valid":1796430600000,"refresh_token_valid_time":1796515200000,"w2_valid":1796428800000,
"expire_time":1804204800000,"r2_valid":1796428800000,"locale":"zh_CN","r1_valid":1796430600000,"sp":"taobao",
"taobao_user_id":"2210000000042","taobao_user_nick":"%E6%B2%99%E7%AE%B1%E5%BA%97","sub_taobao_user_id":2210000000077,
"sub_taobao_user_nick":"%E6%B2%99%E7%AE%B1%E5%BA%97%3A%E5%AE%A2%E6%9C%8D","taobao_open_uid":"AAH7x-open",
"w1_expires_in":1800,"re_expires_in":"86400","r2_expires_in":0,"w2_expires_in":0,"r1_expires_in":1800,
"expires_in":7776000,"token_type":"Bearer","access_token":"6100e2312b-session","refresh_token":"6102c0d7-refresh"}"#;

#[test]
fn a_token_reads_every_member_the_platform_sends_and_writes_them_back() {
    let token = Token::parse(PLATFORM_TOKEN).unwrap();
    assert_eq!(token.access_token(), "6100e2312b-session");
    assert_eq!(token.refresh_token(), Some("6102c0d7-refresh"));
    assert_eq!(token.user_id(), Some(2_210_000_000_042));
    assert_eq!(token.user_nick(), Some("沙箱店"));
    assert_eq!(token.sub_user_id(), Some(2_210_000_000_077));
    assert_eq!(token.sub_user_nick(), Some("沙箱店:客服"));
    assert_eq!(token.open_uid(), Some("AAH7x-open"));
    assert_eq!(token.owner().as_deref(), Some("2210000000077"), "a sub-account's token is the sub-account's");
    assert_eq!(token.expires_in(Level::Session), Some(Duration::from_secs(7_776_000)));
    assert_eq!(token.refresh_expires_in(), Some(Duration::from_secs(86_400)), "a count sent as text");
    assert_eq!(token.expires_at(Level::Session), Some(UNIX_EPOCH + Duration::from_millis(1_804_204_800_000)));
    assert_eq!(token.expires_in(Level::R2), Some(Duration::ZERO));
    // Levels: read 1 and write 1 for 30 minutes, read 2 and write 2 not granted.
    let at = start() + Duration::from_secs(60);
    assert!(
        token.is_valid_at(Level::Session, at) && token.is_valid_at(Level::R1, at) && token.is_valid_at(Level::W1, at)
    );
    assert!(!token.is_valid_at(Level::R2, at) && !token.is_valid_at(Level::W2, at));
    assert!(!token.is_valid_at(Level::W1, start() + Duration::from_secs(1801)));
    assert!(token.can_refresh_at(at) && !token.can_refresh_at(start() + Duration::from_secs(86_400)));
    assert_eq!(token.extra().get("locale").and_then(|v| v.as_str()), Some("zh_CN"));
    // Written back and read again, it is the same token, with what it did not know.
    let again = Token::parse(&token.to_json()).unwrap();
    assert_eq!(again, token);
    assert!(token.to_json().contains("\"sp\":\"taobao\""));
    let shown = format!("{token:?}");
    assert!(!shown.contains("6100e2312b") && !shown.contains("6102c0d7") && shown.contains("沙箱店"), "{shown}");
}

#[test]
fn a_token_with_only_relative_expiries_counts_from_when_it_was_given_and_odd_members_are_kept() {
    let given = start();
    let text = r#"{"access_token":"61x","expires_in":3600,"w2_expires_in":600,"taobao_user_id":"not-a-number","r1_expires_in":-5}"#;
    let token = Token::parse_at(text, given).unwrap();
    assert_eq!(token.expires_at(Level::Session), Some(given + Duration::from_secs(3600)));
    assert_eq!(token.expires_at(Level::W2), Some(given + Duration::from_secs(600)));
    assert_eq!(token.expires_at(Level::R1), None, "a negative count is not read");
    assert_eq!(token.user_id(), None);
    assert_eq!(token.extra().get("taobao_user_id").and_then(|v| v.as_str()), Some("not-a-number"), "kept as it came");
    assert_eq!(token.extra().get("r1_expires_in").and_then(serde_json::Value::as_i64), Some(-5));
    assert!(token.is_valid_at(Level::R1, given + Duration::from_secs(1800)), "an expiry not told is not passed");
    assert!(!token.can_refresh_at(given), "no refresh token");
    let client = Client::builder("12345678", "secret").clock(move || given).build().unwrap();
    assert!(matches!(client.refresh_token(&token), Err(Error::OAuth(OAuthError::NotRefreshable))));
    assert!(client.with_token(&token).is_ok());
    let later = Client::builder("12345678", "secret").clock(move || given + Duration::from_secs(3600)).build().unwrap();
    assert!(matches!(later.with_token(&token), Err(Error::OAuth(OAuthError::Expired { .. }))));
    let again = Token::parse_at(&token.to_json(), given + Duration::from_secs(999)).unwrap();
    assert_eq!(again, token, "written with its instants, so read back at any time alike");
}

#[test]
fn the_authorize_page_is_the_platforms_for_the_platforms_gateways() {
    let url = |gateway: &str| Client::builder("k", "s").gateway(gateway).build().unwrap().authorize_page().to_owned();
    assert_eq!(url("https://eco.taobao.com/router/rest"), "https://oauth.taobao.com/authorize");
    assert_eq!(url("http://gw.api.taobao.com/router/rest"), "https://oauth.taobao.com/authorize");
    assert_eq!(url("http://gw.api.tbsandbox.com/router/rest"), "https://oauth.tbsandbox.com/authorize");
    assert_eq!(url("http://127.0.0.1:9/router/rest"), "http://127.0.0.1:9/oauth/authorize");
    let own = Client::builder("k", "s").authorize_url("https://sso.example.com/authorize?tenant=1").build().unwrap();
    let written = own.authorize_url("https://app.example.com/cb").to_string();
    assert!(
        written.starts_with("https://sso.example.com/authorize?tenant=1&response_type=code&client_id=k&"),
        "{written}"
    );
    assert!(written.ends_with("&view=web"), "{written}");
    assert!(Client::builder("k", "s").authorize_url("oauth.taobao.com").build().is_err());
}

#[test]
fn a_file_store_writes_atomically_for_its_owner_only() {
    let folder = std::env::temp_dir().join(format!("top-api-oauth-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let store = std::sync::Arc::new(FileStore::new(folder.join("tokens")).unwrap());
    let token = Token::parse(PLATFORM_TOKEN).unwrap();
    let key = token.owner().unwrap();
    assert_eq!(store.load(&key).unwrap(), None);
    store.save(&key, &token).unwrap();
    assert_eq!(store.load(&key).unwrap(), Some(token.clone()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(store.folder()), 0o700);
        let file = std::fs::read_dir(store.folder()).unwrap().next().unwrap().unwrap().path();
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    // Writers and a reader at once: the reader finds one whole token or the other, never a part.
    let other = Token::parse(r#"{"access_token":"61-other","taobao_user_id":"1"}"#).unwrap();
    let writers: Vec<_> = [token.clone(), other.clone()]
        .into_iter()
        .map(|t| {
            let (store, key) = (store.clone(), key.clone());
            std::thread::spawn(move || (0..100).for_each(|_| store.save(&key, &t).unwrap()))
        })
        .collect();
    for _ in 0..300 {
        let read = store.load(&key).unwrap().unwrap();
        assert!(read == token || read == other);
    }
    writers.into_iter().for_each(|w| w.join().unwrap());
    let left: Vec<_> = std::fs::read_dir(store.folder()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "no temporary file is left: {left:?}");
    // A key of any text is one file of the folder; a file that is not a token is an error.
    store.save("../../escape", &other).unwrap();
    assert_eq!(store.load("../../escape").unwrap(), Some(other));
    assert!(!folder.join("escape.json").exists());
    std::fs::write(store.folder().join("broken.json"), "{\"access_token\":").unwrap();
    let err = store.load("broken").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    store.remove(&key).unwrap();
    store.remove(&key).unwrap();
    assert_eq!(store.load(&key).unwrap(), None);
    let memory = MemoryStore::default();
    memory.save("k", &token).unwrap();
    assert_eq!(memory.load("k").unwrap(), Some(token));
    memory.remove("k").unwrap();
    assert_eq!(memory.load("k").unwrap(), None);
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn the_sandboxs_tokens_follow_its_lifetimes_and_an_app_that_may_not_refresh_gets_no_refresh_token() {
    let lifetimes =
        TokenLifetimes { session: Duration::from_secs(600), refresh: Duration::ZERO, ..TokenLifetimes::default() };
    let (sandbox, client) = sandbox_and_client(Sandbox::builder().token_lifetimes(lifetimes));
    let token = client.create_token(&sandbox.authorization_code()).unwrap();
    assert_eq!(token.expires_in(Level::Session), Some(Duration::from_secs(600)));
    assert_eq!(token.refresh_token(), None);
    assert!(matches!(client.refresh_token(&token), Err(Error::OAuth(OAuthError::NotRefreshable))));
    sandbox.set_clock(start() + Duration::from_secs(601));
    let err = client.with_session(token.access_token()).execute(&TaobaoBaodianDepositGet).unwrap_err();
    assert_eq!(api_code(&err), Some((27, Some("session-expired".to_owned()))));
}
