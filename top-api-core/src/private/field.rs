//! How the expansion of `#[top_api]` writes and reads each field of a request.

use serde::de::DeserializeOwned;
use serde::Serialize;
use top_api_rules::Violation;

use super::member::Member;
use super::path::Path;
use crate::error::CheckError;
use crate::{Error, Param, ParamError, Params};

/// How the expansion writes and reads one field. Only the constructors carry the
/// bound, so that a field type that cannot be a param raises one error, at the type,
/// however many times the expansion uses it.
pub struct FieldOps<T> {
    write: fn(&mut Params, &'static str, &T) -> Result<(), Error>,
    read: fn(&Params, &'static str) -> Result<T, ParamError>,
}

impl<T> FieldOps<T> {
    pub fn write(&self, params: &mut Params, name: &'static str, value: &T) -> Result<(), Error> {
        (self.write)(params, name, value)
    }

    pub fn read(&self, params: &Params, name: &'static str) -> Result<T, ParamError> {
        (self.read)(params, name)
    }
}

/// A plain field: written with [`Param`]; a required one must not end up unsent.
pub const fn param<T: Param>() -> FieldOps<T> {
    FieldOps {
        write: |params, name, value| {
            let before = params.entries();
            value.push_to(name, params);
            // Nothing added: the value was blank (or `None`).
            if T::required() && params.entries() == before {
                return Err(Error::Check(CheckError::new(name, &Violation::Missing)));
            }
            Ok(())
        },
        read: |params, name| T::read_from(params, name),
    }
}

/// A `#[top(json)]` field: written and read as JSON text.
pub const fn json<T: JsonParam>() -> FieldOps<T> {
    FieldOps { write: |params, name, value| params.push_json(name, value), read: |params, name| params.read_json(name) }
}

/// A `#[top(object)]` field: an object (or a list or `Option` of them) whose members are
/// checked, then sent as JSON text. A blank one (`None`, an empty list) is not sent; a
/// required one (anything but an `Option`) must not be blank.
pub const fn object<T: ObjectParam>() -> FieldOps<T> {
    FieldOps {
        write: |params, name, value| {
            if value.is_blank() {
                if T::required() {
                    return Err(Error::Check(CheckError::new(name, &Violation::Missing)));
                }
                return Ok(());
            }
            value.check_member(&Path::param(name))?;
            params.push_json(name, value)
        },
        read: |params, name| params.read_json(name),
    }
}

/// The `request` field of a Qimen API: its object, checked as an object param is, then
/// written as the call's XML body (see [`crate::qimen_router`]); a blank one is an empty
/// `<request>`, unless it is required. Read back from that body, its members checked.
pub const fn qimen_body<T: ObjectParam>() -> FieldOps<T> {
    FieldOps {
        write: |params, name, value| {
            if value.is_blank() && T::required() {
                return Err(Error::Check(CheckError::new(name, &Violation::Missing)));
            }
            value.check_member(&Path::param(name))?;
            let body = crate::qimen_router::write_body(value).map_err(|reason| Error::Param { name, reason })?;
            params.push(name, body);
            Ok(())
        },
        read: |params, name| {
            let value: T = match params.get(name) {
                Some(text) => crate::qimen_router::read_body(name, text)?,
                None => serde_json::from_str("null").map_err(|_| ParamError::missing(name))?,
            };
            if value.is_blank() && T::required() {
                return Err(ParamError::missing(name));
            }
            value.check_member(&Path::param(name)).map_err(|err| {
                if err.code() == Violation::Missing.code() {
                    ParamError::missing(err.param())
                } else {
                    ParamError::invalid(err.param(), err.message())
                }
            })?;
            Ok(value)
        },
    }
}

/// A field marked `#[top(required)]` must have been sent.
pub fn check_sent(params: &Params, name: &'static str) -> Result<(), Error> {
    if params.contains(name) {
        Ok(())
    } else {
        Err(Error::Check(CheckError::new(name, &Violation::Missing)))
    }
}

#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[top(json)]` param",
    label = "not `Serialize` and `Deserialize`",
    note = "a `#[top(json)]` field's type derives `serde::Serialize` and `serde::Deserialize`"
)]
pub trait JsonParam: Serialize + DeserializeOwned {}

impl<T: Serialize + DeserializeOwned> JsonParam for T {}

#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[top(object)]` param",
    label = "not an object type",
    note = "a `#[top(object)]` field is a `#[derive(top_api::Object)]` type, or an `Option` or `Vec` of one"
)]
pub trait ObjectParam: Serialize + DeserializeOwned + Member {}

impl<T: Serialize + DeserializeOwned + Member> ObjectParam for T {}
