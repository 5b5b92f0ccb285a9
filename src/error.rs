//! The one error type: an ErrorCode for IErrorRecorder plus a message that names its context.

use crate::types::ErrorCode;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error { code, message: message.into() }
    }
    pub fn invalid_argument(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidArgument, message)
    }
    pub fn invalid_config(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidConfig, message)
    }
    pub fn unsupported(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::UnsupportedState, message)
    }
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InternalError, message)
    }
    pub fn execution(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::FailedExecution, message)
    }
    /// Prefixes the message with where it happened (a layer name, a file).
    pub fn context(mut self, what: impl fmt::Display) -> Error {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
