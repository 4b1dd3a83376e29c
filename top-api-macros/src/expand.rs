//! The code a valid declaration expands to.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::{Api, Field};
use top_api_rules::SessionNeed;

use crate::attr::{self, Args, Kind, Limit, Number};

/// The struct as the user wrote it, less the attribute's own `#[top(...)]` markers.
pub(crate) fn strip(input: &syn::DeriveInput) -> syn::DeriveInput {
    let mut item = input.clone();
    item.attrs.retain(|attr| !attr.path().is_ident(attr::FIELD_ATTR));
    match &mut item.data {
        syn::Data::Struct(data) => {
            for field in data.fields.iter_mut() {
                field.attrs.retain(|attr| !attr.path().is_ident(attr::FIELD_ATTR));
            }
        }
        syn::Data::Enum(data) => {
            for variant in data.variants.iter_mut() {
                variant.attrs.retain(|attr| !attr.path().is_ident(attr::FIELD_ATTR));
            }
        }
        syn::Data::Union(_) => {}
    }
    item
}

/// The limits declared on a field, checked on `value` (a reference to it) found at `at` (a
/// `&Path` expression). Each call is spanned at its key, so that the error for a limit that
/// does not fit the field's type underlines the key alone.
pub(crate) fn limit_checks(field: &Field, at: &TokenStream, krate: &syn::Path) -> TokenStream {
    let limits = &field.limits;
    let mut out = TokenStream::new();
    let call = |key: &syn::Ident, check: &str, rest: TokenStream| {
        let span = key.span();
        let check = format_ident!("{}", check, span = span);
        let value = syn::Ident::new("value", span);
        respan(quote!(#krate::__private::#check(#at, #value, #rest)?;), span)
    };
    for (limit, check) in [(&limits.max_len, "check_max_len"), (&limits.max_items, "check_max_items")] {
        if let Some(limit) = limit {
            let max = match limit.value {
                Number::Int(n) => usize::try_from(n).unwrap_or(usize::MAX),
                Number::Float(_) => usize::MAX,
            };
            let mut max = proc_macro2::Literal::usize_suffixed(max);
            max.set_span(limit.key.span());
            out.extend(call(&limit.key, check, quote!(#max)));
        }
    }
    if let Some(key) = limits.min.as_ref().or(limits.max.as_ref()).map(|l| &l.key) {
        let span = key.span();
        let bound = |limit: &Option<Limit>| match limit.as_ref().map(|l| l.value) {
            None => quote_spanned!(span=> ::core::option::Option::None),
            Some(Number::Int(n)) => {
                quote_spanned!(span=> ::core::option::Option::Some(#krate::__private::Number::Int(#n)))
            }
            Some(Number::Float(x)) => {
                quote_spanned!(span=> ::core::option::Option::Some(#krate::__private::Number::Float(#x)))
            }
        };
        let (min, max) = (bound(&limits.min), bound(&limits.max));
        out.extend(call(key, "check_range", quote_spanned!(span=> #min, #max)));
    }
    out
}

/// `tokens`, every one spanned at `span`.
fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut inner = proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                return proc_macro2::TokenTree::Group(inner);
            }
            token.set_span(span);
            token
        })
        .collect()
}

pub(crate) fn expand(args: &Args, api: &Api) -> TokenStream {
    let krate = &args.krate;
    let item = strip(api.input);
    let ident = &api.input.ident;
    let method = args.method.as_ref().expect("checked");
    let response = args.response.as_ref().expect("checked");
    let response_key = top_api_rules::response_key(&method.value());
    let session = format_ident!(
        "{}",
        match args.session {
            SessionNeed::Required => "Required",
            SessionNeed::Optional => "Optional",
            _ => "None",
        }
    );
    let idempotent = match &args.idempotent {
        Some(lit) => lit.value,
        None => top_api_rules::is_read(&method.value(), None),
    };
    let params = format_ident!("params");
    let qimen = args.qimen.as_ref().is_some_and(|lit| lit.value);

    // Spanned at the field's type, so that a type that cannot be a param is the token
    // the error points at.
    let ops = |field: &Field| {
        let ty = field.ty;
        let kind = match &field.kind {
            None => "param",
            Some((Kind::Json, _)) => "json",
            Some((Kind::Object, _)) if qimen && field.wire == top_api_rules::QIMEN_BODY_PARAM => "qimen_body",
            Some((Kind::Object, _)) => "object",
        };
        let kind = format_ident!("{}", kind);
        quote_spanned!(ty.span()=> #krate::__private::#kind::<#ty>())
    };
    let writes = api.fields.iter().map(|field| {
        let (member, wire, ops) = (field.member, &field.wire, ops(field));
        let at = quote!(&#krate::__private::Path::param(#wire));
        let checks = limit_checks(field, &at, krate);
        let checks = (!checks.is_empty()).then(|| {
            quote! {
                {
                    let value = &self.#member;
                    #checks
                }
            }
        });
        let required = field
            .required
            .as_ref()
            .map(|key| quote_spanned!(key.span()=> #krate::__private::check_sent(#params, #wire)?;));
        quote! {
            #checks
            #ops.write(#params, #wire, &self.#member)?;
            #required
        }
    });
    let reads = api.fields.iter().map(|field| {
        let (member, wire, ops) = (field.member, &field.wire, ops(field));
        quote!(#member: #ops.read(#params, #wire)?,)
    });
    let rebuilt = match &api.input.data {
        syn::Data::Struct(syn::DataStruct { fields: syn::Fields::Unit, .. }) => quote!(Self),
        _ => quote!(Self { #(#reads)* }),
    };
    let params_arg = if api.fields.is_empty() { format_ident!("_params") } else { params.clone() };
    let without_session = (args.session != SessionNeed::Required).then(|| {
        // Not recommended in diagnostics: "call it with a session" is the help, not a
        // list of other APIs that need none.
        quote! {
            #[automatically_derived]
            #[diagnostic::do_not_recommend]
            impl #krate::WithoutSession for #ident {}
        }
    });

    // A batch carries no files, nor Qimen calls: an API whose fields name no `File` may go
    // in one, unless it is a Qimen API.
    let without_files = (!qimen && !api.fields.iter().any(|field| mentions_file(field.ty))).then(|| {
        quote! {
            #[automatically_derived]
            #[diagnostic::do_not_recommend]
            impl #krate::WithoutFiles for #ident {}
        }
    });

    quote! {
        #item

        #[automatically_derived]
        impl #krate::Request for #ident {
            const METHOD: &'static ::core::primitive::str = #method;
            const SESSION: #krate::SessionNeed = #krate::SessionNeed::#session;
            const IDEMPOTENT: bool = #idempotent;
            const QIMEN: bool = #qimen;
            const RESPONSE_KEY: &'static ::core::primitive::str = #response_key;
            type Response = #response;

            fn write_params(
                &self,
                #params_arg: &mut #krate::Params,
            ) -> #krate::__private::Result<(), #krate::Error> {
                #(#writes)*
                #krate::__private::Result::Ok(())
            }

            fn from_params(
                #params_arg: &#krate::Params,
            ) -> #krate::__private::Result<Self, #krate::ParamError> {
                #krate::__private::Result::Ok(#rebuilt)
            }
        }

        #without_session
        #without_files
    }
}

/// Whether a type names `File` anywhere (`File`, `Option<top_api::File>`, `Vec<File>`).
pub(crate) fn mentions_file(ty: &syn::Type) -> bool {
    fn any_file(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => ident == "File",
            proc_macro2::TokenTree::Group(group) => any_file(group.stream()),
            _ => false,
        })
    }
    any_file(quote!(#ty))
}
