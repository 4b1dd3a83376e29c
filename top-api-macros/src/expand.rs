//! The code a valid declaration expands to.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::Api;
use crate::attr::{self, Args, Session};

/// The struct as the user wrote it, less the attribute's own `#[top(...)]` markers.
pub(crate) fn strip(input: &syn::DeriveInput) -> syn::DeriveInput {
    let mut item = input.clone();
    item.attrs
        .retain(|attr| !attr.path().is_ident(attr::FIELD_ATTR));
    match &mut item.data {
        syn::Data::Struct(data) => {
            for field in data.fields.iter_mut() {
                field
                    .attrs
                    .retain(|attr| !attr.path().is_ident(attr::FIELD_ATTR));
            }
        }
        syn::Data::Enum(data) => {
            for variant in data.variants.iter_mut() {
                variant
                    .attrs
                    .retain(|attr| !attr.path().is_ident(attr::FIELD_ATTR));
            }
        }
        syn::Data::Union(_) => {}
    }
    item
}

pub(crate) fn expand(args: &Args, api: &Api) -> TokenStream {
    let item = strip(api.input);
    let ident = &api.input.ident;
    let method = args.method.as_ref().expect("checked");
    let response = args.response.as_ref().expect("checked");
    let session = format_ident!("{}", args.session.variant());
    let params = format_ident!("params");

    // Spanned at the field's type, so that a type that cannot be a param is the token
    // the error points at.
    let ops = |field: &crate::ast::Field| {
        let ty = field.ty;
        let kind = format_ident!("{}", if field.json { "json" } else { "param" });
        quote_spanned!(ty.span()=> ::top_api::__private::#kind::<#ty>())
    };
    let writes = api.fields.iter().map(|field| {
        let (member, wire, ops) = (field.member, &field.wire, ops(field));
        quote!(#ops.write(#params, #wire, &self.#member)?;)
    });
    let reads = api.fields.iter().map(|field| {
        let (member, wire, ops) = (field.member, &field.wire, ops(field));
        quote!(#member: #ops.read(#params, #wire)?,)
    });
    let rebuilt = match &api.input.data {
        syn::Data::Struct(syn::DataStruct {
            fields: syn::Fields::Unit,
            ..
        }) => quote!(Self),
        _ => quote!(Self { #(#reads)* }),
    };
    let params_arg = if api.fields.is_empty() {
        format_ident!("_params")
    } else {
        params.clone()
    };
    let without_session = (args.session != Session::Required).then(|| {
        quote! {
            #[automatically_derived]
            impl ::top_api::WithoutSession for #ident {}
        }
    });

    quote! {
        #item

        #[automatically_derived]
        impl ::top_api::Request for #ident {
            const METHOD: &'static ::core::primitive::str = #method;
            const SESSION: ::top_api::SessionNeed = ::top_api::SessionNeed::#session;
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
