use std::cell::RefCell;

use proc_macro2::TokenStream;
use quote::ToTokens;

/// Collects every error of one expansion, so that the user sees all mistakes at once.
#[derive(Default)]
pub(crate) struct Ctxt {
    errors: RefCell<Vec<syn::Error>>,
}

impl Ctxt {
    pub(crate) fn error_spanned_by<T: ToTokens>(&self, tokens: T, message: impl std::fmt::Display) {
        self.errors.borrow_mut().push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn error_at(&self, span: proc_macro2::Span, message: impl std::fmt::Display) {
        self.errors.borrow_mut().push(syn::Error::new(span, message));
    }

    pub(crate) fn syn_error(&self, err: syn::Error) {
        self.errors.borrow_mut().push(err);
    }

    /// The collected errors as `compile_error!` invocations, or `None` when there are none.
    pub(crate) fn into_compile_errors(self) -> Option<TokenStream> {
        let errors = self.errors.into_inner();
        let mut errors = errors.into_iter();
        let mut combined = errors.next()?;
        for err in errors {
            combined.combine(err);
        }
        Some(combined.to_compile_error())
    }
}
