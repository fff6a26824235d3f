//! The safetensors format, as [`super::Model::load`] reads `model.safetensors`: just enough of it for
//! 32-bit float tensors. Errors are messages naming the tensor; the model attaches the file's path.

use serde_json::Value;

/// The tensors of a safetensors file: a little-endian u64 header length, a JSON header naming each
/// tensor's type, shape and byte range, then the data.
pub(super) struct Tensors {
    header: serde_json::Map<String, Value>,
    bytes: Vec<u8>,
    /// Where the data starts in `bytes`.
    start: usize,
}

impl Tensors {
    pub(super) fn parse(bytes: Vec<u8>) -> std::result::Result<Tensors, String> {
        let len = bytes.get(..8).map(|b| u64::from_le_bytes(b.try_into().expect("eight bytes")) as usize);
        let header =
            len.and_then(|len| bytes.get(8..8usize.checked_add(len)?)).ok_or("truncated: no complete header")?;
        let header: serde_json::Map<String, Value> =
            serde_json::from_slice(header).map_err(|e| format!("header is not a JSON object: {e}"))?;
        let start = 8 + len.unwrap_or(0);
        Ok(Tensors { header, bytes, start })
    }

    /// The 32-bit float tensor `name`, checked to have `shape`.
    pub(super) fn get(&self, name: &str, shape: &[usize]) -> std::result::Result<Vec<f32>, String> {
        let entry = self.header.get(name).ok_or_else(|| format!("no tensor {name:?}"))?;
        let found: Vec<usize> = entry["shape"]
            .as_array()
            .map(|s| s.iter().filter_map(|v| v.as_u64().map(|v| v as usize)).collect())
            .unwrap_or_default();
        if entry["dtype"] != "F32" || found != shape {
            return Err(format!("tensor {name:?} is {} {found:?}, expected F32 {shape:?}", entry["dtype"]));
        }
        self.floats(name, entry)
    }

    /// The first `rows` rows of the 32-bit float matrix `name` with `columns` columns.
    pub(super) fn get_rows(&self, name: &str, columns: usize, rows: usize) -> std::result::Result<Vec<f32>, String> {
        let entry = self.header.get(name).ok_or_else(|| format!("no tensor {name:?}"))?;
        let mut v = self.floats(name, entry)?;
        if entry["dtype"] != "F32" || v.len() < rows * columns || v.len() % columns != 0 {
            return Err(format!("tensor {name:?} does not hold {rows} F32 rows of {columns}"));
        }
        v.truncate(rows * columns);
        Ok(v)
    }

    /// The 32-bit float tensor `name`, whatever its shape, flat.
    pub(super) fn get_any(&self, name: &str) -> std::result::Result<Vec<f32>, String> {
        let entry = self.header.get(name).ok_or_else(|| format!("no tensor {name:?}"))?;
        if entry["dtype"] != "F32" {
            return Err(format!("tensor {name:?} is {}, expected F32", entry["dtype"]));
        }
        self.floats(name, entry)
    }

    fn floats(&self, name: &str, entry: &Value) -> std::result::Result<Vec<f32>, String> {
        let at = |k: usize| entry["data_offsets"][k].as_u64().map(|v| v as usize);
        let data = &self.bytes[self.start..];
        let bytes = match (at(0), at(1)) {
            (Some(s), Some(e)) if s <= e && e <= data.len() && (e - s) % 4 == 0 => &data[s..e],
            _ => return Err(format!("tensor {name:?} has a bad byte range (truncated file?)")),
        };
        Ok(bytes.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("four bytes"))).collect())
    }
}

/// A safetensors file holding one 32-bit float tensor.
pub(super) fn write_f32(name: &str, shape: &[usize], values: &[f32]) -> Vec<u8> {
    let header = serde_json::json!({ name: { "dtype": "F32", "shape": shape, "data_offsets": [0, values.len() * 4] } });
    let header = header.to_string();
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend(values.iter().flat_map(|v| v.to_le_bytes()));
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safetensors_errors_name_the_problem() {
        assert!(Tensors::parse(vec![1, 2]).is_err());
        let header = br#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        bytes.extend(1.5f32.to_le_bytes().into_iter().chain(2.5f32.to_le_bytes()));
        let t = Tensors::parse(bytes.clone()).unwrap();
        assert_eq!(t.get("w", &[2]).unwrap(), [1.5, 2.5]);
        assert!(t.get("w", &[3]).unwrap_err().contains("expected F32 [3]"));
        assert!(t.get("v", &[2]).unwrap_err().contains("no tensor"));
        let written = Tensors::parse(write_f32("w", &[2], &[1.5, 2.5])).unwrap();
        assert_eq!(written.get("w", &[2]).unwrap(), [1.5, 2.5]);
        assert_eq!(written.get_any("w").unwrap(), [1.5, 2.5]);
        bytes.truncate(bytes.len() - 4);
        assert!(Tensors::parse(bytes).unwrap().get("w", &[2]).unwrap_err().contains("truncated"));
    }
}
