//! The rules an API declaration must follow, one function each.

use std::collections::BTreeMap;

use crate::ast::{Api, Field};
use crate::attr::{self, Args, Kind, Number};
use crate::ctxt::Ctxt;

pub(crate) fn check(cx: &Ctxt, args: &Args, input: &syn::DeriveInput, api: Option<&Api>) {
    check_required_args(cx, args);
    check_method(cx, args);
    check_generics(cx, input, "#[top_api]");
    check_misplaced_field_attr(cx, input);
    if let Some(api) = api {
        check_system_params(cx, api);
        check_duplicate_wire_names(cx, &api.fields);
        check_limits(cx, &api.fields);
        check_qimen(cx, args, &api.fields);
    }
}

/// A Qimen API sends its field `request` as the XML body: it must have one, an object
/// (`#[top(object)]`), and no file (the body is XML, not multipart).
fn check_qimen(cx: &Ctxt, args: &Args, fields: &[Field]) {
    let Some(qimen) = args.qimen.as_ref().filter(|lit| lit.value) else { return };
    match fields.iter().find(|field| field.wire == top_api_rules::QIMEN_BODY_PARAM) {
        None => cx.error_spanned_by(
            qimen,
            "a Qimen API sends its field `request` as the XML body: add `#[top(object)] pub request: Option<YourRequest>`",
        ),
        Some(field) if !matches!(field.kind, Some((Kind::Object, _))) => cx.error_at(
            field.wire_span,
            "the `request` of a Qimen API is its XML body: mark it `#[top(object)]`, its type a `#[derive(top_api::Object)]` struct",
        ),
        Some(_) => {}
    }
    for field in fields.iter().filter(|field| crate::expand::mentions_file(field.ty)) {
        cx.error_spanned_by(field.ty, "a Qimen API cannot upload a file: its body is the XML of `request`");
    }
}

/// `method` and `response` must both be given; the attribute as a whole is at fault.
fn check_required_args(cx: &Ctxt, args: &Args) {
    if args.had_unknown {
        return;
    }
    for (name, missing) in [(attr::METHOD, args.method.is_none()), (attr::RESPONSE, args.response.is_none())] {
        if missing {
            let example =
                if name == attr::METHOD { "method = \"taobao.time.get\"" } else { "response = TimeGetResponse" };
            cx.error_at(
                proc_macro2::Span::call_site(),
                format_args!("missing top_api argument `{name}`, as in `{example}`"),
            );
        }
    }
}

/// A method is two or more dot-separated words of ASCII letters, digits, `_` and `-`,
/// starting with a lowercase letter: `taobao.time.get`, and the platform's other shapes,
/// `taobao.miniapp.userInfo.get`, `push.aliyuncs.com.pushMsg.2015-03-18`.
fn check_method(cx: &Ctxt, args: &Args) {
    let Some(lit) = &args.method else { return };
    let method = lit.value();
    if method.is_empty() {
        // Already reported as not a string literal.
        return;
    }
    if !top_api_rules::is_method(&method) {
        cx.error_spanned_by(
            lit,
            "method must be dot-separated words like `taobao.time.get`: ASCII letters, digits, `_` and `-`, starting with a lowercase letter",
        );
    }
}

/// An API struct is sent as it is: generic parameters have no wire form.
pub(crate) fn check_generics(cx: &Ctxt, input: &syn::DeriveInput, what: &str) {
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(&input.generics, format_args!("{what} does not support generic parameters"));
    } else if let Some(clause) = &input.generics.where_clause {
        cx.error_spanned_by(clause, format_args!("{what} does not support where clauses"));
    }
}

/// `#[top(...)]` describes a field; on the struct itself it means nothing.
fn check_misplaced_field_attr(cx: &Ctxt, input: &syn::DeriveInput) {
    for attr in input.attrs.iter().filter(|attr| attr.path().is_ident(attr::FIELD_ATTR)) {
        cx.error_spanned_by(attr, "`#[top(...)]` goes on a field; the struct takes `#[top_api(...)]`");
    }
    if let syn::Data::Enum(data) = &input.data {
        for variant in &data.variants {
            for attr in variant.attrs.iter().filter(|attr| attr.path().is_ident(attr::FIELD_ATTR)) {
                cx.error_spanned_by(attr, "`#[top(...)]` goes on a field of a struct");
            }
        }
    }
}

/// A field may not be sent under a name the client sends itself.
fn check_system_params(cx: &Ctxt, api: &Api) {
    for field in &api.fields {
        // A field sent under a system param's name would be signed and sent twice, or clash
        // with the client's own value.
        if top_api_rules::is_reserved(&field.wire) {
            cx.error_at(
                field.wire_span,
                format_args!(
                    "`{}` is a system parameter that the client sends itself; a field cannot be sent as `{}`",
                    field.wire, field.wire
                ),
            );
        }
    }
}

/// Two fields sent under one name would be ambiguous on the wire and in the signature.
pub(crate) fn check_duplicate_wire_names(cx: &Ctxt, fields: &[Field]) {
    let mut seen = BTreeMap::new();
    for field in fields {
        if let Some(first) = seen.insert(field.wire.as_str(), field.member) {
            cx.error_at(
                field.wire_span,
                format_args!("two fields are sent as `{}`: `{}` and `{}`", field.wire, first, field.member),
            );
        }
    }
}

/// Lengths and item counts are whole numbers of at least zero; a range is not empty; a
/// structured param has no length or range of its own to limit (a list of objects may
/// limit its items). Whether a limit fits the field's type is left to the type system,
/// at the limit's key.
pub(crate) fn check_limits(cx: &Ctxt, fields: &[Field]) {
    for field in fields {
        let limits = &field.limits;
        for limit in [&limits.max_len, &limits.max_items].into_iter().flatten() {
            if !matches!(limit.value, Number::Int(n) if n >= 0) {
                cx.error_spanned_by(&limit.key, format_args!("`{}` takes a whole number of at least 0", limit.key));
            }
        }
        if let (Some(min), Some(max)) = (&limits.min, &limits.max) {
            if min.value.as_f64() > max.value.as_f64() {
                cx.error_spanned_by(&max.key, "`max` is below `min`: no value could be sent");
            }
        }
        if let Some((kind, key)) = &field.kind {
            let items = if *kind == Kind::Object { None } else { limits.max_items.as_ref() };
            let all = [limits.max_len.as_ref(), items, limits.min.as_ref(), limits.max.as_ref()];
            for limit in all.into_iter().flatten() {
                cx.error_spanned_by(&limit.key, format_args!("`{}` does not apply to a `{key}` param", limit.key));
            }
        }
    }
}
