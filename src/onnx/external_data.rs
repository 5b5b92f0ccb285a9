//! ONNX external data: tensors whose bytes live in a side file next to the model (models over
//! protobuf's 2 GB limit). TensorProto.data_location is EXTERNAL and external_data holds
//! "location" (a path relative to the model's folder), optional "offset" and "length".
//!
//! A model is untrusted input, so a location may not leave the model's folder: absolute paths
//! and ".." components are refused, and so is a path that a symbolic link takes outside the
//! folder. Offsets and lengths are checked against the file and the tensor's byte size with
//! checked arithmetic, and only the tensor's bytes are read.

use super::proto::{data_type, GraphProto, TensorProto};
use crate::error::{Error, Result};
use crate::types::{dims_str, volume};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};

/// TensorProto.DataLocation.EXTERNAL.
pub const EXTERNAL: i32 = 1;

/// Reads the data of every external tensor of `graph` (initializers, node attribute tensors,
/// subgraphs) into its raw_data. A tensor that cannot be read stays EXTERNAL, and its error
/// (naming the tensor and the file) comes back.
pub fn load_graph(graph: &mut GraphProto, model_dir: Option<&Path>) -> Vec<Error> {
    let mut errors = Vec::new();
    let mut folder = ModelFolder { dir: model_dir, canonical: None };
    visit_graph(graph, &mut |t| {
        if t.data_location == EXTERNAL {
            if let Err(e) = folder.load(t) {
                errors.push(e);
            }
        }
    });
    errors
}

fn visit_graph(graph: &mut GraphProto, f: &mut dyn FnMut(&mut TensorProto)) {
    graph.initializer.iter_mut().for_each(&mut *f);
    for attr in graph.node.iter_mut().flat_map(|n| n.attribute.iter_mut()) {
        if let Some(t) = attr.t.as_mut() {
            f(t);
        }
        if let Some(g) = attr.g.as_mut() {
            visit_graph(g, f);
        }
    }
}

/// Bytes per element of the ONNX types the parser reads (see weights.rs).
fn element_size(onnx_type: i32) -> Option<usize> {
    match onnx_type {
        data_type::UINT8 | data_type::INT8 | data_type::BOOL => Some(1),
        data_type::FLOAT16 => Some(2),
        data_type::FLOAT | data_type::INT32 => Some(4),
        data_type::INT64 | data_type::DOUBLE => Some(8),
        _ => None,
    }
}

/// Where the tensor's bytes are: a file, an offset and a length, all still unchecked.
struct Entries<'t> {
    location: &'t str,
    offset: Option<&'t str>,
    length: Option<&'t str>,
}

fn entries<'t>(t: &'t TensorProto, name: &str) -> Result<Entries<'t>> {
    let (mut location, mut offset, mut length) = (None, None, None);
    for e in &t.external_data {
        let slot = match e.key.as_str() {
            "location" => &mut location,
            "offset" => &mut offset,
            "length" => &mut length,
            _ => continue, // "checksum" and keys of later ONNX versions
        };
        if slot.replace(e.value.as_str()).is_some() {
            return Err(Error::invalid_argument(format!("tensor '{name}' gives external data key '{}' twice", e.key)));
        }
    }
    let location = location.ok_or_else(|| Error::invalid_argument(format!("tensor '{name}' has external data without a location")))?;
    Ok(Entries { location, offset, length })
}

/// A decimal byte count of the external_data entries.
fn byte_count(value: &str, key: &str, name: &str, file: &str) -> Result<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_argument(format!("tensor '{name}' (external file '{file}'): {key} '{value}' is not a byte count")));
    }
    value.parse().map_err(|_| Error::invalid_argument(format!("tensor '{name}' (external file '{file}'): {key} '{value}' is too large")))
}

struct ModelFolder<'a> {
    dir: Option<&'a Path>,
    /// The folder with symbolic links resolved, found on first use.
    canonical: Option<PathBuf>,
}

impl ModelFolder<'_> {
    fn load(&mut self, t: &mut TensorProto) -> Result<()> {
        let bytes = self.read(t)?;
        t.raw_data = bytes.into();
        t.data_location = 0;
        t.external_data.clear();
        Ok(())
    }

    fn read(&mut self, t: &TensorProto) -> Result<Vec<u8>> {
        let name = t.name.as_str();
        let Entries { location, offset, length } = entries(t, name)?;
        let fail = |what: String| Error::invalid_argument(format!("tensor '{name}' (external file '{location}'): {what}"));
        if !t.raw_data.is_empty() {
            return Err(fail("the tensor also has raw_data; its data must be in one place".into()));
        }
        let size = element_size(t.data_type).ok_or_else(|| {
            Error::unsupported(format!("tensor '{name}': external data of ONNX data type {} is not supported", t.data_type))
        })?;
        let expected = volume(&t.dims)
            .and_then(|n| n.checked_mul(size))
            .and_then(|b| u64::try_from(b).ok())
            .ok_or_else(|| fail(format!("invalid dims {}", dims_str(&t.dims))))?;
        let offset = offset.map(|v| byte_count(v, "offset", name, location)).transpose()?.unwrap_or(0);
        let length = length.map(|v| byte_count(v, "length", name, location)).transpose()?.unwrap_or(expected);
        if length != expected {
            return Err(fail(format!(
                "length {length} does not match the {expected} bytes of shape {} (ONNX data type {})",
                dims_str(&t.dims),
                t.data_type
            )));
        }
        let path = self.resolve(location).map_err(|e| fail(e.message))?;
        let mut file = File::open(&path).map_err(|e| fail(format!("cannot open it: {e}")))?;
        let meta = file.metadata().map_err(|e| fail(format!("cannot read its size: {e}")))?;
        if !meta.is_file() {
            return Err(fail("it is not a regular file".into()));
        }
        let end = offset.checked_add(length).ok_or_else(|| fail(format!("offset {offset} + length {length} overflows")))?;
        if end > meta.len() {
            return Err(fail(format!(
                "the file has {} bytes, too few for offset {offset} and length {length} (bytes up to {end})",
                meta.len()
            )));
        }
        let n = usize::try_from(length).map_err(|_| fail(format!("length {length} does not fit in memory")))?;
        let mut bytes = Vec::new();
        bytes.try_reserve_exact(n).map_err(|_| fail(format!("cannot allocate {n} bytes")))?;
        file.seek(SeekFrom::Start(offset)).map_err(|e| fail(format!("cannot seek to offset {offset}: {e}")))?;
        file.take(length).read_to_end(&mut bytes).map_err(|e| fail(format!("read failed: {e}")))?;
        if bytes.len() != n {
            return Err(fail(format!("read {} of {n} bytes (the file changed while it was read?)", bytes.len())));
        }
        Ok(bytes)
    }

    /// The path of `location` inside the model's folder, or why it is refused.
    fn resolve(&mut self, location: &str) -> Result<PathBuf> {
        let Some(dir) = self.dir else {
            return Err(Error::invalid_argument(
                "the model's folder is unknown (parse it with parseFromFile, or pass model_path to parse)",
            ));
        };
        // parseFromFile("model.onnx") gives the folder "": the current directory.
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        if location.is_empty() {
            return Err(Error::invalid_argument("the location is empty"));
        }
        for c in Path::new(location).components() {
            match c {
                Component::Normal(_) | Component::CurDir => {}
                Component::ParentDir => return Err(Error::invalid_argument("a location may not contain '..'")),
                Component::RootDir | Component::Prefix(_) => {
                    return Err(Error::invalid_argument("a location must be relative to the model's folder"))
                }
            }
        }
        let path = dir.join(location);
        // Symbolic links inside the folder may not lead out of it.
        if self.canonical.is_none() {
            let canonical = dir
                .canonicalize()
                .map_err(|e| Error::invalid_argument(format!("cannot resolve the model's folder '{}': {e}", dir.display())))?;
            self.canonical = Some(canonical);
        }
        let folder = self.canonical.as_deref().unwrap_or(dir);
        let real = path.canonicalize().map_err(|e| Error::invalid_argument(format!("cannot open it: {e}")))?;
        if !real.starts_with(folder) {
            return Err(Error::invalid_argument("a symbolic link takes the location outside the model's folder"));
        }
        Ok(real)
    }
}
