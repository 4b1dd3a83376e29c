//! TOP's object types: the structures of answers and of structured params.

use crate::__private::Path;
use crate::CheckError;

/// A structure TOP sends or takes: an answer's payload and nested types, or a structured
/// param sent as JSON. Implemented by `#[derive(top_api::Object)]`, which also implements
/// `serde::Serialize` and `serde::Deserialize` for the type.
///
/// The derive reads and writes the fields by their wire names, the way
/// `#[derive(Serialize, Deserialize)]` would, with less generated code (the APIs of the
/// whole platform are declared with it). It needs the type to implement [`Default`]:
/// a field an answer leaves out keeps its default, so answer fields are `Option` or `Vec`.
///
/// | container attribute | meaning |
/// |---|---|
/// | `#[top(name = "NTbkItem")]` | the type's name on the platform, when it is not the struct's: a list of it is wrapped in `n_tbk_item` |
///
/// | field attribute | meaning |
/// |---|---|
/// | `#[top(rename = "itemId")]` | the wire name, when it is not the field's (`r#type` is `type`) |
/// | `#[top(required)]` | the member must be given: not `None`, not blank text, not an empty list |
/// | `#[top(max_len = 60)]`, `#[top(max_items = 20)]`, `#[top(min = 1, max = 100)]` | limits, as on a request's fields |
///
/// Required members and limits are checked before a call that sends the object is made
/// (a `#[top(object)]` field of a request), and by [`Object::check`].
///
/// # Examples
///
/// ```
/// use top_api::{Decimal, Object};
///
/// #[derive(Debug, Default, PartialEq, Object)]
/// #[top(name = "SkuPrice")]
/// pub struct SkuPrice {
///     #[top(required, rename = "skuId")]
///     pub sku_id: Option<i64>,
///     #[top(min = 0)]
///     pub price: Option<Decimal>,
/// }
///
/// let sku: SkuPrice = serde_json::from_str(r#"{"skuId": 7, "price": "12.30", "other": 1}"#)?;
/// assert_eq!(sku.sku_id, Some(7));
/// assert_eq!(serde_json::to_string(&sku)?, r#"{"skuId":7,"price":"12.30"}"#);
/// assert_eq!(SkuPrice::default().check().unwrap_err().param(), "skuId");
/// # Ok::<(), serde_json::Error>(())
/// ```
pub trait Object: Default {
    /// The type's name on the platform, such as `NTbkItem`.
    const NAME: &'static str;
    /// The wire names of the fields, in declaration order.
    const FIELDS: &'static [&'static str];

    /// Checks the required members and the limits declared on the fields, through nested
    /// objects and lists.
    ///
    /// # Errors
    ///
    /// The first [`CheckError`], naming the member's place (`skus[2].price`).
    fn check(&self) -> Result<(), CheckError> {
        self.__check(&Path::ROOT)
    }

    #[doc(hidden)]
    fn __read<'de, A: serde::de::MapAccess<'de>>(&mut self, field: usize, map: &mut A) -> Result<(), A::Error>;

    #[doc(hidden)]
    fn __write<S: serde::ser::SerializeStruct>(&self, out: &mut S) -> Result<(), S::Error>;

    #[doc(hidden)]
    fn __check(&self, at: &Path<'_>) -> Result<(), CheckError>;
}
