//! Reads the arguments of `#[top_api(...)]` and of the field attribute `#[top(...)]`.

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::{LitStr, Token};

use top_api_rules::SessionNeed;

use crate::ctxt::Ctxt;

pub(crate) const METHOD: &str = "method";
pub(crate) const RESPONSE: &str = "response";
pub(crate) const SESSION: &str = "session";
pub(crate) const IDEMPOTENT: &str = "idempotent";
pub(crate) const QIMEN: &str = "qimen";
pub(crate) const CRATE: &str = "crate";
const KEYS: &[&str] = &[METHOD, RESPONSE, SESSION, IDEMPOTENT, QIMEN, CRATE];
const ARGS: &str = "expected one of `method`, `response`, `session`, `idempotent`, `qimen`, `crate`";

pub(crate) const FIELD_ATTR: &str = "top";
pub(crate) const RENAME: &str = "rename";
pub(crate) const JSON: &str = "json";
pub(crate) const OBJECT: &str = "object";
pub(crate) const REQUIRED: &str = "required";
pub(crate) const MAX_LEN: &str = "max_len";
pub(crate) const MAX_ITEMS: &str = "max_items";
pub(crate) const MIN: &str = "min";
pub(crate) const MAX: &str = "max";
pub(crate) const NAME: &str = "name";
const FIELD_KEYS: &[&str] = &[RENAME, JSON, OBJECT, REQUIRED, MAX_LEN, MAX_ITEMS, MIN, MAX];
const FIELD_ARGS: &str = "expected one of `rename`, `json`, `object`, `required`, `max_len`, `max_items`, `min`, `max`";

/// The arguments of `#[top_api(...)]`; a missing one is `None`.
pub(crate) struct Args {
    /// `idempotent = true|false`, when given.
    pub(crate) idempotent: Option<syn::LitBool>,
    /// `qimen = true|false`, when given: a Qimen API, its `request` field the XML body.
    pub(crate) qimen: Option<syn::LitBool>,
    /// An unknown argument was given (likely a misspelt one), so a missing one is not
    /// reported on top of it.
    pub(crate) had_unknown: bool,
    pub(crate) method: Option<LitStr>,
    pub(crate) response: Option<syn::Type>,
    pub(crate) session: SessionNeed,
    /// The path of the top-api crate: `::top_api`, or what `crate = "…"` says.
    pub(crate) krate: syn::Path,
}

/// The path the expansions name the runtime by, unless `crate = "…"` says otherwise.
pub(crate) fn default_crate() -> syn::Path {
    syn::parse_quote!(::top_api)
}

/// Reads `crate = "path"`: the path of the top-api crate, for a crate that depends on it
/// under another name.
fn parse_crate(cx: &Ctxt, value: ParseStream) -> syn::Result<Option<syn::Path>> {
    let found = take_value(value)?;
    let path = syn::parse2::<LitStr>(found.clone()).ok().and_then(|lit| lit.parse::<syn::Path>().ok());
    if path.is_none() {
        cx.error_spanned_by(found, "crate takes a path in a string, like `crate = \"::top_api\"`");
    }
    Ok(path)
}

pub(crate) fn parse_args(cx: &Ctxt, tokens: TokenStream) -> Args {
    let mut method: Option<LitStr> = None;
    let mut response: Option<syn::Type> = None;
    let mut session: Option<SessionNeed> = None;
    let mut had_unknown = false;
    let mut idempotent: Option<syn::LitBool> = None;
    let mut qimen: Option<syn::LitBool> = None;
    let mut krate: Option<syn::Path> = None;
    let mut krate_given = false;
    let parser = syn::meta::parser(|meta| {
        let Some(key) = meta.path.get_ident().map(ToString::to_string) else {
            had_unknown = true;
            cx.error_spanned_by(&meta.path, format_args!("unknown top_api argument; {ARGS}"));
            return skip_value(meta.input);
        };
        let duplicate = match key.as_str() {
            METHOD => method.is_some(),
            RESPONSE => response.is_some(),
            SESSION => session.is_some(),
            IDEMPOTENT => idempotent.is_some(),
            QIMEN => qimen.is_some(),
            CRATE => krate_given,
            _ => {
                had_unknown = true;
                report_unknown(cx, &meta.path, "top_api", &key, KEYS, ARGS);
                return skip_value(meta.input);
            }
        };
        if duplicate {
            cx.error_spanned_by(&meta.path, format_args!("duplicate top_api argument `{key}`"));
            return skip_value(meta.input);
        }
        if !meta.input.peek(Token![=]) {
            cx.error_spanned_by(&meta.path, format_args!("expected `{key} = ...`"));
            return skip_value(meta.input);
        }
        let value = meta.value()?;
        match key.as_str() {
            CRATE => {
                krate_given = true;
                krate = parse_crate(cx, value)?;
            }
            IDEMPOTENT => match value.parse::<syn::LitBool>() {
                Ok(lit) => idempotent = Some(lit),
                Err(_) => {
                    let found = take_value(value)?;
                    cx.error_spanned_by(found, "idempotent takes `true` or `false`");
                }
            },
            QIMEN => match value.parse::<syn::LitBool>() {
                Ok(lit) => qimen = Some(lit),
                Err(_) => {
                    let found = take_value(value)?;
                    cx.error_spanned_by(found, "qimen takes `true` or `false`");
                }
            },
            METHOD => match value.parse::<LitStr>() {
                Ok(lit) => method = Some(lit),
                Err(_) => {
                    let found: TokenStream = take_value(value)?;
                    cx.error_spanned_by(found, "method must be a string literal like `\"taobao.time.get\"`");
                    method = Some(LitStr::new("", Span::call_site()));
                }
            },
            RESPONSE => {
                if value.peek(LitStr) {
                    let lit: LitStr = value.parse()?;
                    cx.error_spanned_by(
                        &lit,
                        format_args!("response must be a type, not a string: `response = {}`", lit.value()),
                    );
                    response = Some(syn::parse_quote!(()));
                } else {
                    let found = take_value(value)?;
                    match syn::parse2::<syn::Type>(found.clone()) {
                        Ok(ty) => response = Some(ty),
                        Err(_) => {
                            if found.is_empty() {
                                cx.error_spanned_by(&meta.path, "response must be a type like `TimeGetResponse`");
                            } else {
                                cx.error_spanned_by(found, "response must be a type like `TimeGetResponse`");
                            }
                            response = Some(syn::parse_quote!(()));
                        }
                    }
                }
            }
            _ => {
                let lit: LitStr = match value.parse() {
                    Ok(lit) => lit,
                    Err(_) => {
                        let found = take_value(value)?;
                        cx.error_spanned_by(found, "session must be one of `\"none\"`, `\"optional\"`, `\"required\"`");
                        session = Some(SessionNeed::None);
                        return Ok(());
                    }
                };
                session = Some(SessionNeed::from_wire(&lit.value()).unwrap_or_else(|| {
                    cx.error_spanned_by(&lit, "session must be one of `\"none\"`, `\"optional\"`, `\"required\"`");
                    SessionNeed::None
                }));
            }
        }
        Ok(())
    });
    if let Err(err) = parser.parse2(tokens) {
        cx.syn_error(err);
    }
    Args {
        idempotent,
        qimen,
        had_unknown,
        method,
        response,
        session: session.unwrap_or(SessionNeed::None),
        krate: krate.unwrap_or_else(default_crate),
    }
}

/// What `#[top(...)]` says of one field.
#[derive(Default)]
pub(crate) struct FieldArgs {
    pub(crate) rename: Option<LitStr>,
    /// `json` or `object`, with the key it was written under.
    pub(crate) kind: Option<(Kind, syn::Ident)>,
    /// `required`, with its key.
    pub(crate) required: Option<syn::Ident>,
    pub(crate) limits: Limits,
}

/// How a structured field is sent.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `json`: any `Serialize` type, as JSON text.
    Json,
    /// `object`: an `Object` (or a list or `Option` of them), members checked, as JSON text.
    Object,
}

/// The checks declared on a field.
#[derive(Default)]
pub(crate) struct Limits {
    pub(crate) max_len: Option<Limit>,
    pub(crate) max_items: Option<Limit>,
    pub(crate) min: Option<Limit>,
    pub(crate) max: Option<Limit>,
}

/// A limit declared on a field, with the key it was written under (errors point there).
pub(crate) struct Limit {
    pub(crate) key: syn::Ident,
    pub(crate) value: Number,
}

#[derive(Clone, Copy, PartialEq, PartialOrd)]
pub(crate) enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Number::Int(n) => n as f64,
            Number::Float(x) => x,
        }
    }
}

/// Reads `= 12`, `= -3` or `= 0.5`.
fn parse_number(input: ParseStream) -> syn::Result<Number> {
    let negative = input.parse::<Option<Token![-]>>()?.is_some();
    let sign = if negative { -1.0 } else { 1.0 };
    if input.peek(syn::LitFloat) {
        let lit: syn::LitFloat = input.parse()?;
        return Ok(Number::Float(sign * lit.base10_parse::<f64>()?));
    }
    let lit: syn::LitInt = input.parse()?;
    let n: i128 = lit.base10_parse()?;
    Ok(Number::Int(if negative { -n } else { n }))
}

pub(crate) fn parse_field_attrs(cx: &Ctxt, attrs: &[syn::Attribute]) -> FieldArgs {
    let mut args = FieldArgs::default();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(FIELD_ATTR)) {
        let list = match &attr.meta {
            syn::Meta::List(list) => list,
            other => {
                cx.error_spanned_by(other, format_args!("expected `#[top(...)]`; {FIELD_ARGS}"));
                continue;
            }
        };
        let result = list.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            match key.as_str() {
                RENAME => {
                    if args.rename.is_some() {
                        cx.error_spanned_by(&meta.path, "duplicate top argument `rename`");
                    }
                    let lit: LitStr = meta.value()?.parse()?;
                    if lit.value().trim().is_empty() {
                        cx.error_spanned_by(&lit, "rename must not be empty");
                    }
                    args.rename = Some(lit);
                }
                JSON | OBJECT => {
                    let kind = if key == JSON { Kind::Json } else { Kind::Object };
                    if let Some((_, first)) = &args.kind {
                        if *first == key {
                            cx.error_spanned_by(&meta.path, format_args!("duplicate top argument `{key}`"));
                        } else {
                            cx.error_spanned_by(&meta.path, "a field is sent as `json` or as `object`, not both");
                        }
                    }
                    args.kind = Some((kind, meta.path.get_ident().expect("a known key is an ident").clone()));
                }
                REQUIRED => {
                    if args.required.is_some() {
                        cx.error_spanned_by(&meta.path, "duplicate top argument `required`");
                    }
                    args.required = Some(meta.path.get_ident().expect("a known key is an ident").clone());
                }
                MAX_LEN | MAX_ITEMS | MIN | MAX => {
                    let slot = match key.as_str() {
                        MAX_LEN => &mut args.limits.max_len,
                        MAX_ITEMS => &mut args.limits.max_items,
                        MIN => &mut args.limits.min,
                        _ => &mut args.limits.max,
                    };
                    if slot.is_some() {
                        cx.error_spanned_by(&meta.path, format_args!("duplicate top argument `{key}`"));
                    }
                    let ident = meta.path.get_ident().expect("a known key is an ident").clone();
                    let found = take_value(meta.value()?)?;
                    let value = match parse_number.parse2(found.clone()) {
                        Ok(value) => value,
                        Err(_) => {
                            let at: &dyn quote::ToTokens = if found.is_empty() { &meta.path } else { &found };
                            cx.error_spanned_by(at, format_args!("`{key}` takes a number, as in `{key} = 10`"));
                            return Ok(());
                        }
                    };
                    *slot = Some(Limit { key: ident, value });
                }
                _ => {
                    report_unknown(cx, &meta.path, FIELD_ATTR, &key, FIELD_KEYS, FIELD_ARGS);
                    skip_value(meta.input)?;
                }
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    args
}

/// Takes the tokens of one argument's value, up to the next `,`.
fn take_value(input: ParseStream) -> syn::Result<TokenStream> {
    input.step(|cursor| {
        let mut rest = *cursor;
        let mut taken = TokenStream::new();
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            taken.extend(std::iter::once(tt));
            rest = next;
        }
        Ok((taken, rest))
    })
}

/// Skips `= value` after a key already reported as wrong, so that parsing goes on.
fn skip_value(input: ParseStream) -> syn::Result<()> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
    }
    take_value(input).map(drop)
}

/// Reports an unknown argument, with the closest known one as a hint when there is one.
fn report_unknown(cx: &Ctxt, path: &syn::Path, attr: &str, key: &str, known: &[&str], all: &str) {
    let hint = match closest(key, known) {
        Some(near) => format!("did you mean `{near}`?"),
        None => all.to_owned(),
    };
    cx.error_spanned_by(path, format_args!("unknown {attr} argument `{key}`; {hint}"));
}

/// The known word within two edits of `word`, for a "did you mean" hint.
fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known.iter().copied().map(|k| (edit_distance(word, k), k)).filter(|(d, _)| *d <= 2).min().map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// What `#[top(...)]` says of a `#[derive(Object)]` struct itself.
pub(crate) struct Container {
    pub(crate) name: Option<LitStr>,
    pub(crate) krate: syn::Path,
}

pub(crate) fn parse_container(cx: &Ctxt, attrs: &[syn::Attribute]) -> Container {
    let mut container = Container { name: None, krate: default_crate() };
    let mut krate_given = false;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(FIELD_ATTR)) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            match key.as_str() {
                NAME => {
                    if container.name.is_some() {
                        cx.error_spanned_by(&meta.path, "duplicate top argument `name`");
                    }
                    let lit: LitStr = meta.value()?.parse()?;
                    if !is_type_name(&lit.value()) {
                        cx.error_spanned_by(&lit, "name must be the type's name on the platform, like `NTbkItem`");
                    }
                    container.name = Some(lit);
                }
                CRATE => {
                    if krate_given {
                        cx.error_spanned_by(&meta.path, "duplicate top argument `crate`");
                    }
                    krate_given = true;
                    let lit: LitStr = meta.value()?.parse()?;
                    match lit.parse::<syn::Path>() {
                        Ok(path) => container.krate = path,
                        Err(_) => {
                            cx.error_spanned_by(&lit, "crate takes a path in a string, like `crate = \"::top_api\"`")
                        }
                    }
                }
                _ => {
                    cx.error_spanned_by(
                        &meta.path,
                        format_args!("unknown top argument `{key}` on an object type; expected `name` or `crate`"),
                    );
                    if meta.input.peek(syn::Token![=]) {
                        meta.value()?.parse::<syn::Expr>()?;
                    }
                }
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    container
}

fn is_type_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_closest_argument() {
        assert_eq!(closest("idempotnt", KEYS), Some(IDEMPOTENT));
        assert_eq!(closest("mthod", &[METHOD, RESPONSE, SESSION]), Some(METHOD));
        assert_eq!(closest("sesion", &[METHOD, RESPONSE, SESSION]), Some(SESSION));
        assert_eq!(closest("responce", &[METHOD, RESPONSE, SESSION]), Some(RESPONSE));
        assert_eq!(closest("timeout", &[METHOD, RESPONSE, SESSION]), None);
        assert_eq!(closest("jsn", &[RENAME, JSON]), Some(JSON));
    }

    #[test]
    fn every_mistake_in_the_arguments_is_collected() {
        let cx = Ctxt::default();
        let args = parse_args(&cx, quote::quote!(mthod = "a.b", response = 42, session = "never", method = "x.y"));
        assert!(args.had_unknown);
        assert_eq!(args.method.map(|m| m.value()).as_deref(), Some("x.y"));
        let errors = cx.into_compile_errors().expect("errors").to_string();
        for expected in ["did you mean `method`", "response must be a type", "session must be one of"] {
            assert!(errors.contains(expected), "{expected:?} not in {errors}");
        }
    }
}
