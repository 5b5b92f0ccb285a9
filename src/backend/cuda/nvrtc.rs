//! Compiles `kernels/*.cu` with NVRTC to a cubin for one GPU architecture, with an on-disk
//! cache keyed by source hash, architecture and NVRTC version. Used by the builder only:
//! engines carry their cubins, so loading needs no compiler.

use crate::error::{Error, Result};
use cudarc::nvrtc::{result as rtc, sys};
use std::ffi::CString;
use std::path::PathBuf;

/// Environment variable naming the kernel cache folder.
pub const CACHE_ENV: &str = "NVINFER_KERNEL_CACHE";

/// NVRTC's version, or why it cannot be used.
pub fn version() -> Result<(i32, i32)> {
    if !unsafe { sys::is_culib_present() } {
        return Err(Error::unsupported(
            "NVRTC (libnvrtc.so) was not found: install the CUDA toolkit or the nvidia-cuda-nvrtc wheel and add its lib folder to LD_LIBRARY_PATH",
        ));
    }
    let (mut major, mut minor) = (0, 0);
    let status = unsafe { sys::nvrtcVersion(&mut major, &mut minor) };
    if status != sys::nvrtcResult::NVRTC_SUCCESS {
        return Err(Error::internal(format!("nvrtcVersion failed: {status:?}")));
    }
    Ok((major, minor))
}

/// A cubin for `sm_{major}{minor}` of the kernel file `name`, from the cache when possible.
pub fn compile_cubin(name: &str, source: &str, sm: (i32, i32)) -> Result<Vec<u8>> {
    let (vmaj, vmin) = version()?;
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(source.as_bytes());
    let key = format!("{name}-sm{}{}-nvrtc{vmaj}.{vmin}-{:08x}-{}.cubin", sm.0, sm.1, hasher.finalize(), source.len());
    let cached = cache_dir().map(|d| d.join(&key));
    if let Some(path) = &cached {
        if let Ok(bytes) = std::fs::read(path) {
            if !bytes.is_empty() {
                return Ok(bytes);
            }
        }
    }
    let cubin = compile_uncached(name, source, sm)?;
    if let Some(path) = &cached {
        // A cache that cannot be written only costs time, so failures are ignored.
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, &cubin).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
    Ok(cubin)
}

fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(CACHE_ENV) {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("nvinfer-rs"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("nvinfer-rs"))
}

fn compile_uncached(name: &str, source: &str, sm: (i32, i32)) -> Result<Vec<u8>> {
    let src = CString::new(source).map_err(|_| Error::internal(format!("kernel {name} has a NUL byte")))?;
    let file = CString::new(format!("{name}.cu")).unwrap_or_default();
    let prog = rtc::create_program(&src, Some(&file)).map_err(|e| Error::internal(format!("nvrtcCreateProgram({name}): {e:?}")))?;
    let arch = format!("--gpu-architecture=sm_{}{}", sm.0, sm.1);
    let opts = [arch, "--std=c++17".to_string()];
    let compiled = unsafe { rtc::compile_program(prog, &opts) };
    let result = match compiled {
        Ok(()) => unsafe { cubin_of(prog) },
        Err(e) => {
            let log =
                unsafe { rtc::get_program_log(prog) }.map(|l| l.iter().map(|&c| c as u8 as char).collect::<String>()).unwrap_or_default();
            Err(Error::internal(format!(
                "NVRTC failed to compile kernels/{name}.cu for sm_{}{}: {e:?}\n{}",
                sm.0,
                sm.1,
                log.trim_end_matches('\0')
            )))
        }
    };
    let _ = unsafe { rtc::destroy_program(prog) };
    result
}

unsafe fn cubin_of(prog: sys::nvrtcProgram) -> Result<Vec<u8>> {
    let mut size = 0usize;
    let status = sys::nvrtcGetCUBINSize(prog, &mut size);
    if status != sys::nvrtcResult::NVRTC_SUCCESS || size == 0 {
        return Err(Error::internal(format!("nvrtcGetCUBINSize failed: {status:?}")));
    }
    let mut buf = vec![0u8; size];
    let status = sys::nvrtcGetCUBIN(prog, buf.as_mut_ptr() as *mut std::ffi::c_char);
    if status != sys::nvrtcResult::NVRTC_SUCCESS {
        return Err(Error::internal(format!("nvrtcGetCUBIN failed: {status:?}")));
    }
    Ok(buf)
}
