//! Reporting to the application: its logger (ILogger) and its optional error recorder
//! (IErrorRecorder), reached through plain C callbacks so C users can supply them too.

use crate::error::Error;
use crate::types::{ErrorCode, Severity};
use std::ffi::{c_char, c_void, CString};
use std::sync::{Arc, Mutex};

/// A logger callback: `log(user, severity, message)`; severity is `ILogger::Severity`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct NvtLogger {
    pub user: *mut c_void,
    pub log: Option<unsafe extern "C" fn(user: *mut c_void, severity: i32, msg: *const c_char)>,
}

/// An error-recorder callback: `report(user, code, description)`; code is `nvinfer1::ErrorCode`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct NvtErrorRecorder {
    pub user: *mut c_void,
    pub report: Option<unsafe extern "C" fn(user: *mut c_void, code: i32, desc: *const c_char) -> bool>,
}

// TensorRT requires loggers and recorders to be thread safe; we rely on that contract.
unsafe impl Send for NvtLogger {}
unsafe impl Sync for NvtLogger {}
unsafe impl Send for NvtErrorRecorder {}
unsafe impl Sync for NvtErrorRecorder {}

impl NvtLogger {
    pub const NONE: NvtLogger = NvtLogger { user: std::ptr::null_mut(), log: None };
}

/// Where one object's messages go. Cheap to clone; children share the logger of their parent
/// and start with a copy of its error recorder.
#[derive(Clone)]
pub struct Reporter {
    logger: NvtLogger,
    recorder: Arc<Mutex<Option<NvtErrorRecorder>>>,
}

impl Reporter {
    pub fn new(logger: NvtLogger) -> Reporter {
        Reporter { logger, recorder: Arc::new(Mutex::new(None)) }
    }

    /// A reporter for an object created by the owner of `self`.
    pub fn child(&self) -> Reporter {
        let rec = *self.recorder.lock().unwrap_or_else(|e| e.into_inner());
        Reporter { logger: self.logger, recorder: Arc::new(Mutex::new(rec)) }
    }

    pub fn logger(&self) -> NvtLogger {
        self.logger
    }

    pub fn set_recorder(&self, recorder: Option<NvtErrorRecorder>) {
        *self.recorder.lock().unwrap_or_else(|e| e.into_inner()) = recorder;
    }

    pub fn recorder(&self) -> Option<NvtErrorRecorder> {
        *self.recorder.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn log(&self, severity: Severity, msg: &str) {
        let text = CString::new(msg.replace('\0', " ")).unwrap_or_default();
        match self.logger.log {
            // SAFETY: the application gave us this callback for exactly this use.
            Some(f) => unsafe { f(self.logger.user, severity as i32, text.as_ptr()) },
            None if severity <= Severity::Warning => eprintln!("[nvinfer] {msg}"),
            None => {}
        }
    }

    /// Reports an error: to the error recorder when one is set (as TensorRT does), else to
    /// the logger at kERROR (kINTERNAL_ERROR for internal errors).
    pub fn error(&self, err: &Error) {
        if let Some(rec) = self.recorder() {
            if let Some(f) = rec.report {
                let text = CString::new(err.message.replace('\0', " ")).unwrap_or_default();
                // SAFETY: callback supplied by the application for error reports.
                unsafe { f(rec.user, err.code as i32, text.as_ptr()) };
                return;
            }
        }
        let sev = if err.code == ErrorCode::InternalError { Severity::InternalError } else { Severity::Error };
        self.log(sev, &err.message);
    }

    pub fn info(&self, msg: &str) {
        self.log(Severity::Info, msg)
    }
    pub fn warning(&self, msg: &str) {
        self.log(Severity::Warning, msg)
    }
    pub fn verbose(&self, msg: &str) {
        self.log(Severity::Verbose, msg)
    }
}
