//! End-to-end tests through the real `unspun` binary, one integration binary for the whole suite.

#[path = "cli/common.rs"]
mod common;

#[path = "cli/input.rs"]
mod input;

#[path = "cli/scan.rs"]
mod scan;

#[path = "cli/direction.rs"]
mod direction;

#[path = "cli/eval.rs"]
mod eval;

#[path = "cli/golden.rs"]
mod golden;

#[path = "cli/rewrites.rs"]
mod rewrites;

#[path = "cli/boilerplate.rs"]
mod boilerplate;

#[path = "cli/hardening_inputs.rs"]
mod hardening_inputs;

#[path = "cli/hardening_readers.rs"]
mod hardening_readers;

#[path = "cli/html.rs"]
mod html;

#[path = "cli/hardening_outputs.rs"]
mod hardening_outputs;

#[path = "cli/index.rs"]
mod index;
