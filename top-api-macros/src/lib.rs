//! The `#[top_api]` attribute of [top-api](https://docs.rs/top-api). Use it through
//! `top_api::top_api`; this crate is an implementation detail.

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod fallback;
mod object;

use proc_macro::TokenStream;

/// Implements `top_api::Object`, `serde::Serialize` and `serde::Deserialize` for a struct
/// with named fields: see `top_api::Object` for the attributes it reads.
#[proc_macro_derive(Object, attributes(top))]
pub fn derive_object(item: TokenStream) -> TokenStream {
    match syn::parse::<syn::DeriveInput>(item) {
        Ok(input) => object::derive(&input).into(),
        Err(err) => err.to_compile_error().into(),
    }
}

/// Declares a Taobao Open Platform API on a struct.
///
/// ```
/// use serde::Deserialize;
/// use top_api::{top_api, Params, Request};
///
/// /// Queries a user's real-name information (查询用户信息).
/// #[top_api(method = "alibaba.idle.interact.loan.user.query", response = LoanUserQueryResponse)]
/// pub struct LoanUserQuery {
///     pub user: String,
///     pub scene_code: String,
///     pub env: String,
/// }
///
/// #[derive(Debug, Deserialize)]
/// pub struct LoanUserQueryResponse {
///     pub idle_point_result: Option<IdlePointResult>,
/// }
///
/// #[derive(Debug, Deserialize)]
/// pub struct IdlePointResult {
///     pub success: Option<bool>,
/// }
///
/// let query = LoanUserQuery { user: "3".into(), scene_code: "xx".into(), env: "pre".into() };
/// let mut params = Params::new();
/// query.write_params(&mut params)?;
/// assert_eq!(params.get("scene_code"), Some("xx"));
/// assert_eq!(LoanUserQuery::METHOD, "alibaba.idle.interact.loan.user.query");
/// # Ok::<(), top_api::Error>(())
/// ```
///
/// The struct has named fields, one per param, or is a unit struct for an API without
/// params. The attribute implements `top_api::Request` (and `top_api::WithoutSession`
/// unless a session is required) and leaves the struct as it is: `write_params` writes
/// the params, `from_params` reads them back (as the sandbox gateway does).
///
/// | argument | value | meaning |
/// |---|---|---|
/// | `method` | a string: dot-separated words of ASCII letters, digits, `_` and `-`, starting with a lowercase letter | the API's method name, required |
/// | `response` | a type | the payload of a successful answer, a `serde::Deserialize` type; required |
/// | `session` | `"none"` (default), `"optional"`, `"required"` | whether the API needs a user's session (授权); a required one is only callable through `client.with_session(token)` |
/// | `idempotent` | `true` or `false` | whether a call is safe to repeat, so that the client may retry it after a passing fault; by default, whether the method only reads by the read rule (`top_api::rules::is_read`: its last word `get`, `query`, `search`, `list`, … or starting with `get`, `query`, `search`, `qry`) |
/// | `crate` | a path in a string, `"::my_top"` | where the top-api crate is, for a crate that depends on it under another name (default `::top_api`) |
///
/// Fields take `#[top(...)]`:
///
/// | field argument | meaning |
/// |---|---|
/// | `rename = "wireName"` | the name the param is sent under, when it is not the field's name (raw identifiers such as `r#type` are sent without `r#`) |
/// | `json` | the field is a `serde::Serialize` + `serde::Deserialize` type, sent as compact JSON text |
/// | `object` | the field is a `top_api::Object` (or an `Option` or `Vec` of them): its required members and limits are checked, then it is sent as compact JSON text; an empty list or `None` is not sent |
/// | `required` | the param must be sent: for an `Option` field, `None` fails the call before any I/O (other fields are required already) |
/// | `max_len = N` | at most N characters (`String`, `Option<String>`) |
/// | `max_items = N` | at most N items (`Vec<T>`, `Option<Vec<T>>`) |
/// | `min = X`, `max = X` | bounds of a number (integers, floats, `Option`s of them) |
///
/// A field's type is `String`, an integer, `bool`, a float, `top_api::DateTime`,
/// `top_api::File` (the call goes multipart; files are not signed), or an `Option`
/// (`None` is not sent) or `Vec` (joined with `,`) of those. Blank values are neither sent
/// nor signed. A field that is not an `Option` is a required param: sent blank or empty,
/// it fails the call before any I/O with `top_api::Error::Check` (code 40), as does a
/// broken limit (code 41). A limit that cannot apply to the field's type does not compile.
#[proc_macro_attribute]
pub fn top_api(args: TokenStream, item: TokenStream) -> TokenStream {
    let cx = ctxt::Ctxt::default();
    let args = attr::parse_args(&cx, args.into());
    let input: syn::DeriveInput = match syn::parse(item.clone()) {
        Ok(input) => input,
        Err(err) => {
            let mut out = proc_macro2::TokenStream::from(item);
            out.extend(err.to_compile_error());
            return out.into();
        }
    };
    let api = ast::Api::from_syn(&cx, &input);
    check::check(&cx, &args, &input, api.as_ref());
    match (cx.into_compile_errors(), api) {
        (None, Some(api)) => expand::expand(&args, &api).into(),
        (Some(errors), _) => fallback::expand(errors, &args, &input).into(),
        (None, None) => unreachable!("a shape that is not an API is always reported"),
    }
}
