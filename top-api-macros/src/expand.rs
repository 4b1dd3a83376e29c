//! The code a valid declaration expands to.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::{Api, Field};
use crate::attr::{self, Args, Limit, Number, Session};

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

/// The checks declared on a field, each spanned at its key so that a limit that does not
/// fit the field's type is the token the error points at.
fn checks(field: &Field) -> TokenStream {
    let (member, limits) = (field.member, &field.limits);
    let mut out = TokenStream::new();
    let value = format_ident!("value");
    // Every token of a check call carries the key's span, so that the error for a limit
    // that does not fit the field's type underlines the key alone.
    let call = |key: &syn::Ident, check: &str, rest: TokenStream| {
        let span = key.span();
        let check = format_ident!("{}", check, span = span);
        let wire = syn::LitStr::new(&field.wire, span);
        let value = syn::Ident::new("value", span);
        quote_spanned!(span=> ::top_api::__private::#check(#wire, #value, #rest)?;)
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
                quote_spanned!(span=> ::core::option::Option::Some(::top_api::__private::Number::Int(#n)))
            }
            Some(Number::Float(x)) => {
                quote_spanned!(span=> ::core::option::Option::Some(::top_api::__private::Number::Float(#x)))
            }
        };
        let (min, max) = (bound(&limits.min), bound(&limits.max));
        out.extend(call(key, "check_range", quote_spanned!(span=> #min, #max)));
    }
    if out.is_empty() {
        return out;
    }
    quote! {
        {
            let #value = &self.#member;
            #out
        }
    }
}

pub(crate) fn expand(args: &Args, api: &Api) -> TokenStream {
    let item = strip(api.input);
    let ident = &api.input.ident;
    let method = args.method.as_ref().expect("checked");
    let response = args.response.as_ref().expect("checked");
    let session = format_ident!("{}", args.session.variant());
    let idempotent = match &args.idempotent {
        Some(lit) => lit.value,
        None => attr::default_idempotent(&method.value()),
    };
    let params = format_ident!("params");

    // Spanned at the field's type, so that a type that cannot be a param is the token
    // the error points at.
    let ops = |field: &Field| {
        let ty = field.ty;
        let kind = format_ident!("{}", if field.json { "json" } else { "param" });
        quote_spanned!(ty.span()=> ::top_api::__private::#kind::<#ty>())
    };
    let writes = api.fields.iter().map(|field| {
        let (member, wire, ops) = (field.member, &field.wire, ops(field));
        let checks = checks(field);
        quote! {
            #checks
            #ops.write(#params, #wire, &self.#member)?;
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
    let without_session = (args.session != Session::Required).then(|| {
        // Not recommended in diagnostics: "call it with a session" is the help, not a
        // list of other APIs that need none.
        quote! {
            #[automatically_derived]
            #[diagnostic::do_not_recommend]
            impl ::top_api::WithoutSession for #ident {}
        }
    });

    quote! {
        #item

        #[automatically_derived]
        impl ::top_api::Request for #ident {
            const METHOD: &'static ::core::primitive::str = #method;
            const SESSION: ::top_api::SessionNeed = ::top_api::SessionNeed::#session;
            const IDEMPOTENT: bool = #idempotent;
            type Response = #response;

            fn write_params(
                &self,
                #params_arg: &mut ::top_api::Params,
            ) -> ::top_api::__private::Result<(), ::top_api::Error> {
                #(#writes)*
                ::top_api::__private::Result::Ok(())
            }

            fn from_params(
                #params_arg: &::top_api::Params,
            ) -> ::top_api::__private::Result<Self, ::top_api::ParamError> {
                ::top_api::__private::Result::Ok(#rebuilt)
            }
        }

        #without_session
    }
}
