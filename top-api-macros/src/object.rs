//! `#[derive(Object)]`: reads and writes a struct by its fields' wire names, with less
//! generated code than serde's derives, and checks its members before it is sent.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::LitStr;

use crate::ast::Field;
use crate::attr::{self, Container, Kind};
use crate::check;
use crate::ctxt::Ctxt;
use crate::expand::limit_checks;

const WHAT: &str = "#[derive(Object)]";

/// Types whose values have no members to check: the check of a field of one of these (or
/// an `Option`, `Vec` or `Box` of one) is left out of the expansion.
const PLAIN: &[&str] = &[
    "String", "bool", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "f32",
    "f64", "DateTime", "Date", "Decimal", "Json", "File", "Value",
];

fn is_plain(ty: &syn::Type) -> bool {
    let syn::Type::Path(path) = ty else { return false };
    let Some(last) = path.path.segments.last() else { return false };
    let ident = last.ident.to_string();
    match &last.arguments {
        syn::PathArguments::None => PLAIN.contains(&ident.as_str()),
        syn::PathArguments::AngleBracketed(args) if matches!(ident.as_str(), "Option" | "Vec" | "Box") => {
            match args.args.first() {
                Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => is_plain(inner),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether a field's type is written `Option<…>`.
fn is_option(ty: &syn::Type) -> bool {
    is_generic(ty, "Option")
}

/// Whether a field's type is written `Vec<…>`.
fn is_vec(ty: &syn::Type) -> bool {
    is_generic(ty, "Vec")
}

fn is_generic(ty: &syn::Type, name: &str) -> bool {
    let syn::Type::Path(path) = ty else { return false };
    path.qself.is_none()
        && path
            .path
            .segments
            .last()
            .is_some_and(|last| last.ident == name && matches!(last.arguments, syn::PathArguments::AngleBracketed(_)))
}

pub(crate) fn derive(input: &syn::DeriveInput) -> TokenStream {
    let cx = Ctxt::default();
    let container = attr::parse_container(&cx, &input.attrs);
    check::check_generics(&cx, input, WHAT);
    let fields: Vec<Field> = match &input.data {
        syn::Data::Struct(data) => match &data.fields {
            syn::Fields::Named(named) => named.named.iter().map(|field| Field::from_syn(&cx, field)).collect(),
            syn::Fields::Unit => Vec::new(),
            syn::Fields::Unnamed(unnamed) => {
                cx.error_spanned_by(unnamed, "#[derive(Object)] needs named fields: their names are the wire names");
                Vec::new()
            }
        },
        syn::Data::Enum(data) => {
            cx.error_spanned_by(data.enum_token, "#[derive(Object)] goes on a struct, not an enum");
            Vec::new()
        }
        syn::Data::Union(data) => {
            cx.error_spanned_by(data.union_token, "#[derive(Object)] goes on a struct, not a union");
            Vec::new()
        }
    };
    for field in &fields {
        if let Some((_, key)) = &field.kind {
            let message = match field.kind.as_ref().map(|(kind, _)| *kind) {
                Some(Kind::Json) => {
                    "a member of an object is written as JSON already: `json` is for a request's fields"
                }
                _ => "a member of an object is checked already: `object` is for a request's fields",
            };
            cx.error_spanned_by(key, message);
        }
    }
    check::check_duplicate_wire_names(&cx, &fields);
    check::check_limits(&cx, &fields);
    if let Some(errors) = cx.into_compile_errors() {
        return errors;
    }
    expand(input, &container, &fields)
}

fn expand(input: &syn::DeriveInput, container: &Container, fields: &[Field]) -> TokenStream {
    let krate = &container.krate;
    let ident = &input.ident;
    let name = container.name.as_ref().map_or_else(|| ident.to_string(), LitStr::value);
    let wires = fields.iter().map(|field| &field.wire);
    let serde = quote!(#krate::__private::serde);

    let reads = fields.iter().enumerate().map(|(index, field)| {
        let member = field.member;
        if is_option(field.ty) {
            // A blank, or a value that does not fit, is a left-out one.
            quote!(#index => self.#member = #krate::__private::read_optional(__map)?,)
        } else if is_vec(field.ty) {
            // A list that does not fit is an empty one.
            quote!(#index => self.#member = #krate::__private::read_list(__map)?,)
        } else {
            quote!(#index => self.#member = #serde::de::MapAccess::next_value(__map)?,)
        }
    });
    let writes = fields.iter().map(|field| {
        let (member, wire) = (field.member, &field.wire);
        quote!(#krate::__private::write_field(__out, #wire, &self.#member)?;)
    });
    let at = format_ident!("__member_at");
    let checks: Vec<TokenStream> = fields
        .iter()
        .filter_map(|field| {
            let (member, wire) = (field.member, &field.wire);
            let at_ref = quote!(&#at);
            let limits = limit_checks(field, &at_ref, krate);
            let required = field.required.as_ref().map(|_| quote!(#krate::__private::check_required(&#at, value)?;));
            let members = (!is_plain(field.ty)).then(|| quote!(#krate::__private::Member::check_member(value, &#at)?;));
            if limits.is_empty() && required.is_none() && members.is_none() {
                return None;
            }
            Some(quote! {
                {
                    let value = &self.#member;
                    let #at = __at.field(#wire);
                    #required
                    #limits
                    #members
                }
            })
        })
        .collect();
    let at_arg = if checks.is_empty() { format_ident!("_at") } else { format_ident!("__at") };
    let read_body = if fields.is_empty() {
        quote! {
            let _ = __field;
            #serde::de::MapAccess::next_value::<#serde::de::IgnoredAny>(__map)?;
        }
    } else {
        quote! {
            match __field {
                #(#reads)*
                _ => {
                    #serde::de::MapAccess::next_value::<#serde::de::IgnoredAny>(__map)?;
                }
            }
        }
    };

    quote! {
        #[automatically_derived]
        impl #krate::Object for #ident {
            const NAME: &'static ::core::primitive::str = #name;
            const FIELDS: &'static [&'static ::core::primitive::str] = &[#(#wires),*];

            #[inline]
            fn __read<'de, __A: #serde::de::MapAccess<'de>>(
                &mut self,
                __field: ::core::primitive::usize,
                __map: &mut __A,
            ) -> #krate::__private::Result<(), __A::Error> {
                #read_body
                #krate::__private::Result::Ok(())
            }

            #[inline]
            fn __write<__S: #serde::ser::SerializeStruct>(
                &self,
                __out: &mut __S,
            ) -> #krate::__private::Result<(), __S::Error> {
                #(#writes)*
                #krate::__private::Result::Ok(())
            }

            #[inline]
            fn __check(
                &self,
                #at_arg: &#krate::__private::Path<'_>,
            ) -> #krate::__private::Result<(), #krate::CheckError> {
                #(#checks)*
                #krate::__private::Result::Ok(())
            }
        }

        #[automatically_derived]
        impl #krate::__private::Member for #ident {
            #[inline]
            fn check_member(
                &self,
                at: &#krate::__private::Path<'_>,
            ) -> #krate::__private::Result<(), #krate::CheckError> {
                #krate::Object::__check(self, at)
            }
        }

        #[automatically_derived]
        impl<'de> #serde::Deserialize<'de> for #ident {
            fn deserialize<__D: #serde::Deserializer<'de>>(
                __deserializer: __D,
            ) -> #krate::__private::Result<Self, __D::Error> {
                #krate::__private::read_object(__deserializer)
            }
        }

        #[automatically_derived]
        impl #serde::Serialize for #ident {
            fn serialize<__S: #serde::Serializer>(
                &self,
                __serializer: __S,
            ) -> #krate::__private::Result<__S::Ok, __S::Error> {
                #krate::__private::write_object(self, __serializer)
            }
        }
    }
}
