//! Every kernel file in `kernels/` compiles with NVRTC for the architectures we ship for
//! (sm_90 and sm_80), giving a cubin (an ELF image). Needs no GPU, only libnvrtc.
//!
//! Without NVRTC the test prints "skipped: NVRTC not found" and passes, unless
//! NVINFER_REQUIRE_NVRTC=1 (CI sets it where the nvidia-cuda-nvrtc wheel is installed).

mod common;

use nvinfer::backend::cuda::{nvrtc, sources::KERNEL_SOURCES};

const ELF_MAGIC: &[u8] = b"\x7fELF";

/// NVRTC's version, or None (after printing why) when the test must be skipped.
fn nvrtc_or_skip() -> Option<(i32, i32)> {
    match nvrtc::version() {
        Ok(v) => Some(v),
        Err(e) if std::env::var("NVINFER_REQUIRE_NVRTC").as_deref() == Ok("1") => {
            panic!("NVINFER_REQUIRE_NVRTC=1 but NVRTC cannot be used: {}", e.message)
        }
        Err(e) => {
            common::report(&format!("skipped: NVRTC not found ({})", e.message));
            None
        }
    }
}

/// A kernel cache inside target/ (cargo's CARGO_TARGET_TMPDIR), emptied once per run, so the
/// test never writes to $HOME and really compiles. Both tests share it (the environment is
/// process-wide and tests run in parallel).
fn use_private_cache() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        // A binary run on another machine (scripts/gpu_check.sh) may not be able to write
        // its build tree; a folder under the system's temp dir serves then.
        let in_target = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("kernel-cache-compile-test");
        let in_tmp = std::env::temp_dir().join(format!("nvinfer-kernel-cache-compile-test-{}", std::process::id()));
        let dir = [in_target, in_tmp]
            .into_iter()
            .find(|d| {
                let _ = std::fs::remove_dir_all(d);
                std::fs::create_dir_all(d).is_ok()
            })
            .expect("a writable kernel cache folder");
        std::env::set_var(nvrtc::CACHE_ENV, &dir);
        dir
    })
    .clone()
}

fn check_cubin(name: &str, sm: (i32, i32), cubin: &[u8]) {
    assert!(cubin.len() > 64, "kernels/{name}.cu for sm_{}{}: cubin of only {} bytes", sm.0, sm.1, cubin.len());
    assert_eq!(&cubin[..4], ELF_MAGIC, "kernels/{name}.cu for sm_{}{}: the cubin is not an ELF image", sm.0, sm.1);
}

#[test]
fn every_kernel_compiles_for_sm90_and_sm80() {
    let Some((major, minor)) = nvrtc_or_skip() else { return };
    common::report(&format!("NVRTC {major}.{minor}: compiling {} kernel files for sm_90 and sm_80", KERNEL_SOURCES.len()));
    let cache = use_private_cache();
    assert!(!KERNEL_SOURCES.is_empty());
    for sm in [(9, 0), (8, 0)] {
        for (name, src) in KERNEL_SOURCES {
            let cubin =
                nvrtc::compile_cubin(name, src, sm).unwrap_or_else(|e| panic!("kernels/{name}.cu for sm_{}{}: {}", sm.0, sm.1, e.message));
            check_cubin(name, sm, &cubin);
        }
    }
    // The cache now holds one non-empty cubin per (file, architecture).
    let cached: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.ends_with(".cubin") && KERNEL_SOURCES.iter().any(|(k, _)| name.starts_with(&format!("{k}-")))
        })
        .collect();
    assert_eq!(cached.len(), 2 * KERNEL_SOURCES.len(), "cache folder {}", cache.display());
    // A second compile is served from the cache and gives the same bytes.
    for (name, src) in KERNEL_SOURCES {
        let a = nvrtc::compile_cubin(name, src, (9, 0)).unwrap();
        let b = nvrtc::compile_cubin(name, src, (9, 0)).unwrap();
        assert_eq!(a, b, "kernels/{name}.cu: the cached cubin differs");
    }
}

#[test]
fn a_broken_kernel_reports_the_compiler_log() {
    let Some(_) = nvrtc_or_skip() else { return };
    use_private_cache();
    let src = "extern \"C\" __global__ void broken(float* y) { y[0] = undefined_symbol; }";
    let err = nvrtc::compile_cubin("broken_test_kernel", src, (9, 0)).expect_err("a kernel with an undefined symbol must not compile");
    assert!(err.message.contains("broken_test_kernel"), "{}", err.message);
    assert!(err.message.contains("undefined_symbol"), "the NVRTC log should name the bad identifier: {}", err.message);
}

#[test]
fn with_kernel_verification_only_the_librarys_own_images_load() {
    // NVINFER_VERIFY_PLAN_KERNELS=1: a GPU plan's image must equal the library's own build
    // of that kernel file; one altered byte is refused before anything reaches the device.
    let Some(_) = nvrtc_or_skip() else { return };
    use_private_cache();
    use nvinfer::backend::cuda::engine::verify_kernel_images;
    use nvinfer::backend::Target;
    let (name, src) = KERNEL_SOURCES[0];
    let own = nvrtc::compile_cubin(name, src, (9, 0)).unwrap();
    let mut desc = nvinfer::engine::EngineDesc {
        name: String::new(),
        target: Target::Cuda(9, 0),
        tensors: vec![],
        layers: vec![],
        io: vec![],
        profiles: vec![],
        kernels: vec![(name.to_string(), own.clone().into())],
        allow_tf32: false,
        implicit_batch: false,
    };
    verify_kernel_images(&desc).unwrap_or_else(|e| panic!("the library's own image: {}", e.message));
    let mut altered = own;
    let middle = altered.len() / 2;
    altered[middle] ^= 0x01;
    desc.kernels = vec![(name.to_string(), altered.into())];
    let e = verify_kernel_images(&desc).unwrap_err();
    assert!(e.message.contains(name) && e.message.contains("not this library's build"), "{}", e.message);
}
