//! What is emitted when the declaration has errors: the errors, the struct itself, and a
//! stand-in implementation, so that the user sees the attribute's errors and not a
//! cascade of "cannot find type" or "trait not implemented" where the struct is used.

use proc_macro2::TokenStream;
use quote::quote;

use crate::attr::Args;
use crate::expand::strip;

pub(crate) fn expand(errors: TokenStream, args: &Args, input: &syn::DeriveInput) -> TokenStream {
    let item = strip(input);
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let response = match &args.response {
        Some(ty) => quote!(#ty),
        None => quote!(()),
    };
    quote! {
        #errors
        #item

        impl #impl_generics ::top_api::Request for #ident #ty_generics #where_clause {
            const METHOD: &'static ::core::primitive::str = "";
            const SESSION: ::top_api::SessionNeed = ::top_api::SessionNeed::Optional;
            const IDEMPOTENT: bool = false;
            type Response = #response;

            fn write_params(
                &self,
                _params: &mut ::top_api::Params,
            ) -> ::top_api::__private::Result<(), ::top_api::Error> {
                ::top_api::__private::Result::Ok(())
            }

            fn from_params(
                _params: &::top_api::Params,
            ) -> ::top_api::__private::Result<Self, ::top_api::ParamError> {
                // Never runs: the compile errors above stop the build.
                ::core::unimplemented!()
            }
        }

        impl #impl_generics ::top_api::WithoutSession for #ident #ty_generics #where_clause {}
    }
}
