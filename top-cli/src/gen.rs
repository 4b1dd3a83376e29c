//! Turning a documentation page into annotated Rust: the request struct with `#[top_api]`,
//! the response struct and every nested type, with the page's descriptions as docs.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::page::{Element, Page, PageError, TopType};

/// The Rust module name of a method: `taobao.baodian.deposit.get` → `taobao_baodian_deposit_get`.
pub fn module_name(method: &str) -> String {
    method.replace('.', "_")
}

/// The type name of a method: `taobao.baodian.deposit.get` → `TaobaoBaodianDepositGet`.
pub fn type_name(method: &str) -> String {
    method
        .split(['.', '_'])
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// The namespace a method's module goes in: its first two words, `taobao_baodian`.
pub fn namespace(method: &str) -> String {
    method.split('.').take(2).collect::<Vec<_>>().join("_")
}

/// A field name as Rust writes it: `userAuthCode` → `user_auth_code`, `type` → `r#type`.
fn rust_field(wire: &str) -> syn::Ident {
    let mut snake = String::new();
    for (i, c) in wire.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !snake.ends_with('_') {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
        } else {
            snake.push(c);
        }
    }
    syn::parse_str::<syn::Ident>(&snake).unwrap_or_else(|_| syn::Ident::new_raw(&snake, proc_macro2::Span::call_site()))
}

fn scalar(ty: &TopType) -> TokenStream {
    match ty {
        TopType::String | TopType::Price => quote!(String),
        TopType::Number => quote!(i64),
        TopType::Boolean => quote!(bool),
        TopType::Date => quote!(::top_api::DateTime),
        TopType::Object(name) => {
            let name = format_ident!("{}", name);
            quote!(#name)
        }
        TopType::List(item) => {
            let item = scalar(item);
            quote!(Vec<#item>)
        }
    }
}

fn doc(description: &str, example: Option<&str>) -> String {
    let mut text = description.trim().to_owned();
    if let Some(example) = example.filter(|e| !e.trim().is_empty()) {
        if !text.is_empty() {
            text.push_str(". ");
        }
        text.push_str(&format!("Example: `{}`.", example.replace('`', "'")));
    }
    format!(" {text}")
}

struct Struct {
    name: String,
    doc: String,
    fields: Vec<TokenStream>,
}

/// Generates the module of one page.
///
/// # Errors
///
/// A [`PageError`] when the XML example and the response table disagree: an element the
/// table does not list, a row the example does not show (so its place is unknown), a list
/// whose example has no item to show its type's fields.
pub fn generate(page: &Page) -> Result<TokenStream, PageError> {
    let api = format_ident!("{}", type_name(&page.method));
    let response = format_ident!("{}Response", type_name(&page.method));
    let module = format_ident!("{}", module_name(&page.method));
    let method = &page.method;

    let mut structs: Vec<Struct> = Vec::new();
    let mut used = vec![false; page.fields.len()];
    let answer_doc = format!(" The answer of `{method}`.");
    build_struct(page, &response.to_string(), &answer_doc, &page.example, &mut used, &mut structs)?;
    if let Some(unused) = used.iter().position(|u| !u) {
        let row = &page.fields[unused];
        return Err(PageError {
            line: row.line,
            message: format!("the field `{}` is not in the XML example, so where it nests is unknown", row.name),
        });
    }

    let params = page.params.iter().map(|param| {
        let field = rust_field(&param.name);
        let rename = (field.to_string().trim_start_matches("r#") != param.name).then(|| {
            let wire = &param.name;
            quote!(#[top(rename = #wire)])
        });
        let (ty, json) = match &param.ty {
            TopType::Object(_) => (quote!(::serde_json::Value), Some(quote!(#[top(json)]))),
            other => (scalar(other), None),
        };
        let ty = if param.required { ty } else { quote!(Option<#ty>) };
        let required = if param.required { "Required." } else { "Optional." };
        let doc = doc(&format!("{} ({required})", param.description), param.example.as_deref());
        quote! {
            #[doc = #doc]
            #rename
            #json
            pub #field: #ty,
        }
    });
    let body = if page.params.is_empty() { quote!(;) } else { quote!({ #(#params)* }) };
    let session = page.session.then(|| quote!(, session = "required"));
    let migrated =
        if page.title.contains("已迁移") { " The platform lists it as migrated (已迁移)." } else { "" };
    let need = if page.session { " Needs a session (需要授权)." } else { "" };
    let api_doc = format!(" {} ({}).{need}{migrated}", page.summary, page.title);
    let module_doc = format!(" `{method}`: {}.", page.title);

    let structs = structs.iter().map(|s| {
        let name = format_ident!("{}", s.name);
        let (doc, fields) = (&s.doc, &s.fields);
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize)]
            pub struct #name {
                #(#fields)*
            }
        }
    });
    Ok(quote! {
        pub mod #module {
            #![doc = #module_doc]

            #[doc = #api_doc]
            #[::top_api::top_api(method = #method, response = #response #session)]
            #[derive(Debug, Clone, PartialEq, Default)]
            pub struct #api #body

            #(#structs)*
        }
    })
}

/// Builds the struct `name` from the children of `element`, and every struct under it.
fn build_struct(
    page: &Page,
    name: &str,
    doc_text: &str,
    element: &Element,
    used: &mut [bool],
    structs: &mut Vec<Struct>,
) -> Result<(), PageError> {
    if structs.iter().any(|s| s.name == name) {
        return Ok(());
    }
    let index = structs.len();
    structs.push(Struct { name: name.to_owned(), doc: doc_text.to_owned(), fields: Vec::new() });
    let mut seen: Vec<&str> = Vec::new();
    let mut fields = Vec::new();
    for child in &element.children {
        if seen.contains(&child.name.as_str()) {
            continue;
        }
        seen.push(&child.name);
        let row_index = (0..page.fields.len())
            .find(|&i| !used[i] && page.fields[i].name == child.name)
            .or_else(|| page.fields.iter().position(|f| f.name == child.name))
            .ok_or_else(|| PageError {
                line: page.fields.last().map_or(1, |f| f.line),
                message: format!("the XML example has `<{}>`, which the response table does not list", child.name),
            })?;
        used[row_index] = true;
        let row = &page.fields[row_index];
        let ty = match &row.ty {
            TopType::Object(inner) => {
                build_struct(page, inner, &format!(" {}", row.description.trim()), child, used, structs)?;
                let inner = format_ident!("{}", inner);
                quote!(Option<#inner>)
            }
            TopType::List(item) => {
                if let TopType::Object(inner) = item.as_ref() {
                    let Some(first) = child.children.first() else {
                        return Err(PageError {
                            line: row.line,
                            message: format!(
                                "the XML example's `<{}>` has no item to show the fields of `{inner}`",
                                row.name
                            ),
                        });
                    };
                    build_struct(page, inner, &format!(" {}", row.description.trim()), first, used, structs)?;
                }
                scalar(&row.ty)
            }
            other => {
                let ty = scalar(other);
                quote!(Option<#ty>)
            }
        };
        let field = rust_field(&row.name);
        let rename = (field.to_string().trim_start_matches("r#") != row.name).then(|| {
            let wire = &row.name;
            quote!(#[serde(rename = #wire)])
        });
        let doc = doc(&row.description, row.example.as_deref());
        fields.push(quote! {
            #[doc = #doc]
            #rename
            pub #field: #ty,
        });
    }
    structs[index].fields = fields;
    Ok(())
}

/// Formats modules as a Rust file.
///
/// # Errors
///
/// Never for what [`generate`] returns; a message otherwise.
pub fn format(modules: TokenStream) -> Result<String, String> {
    let file: syn::File = syn::parse2(modules).map_err(|err| format!("generated code does not parse: {err}"))?;
    Ok(prettyplease::unparse(&file))
}

/// The formatted Rust of several pages, one module each.
///
/// # Errors
///
/// The first page whose generation fails.
pub fn render(pages: &[Page]) -> Result<String, PageError> {
    let mut modules = TokenStream::new();
    for page in pages {
        modules.extend(generate(page)?);
    }
    let header = "// Generated by `top gen` from the APIs' documentation pages.\n\n";
    let body = format(modules).map_err(|message| PageError { line: 1, message })?;
    Ok(format!("{header}{body}"))
}
