//! Fuzzes the CSV reader (see `check.rs` for what is checked).
#![no_main]

#[path = "check.rs"]
mod check;

use libfuzzer_sys::fuzz_target;
use unspun::input::Format;

fuzz_target!(|data: &[u8]| check::read_and_check("fuzz.csv", Format::Csv, data));
