//! Optimization profiles for the engine's inputs: every dynamic dimension and every
//! shape-tensor input needs a range in every profile; a network without either gets one
//! implicit profile of its static shapes.

use super::config::BuilderConfig;
use crate::engine::{InputRange, Profile};
use crate::error::{Error, Result};
use crate::ir::Network;
use crate::log::Reporter;
use crate::types::dims_str;

/// One engine profile per configured profile, ranges in `net.inputs` order.
pub fn resolve(net: &Network, shape_inputs: &[bool], config: &BuilderConfig, reporter: &Reporter) -> Result<Vec<Profile>> {
    let dynamic = net.inputs.iter().any(|&t| net.tensors[t].declared_dims.iter().any(|&d| d < 0));
    let shapes = net.inputs.iter().any(|&t| shape_inputs[t]);
    if config.profiles.is_empty() {
        if dynamic || shapes {
            let which: Vec<String> = net
                .inputs
                .iter()
                .filter(|&&t| shape_inputs[t] || net.tensors[t].declared_dims.iter().any(|&d| d < 0))
                .map(|&t| format!("'{}' {}", net.tensors[t].name.as_str(), dims_str(&net.tensors[t].declared_dims)))
                .collect();
            return Err(Error::invalid_config(format!(
                "the network has dynamic or shape inputs ({}), but no optimization profile has been defined: add one with IBuilderConfig::addOptimizationProfile",
                which.join(", ")
            )));
        }
        let inputs = net
            .inputs
            .iter()
            .map(|&t| {
                let d = net.tensors[t].declared_dims.clone();
                InputRange { min: d.clone(), opt: d.clone(), max: d, values: None }
            })
            .collect();
        return Ok(vec![Profile { inputs }]);
    }
    let names = net.input_names();
    let mut out = Vec::with_capacity(config.profiles.len());
    for (p, prof) in config.profiles.iter().enumerate() {
        for name in prof.inputs.keys() {
            if !names.contains_key(name.as_str()) {
                reporter.warning(&format!("optimization profile {p} names '{name}', which is not a network input; ignored"));
            }
        }
        let mut inputs = Vec::with_capacity(net.inputs.len());
        for &t in &net.inputs {
            let tensor = &net.tensors[t];
            let (name, declared) = (tensor.name.as_str(), &tensor.declared_dims);
            let entry = prof.inputs.get(name);
            let dims: Vec<Vec<i64>> = match entry.map(|e| &e.dims) {
                Some([Some(a), Some(b), Some(c)]) => vec![a.clone(), b.clone(), c.clone()],
                Some([None, None, None]) | None if !declared.iter().any(|&d| d < 0) => vec![declared.clone(); 3],
                _ => {
                    return Err(Error::invalid_config(format!(
                        "optimization profile {p} has no kMIN/kOPT/kMAX dimensions for dynamic input '{name}' {}",
                        dims_str(declared)
                    )))
                }
            };
            for (sel, d) in ["kMIN", "kOPT", "kMAX"].iter().zip(&dims) {
                let fits = d.len() == declared.len() && d.iter().zip(declared).all(|(&x, &y)| x >= 0 && (y < 0 || x == y));
                if !fits {
                    return Err(Error::invalid_config(format!(
                        "optimization profile {p}: {sel} dimensions {} of input '{name}' do not match its dims {}",
                        dims_str(d),
                        dims_str(declared)
                    )));
                }
            }
            if !(0..declared.len()).all(|i| dims[0][i] <= dims[1][i] && dims[1][i] <= dims[2][i]) {
                return Err(Error::invalid_config(format!(
                    "optimization profile {p}: input '{name}' needs kMIN <= kOPT <= kMAX, got {} {} {}",
                    dims_str(&dims[0]),
                    dims_str(&dims[1]),
                    dims_str(&dims[2])
                )));
            }
            let values = if shape_inputs[t] {
                let n = declared.first().copied().unwrap_or(1).max(0) as usize;
                match entry.map(|e| &e.values) {
                    Some([Some(a), Some(b), Some(c)]) if a.len() == n && b.len() == n && c.len() == n => {
                        if a.iter().zip(b).zip(c).any(|((x, y), z)| x > y || y > z) {
                            return Err(Error::invalid_config(format!("optimization profile {p}: shape input '{name}' needs kMIN <= kOPT <= kMAX values")));
                        }
                        Some([a.clone(), b.clone(), c.clone()])
                    }
                    _ => {
                        return Err(Error::invalid_config(format!(
                            "optimization profile {p} needs {n} kMIN/kOPT/kMAX shape values for shape input '{name}' (IOptimizationProfile::setShapeValues)"
                        )))
                    }
                }
            } else {
                None
            };
            let [min, opt, max]: [Vec<i64>; 3] = dims.try_into().expect("three selectors");
            inputs.push(InputRange { min, opt, max, values });
        }
        out.push(Profile { inputs });
    }
    Ok(out)
}
