//! File params: uploaded as multipart parts, never signed.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::Arc;

use crate::{Param, ParamError, Params};

/// A file param: bytes, a file name and a content type.
///
/// A request with a `File` field is sent as `multipart/form-data`; file params are not
/// signed: the signature covers the text params only. Cloning is cheap: the bytes are shared.
///
/// # Examples
///
/// ```
/// let image = top_api::File::from_bytes("logo.png", vec![0x89, b'P', b'N', b'G']).content_type("image/png");
/// assert_eq!((image.file_name(), image.content_type_str(), image.bytes().len()), ("logo.png", "image/png", 4));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct File {
    file_name: String,
    content_type: String,
    bytes: Arc<[u8]>,
}

impl File {
    /// A file from memory, with the content type `application/octet-stream`.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> File {
        File {
            file_name: file_name.into(),
            content_type: "application/octet-stream".to_owned(),
            bytes: Arc::from(bytes.into()),
        }
    }

    /// Reads a file from disk; its file name is the path's last component.
    ///
    /// # Errors
    ///
    /// When the file cannot be read.
    pub fn from_path(path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".to_owned());
        Ok(File::from_bytes(name, bytes))
    }

    /// Sets the content type.
    #[must_use]
    pub fn content_type(mut self, content_type: impl Into<String>) -> File {
        self.content_type = content_type.into();
        self
    }

    /// The file name sent with the part.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The content type sent with the part.
    pub fn content_type_str(&self) -> &str {
        &self.content_type
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl Param for File {
    /// A file has no text form: it is sent as a part, by [`push_to`](Param::push_to).
    fn write_param(&self, _out: &mut String) -> bool {
        false
    }

    fn from_param(_text: &str) -> Result<File, String> {
        Err("a file is sent as a multipart part, not as text".to_owned())
    }

    fn push_to(&self, name: &'static str, params: &mut Params) {
        params.push_file(name, self.clone());
    }

    fn read_from(params: &Params, name: &str) -> Result<File, ParamError> {
        match params.file(name) {
            Some(file) => Ok(file.clone()),
            None if params.get(name).is_some() => Err(ParamError::invalid(name, "expected a file part, found text")),
            None => Err(ParamError::missing(name)),
        }
    }
}
