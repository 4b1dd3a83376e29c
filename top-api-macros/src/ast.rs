//! The model of an annotated struct, built from `syn`.

use proc_macro2::Span;
use syn::ext::IdentExt;

use crate::attr::{self, FieldArgs, Kind, Limits};
use crate::ctxt::Ctxt;

/// A struct under `#[top_api]`, its fields read; `None` when its shape cannot be an API.
pub(crate) struct Api<'a> {
    pub(crate) input: &'a syn::DeriveInput,
    pub(crate) fields: Vec<Field<'a>>,
}

pub(crate) struct Field<'a> {
    pub(crate) member: &'a syn::Ident,
    pub(crate) ty: &'a syn::Type,
    /// The name the param is sent under.
    pub(crate) wire: String,
    /// Where the wire name is written: the `rename` literal, else the field's name.
    pub(crate) wire_span: Span,
    /// `json` or `object`, with the key it was written under.
    pub(crate) kind: Option<(Kind, syn::Ident)>,
    /// `required`, with its key.
    pub(crate) required: Option<syn::Ident>,
    pub(crate) limits: Limits,
}

impl<'a> Api<'a> {
    pub(crate) fn from_syn(cx: &Ctxt, input: &'a syn::DeriveInput) -> Option<Api<'a>> {
        let fields = match &input.data {
            syn::Data::Struct(data) => match &data.fields {
                syn::Fields::Named(named) => named.named.iter().map(|field| Field::from_syn(cx, field)).collect(),
                syn::Fields::Unit => Vec::new(),
                syn::Fields::Unnamed(unnamed) => {
                    cx.error_spanned_by(
                        unnamed,
                        "#[top_api] does not take a tuple struct: name the fields, as their names are the params' names",
                    );
                    return None;
                }
            },
            syn::Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "#[top_api] goes on a struct with named fields or a unit struct, not an enum",
                );
                return None;
            }
            syn::Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "#[top_api] goes on a struct with named fields or a unit struct, not a union",
                );
                return None;
            }
        };
        Some(Api { input, fields })
    }
}

impl<'a> Field<'a> {
    pub(crate) fn from_syn(cx: &Ctxt, field: &'a syn::Field) -> Field<'a> {
        let member = field.ident.as_ref().expect("named fields have names");
        let FieldArgs { rename, kind, required, limits } = attr::parse_field_attrs(cx, &field.attrs);
        let (wire, wire_span) = match rename {
            Some(lit) => (lit.value(), lit.span()),
            None => (member.unraw().to_string(), member.span()),
        };
        Field { member, ty: &field.ty, wire, wire_span, kind, required, limits }
    }
}
