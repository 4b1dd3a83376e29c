//! The two wire settings every call carries, which a client picks once: the format of the
//! answers (`format`) and the method of the signature (`sign_method`).

use std::fmt;

/// The format of the gateway's answers: the `format` system parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Format {
    /// `json`, the client's default.
    #[default]
    Json,
    /// `xml`, the gateway's default when no format is sent.
    Xml,
}

impl Format {
    /// The wire value of the `format` parameter.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Xml => "xml",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// How a call is signed: the `sign_method` system parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SignMethod {
    /// `md5`: MD5(secret + string + secret).
    Md5,
    /// `hmac`: HMAC-MD5 keyed with the secret.
    Hmac,
    /// `hmac-sha256`: HMAC-SHA256 keyed with the secret. The client's default.
    #[default]
    HmacSha256,
}

impl SignMethod {
    /// The wire value of the `sign_method` parameter.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignMethod::Md5 => "md5",
            SignMethod::Hmac => "hmac",
            SignMethod::HmacSha256 => "hmac-sha256",
        }
    }

    /// Reads a wire value (`md5`, `hmac`, `hmac-sha256`).
    pub fn from_wire(value: &str) -> Option<SignMethod> {
        match value {
            "md5" => Some(SignMethod::Md5),
            "hmac" => Some(SignMethod::Hmac),
            "hmac-sha256" => Some(SignMethod::HmacSha256),
            _ => None,
        }
    }
}

impl fmt::Display for SignMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}
