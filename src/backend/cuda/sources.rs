//! The CUDA sources in `kernels/`, embedded so a build needs no files beside the library.
//! Each file is compiled with the generated descriptors and the shared helpers in front.
//! The list of files is generated from the layer table (`kernels` of each layer).

macro_rules! kernel {
    ($name:literal) => {
        (
            $name,
            concat!(
                include_str!("../../../kernels/generated/descriptors.cuh"),
                include_str!("../../../kernels/common.cuh"),
                include_str!(concat!("../../../kernels/", $name, ".cu"))
            ),
        )
    };
}

pub const KERNEL_SOURCES: &[(&str, &str)] = include!("kernel_list.rs");

pub fn source(name: &str) -> Option<&'static str> {
    KERNEL_SOURCES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}
