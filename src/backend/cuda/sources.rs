//! The CUDA sources in `kernels/`, embedded so a build needs no files beside the library.
//! Adding a kernel file means adding one line here.

pub const KERNEL_SOURCES: &[(&str, &str)] = &[
    ("activation", include_str!("../../../kernels/activation.cu")),
    ("convolution", include_str!("../../../kernels/convolution.cu")),
    ("elementwise", include_str!("../../../kernels/elementwise.cu")),
    ("matmul", include_str!("../../../kernels/matmul.cu")),
    ("pooling", include_str!("../../../kernels/pooling.cu")),
    ("shuffle", include_str!("../../../kernels/shuffle.cu")),
    ("softmax", include_str!("../../../kernels/softmax.cu")),
];

pub fn source(name: &str) -> Option<&'static str> {
    KERNEL_SOURCES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}
