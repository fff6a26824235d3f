//! LEB128, the variable-length code of unsigned integers that index segments and the statistics sent
//! between machines use: seven bits a byte, low bits first, the high bit set on every byte but the last.

/// Appends `x` to `out`.
pub(crate) fn put(mut x: u32, out: &mut Vec<u8>) {
    while x >= 0x80 {
        out.push(x as u8 | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

/// The value [`put`] wrote at the start of `bytes`, and the bytes it took; `None` when there is none.
pub(crate) fn get(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value = 0u32;
    for (i, &b) in bytes.iter().enumerate().take(5) {
        value |= ((b & 0x7f) as u32).checked_shl(7 * i as u32)?;
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_as_written() {
        for x in [0, 1, 0x7f, 0x80, 300, 1 << 21, u32::MAX] {
            let mut out = vec![];
            put(x, &mut out);
            assert_eq!(get(&out), Some((x, out.len())));
            assert_eq!(get(&out[..out.len() - 1]), None);
        }
    }
}
