//! The CUDA sources in `kernels/`, embedded so a build needs no files beside the library.
//! Each file is compiled with the generated descriptors and the shared helpers in front.
//! Adding a kernel file means adding one line here.

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

pub const KERNEL_SOURCES: &[(&str, &str)] = &[
    kernel!("activation"),
    kernel!("cast"),
    kernel!("convolution"),
    kernel!("elementwise"),
    kernel!("matmul"),
    kernel!("pooling"),
    kernel!("shuffle"),
    kernel!("softmax"),
];

pub fn source(name: &str) -> Option<&'static str> {
    KERNEL_SOURCES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}
