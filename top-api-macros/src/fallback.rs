//! What is emitted when the declaration has errors: the errors, the struct itself, and a
//! stand-in implementation, so that the user sees the attribute's errors and not a
//! cascade of "cannot find type" or "trait not implemented" where the struct is used.

use proc_macro2::TokenStream;
use quote::quote;

use crate::attr::Args;
use crate::expand::strip;

pub(crate) fn expand(errors: TokenStream, args: &Args, input: &syn::DeriveInput) -> TokenStream {
    let krate = &args.krate;
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

        impl #impl_generics #krate::Request for #ident #ty_generics #where_clause {
            const METHOD: &'static ::core::primitive::str = "";
            const SESSION: #krate::SessionNeed = #krate::SessionNeed::Optional;
            const IDEMPOTENT: bool = false;
            type Response = #response;

            fn write_params(
                &self,
                _params: &mut #krate::Params,
            ) -> #krate::__private::Result<(), #krate::Error> {
                #krate::__private::Result::Ok(())
            }

            fn from_params(
                _params: &#krate::Params,
            ) -> #krate::__private::Result<Self, #krate::ParamError> {
                // Never runs: the compile errors above stop the build.
                ::core::unimplemented!()
            }
        }

        impl #impl_generics #krate::WithoutSession for #ident #ty_generics #where_clause {}
        impl #impl_generics #krate::WithoutFiles for #ident #ty_generics #where_clause {}
    }
}
