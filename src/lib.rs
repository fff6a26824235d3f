//! # unspun
//!
//! Finds which articles of a collection are copies, rewrites or "spins" of which, and which one is the
//! source. The pipeline: [`input`] reads articles; [`shingle`] tokenises them with byte offsets and hashes
//! word n-grams and content words; [`minhash`] signs each view; [`lsh`] bands the signatures into candidate
//! pairs; [`align`] aligns each candidate's sentences; [`score`] decides the relation and the source;
//! [`report`] writes the result. [`pipeline::scan`] runs it all.
//!
//! ```
//! use unspun::align::{align, Analysis, Frequencies};
//! use unspun::score::{classify, Relation};
//! use unspun::shingle::Tokens;
//!
//! let original = "Russia released 307 Ukrainian prisoners on Saturday in exchange for Russian servicemen.\n\
//!     Drones and missiles hit Kyiv overnight, damaging apartment buildings and a shopping mall.\n\
//!     Officials in Kharkiv said four people were killed in attacks over the past day.";
//! let spun = "On Saturday Russia freed 307 Ukrainian prisoners, swapping them for Russian servicemen.\n\
//!     Overnight drones and missiles struck Kyiv and damaged apartment buildings and a shopping mall.\n\
//!     Kharkiv officials reported four people killed in attacks during the past day.";
//! let other = "Solar panel prices fell sharply this quarter as Chinese factories expanded capacity.";
//! let idf = Frequencies::new();
//! let (a, b, c) = (Tokens::new(original), Tokens::new(spun), Tokens::new(other));
//! let (a, b, c) = (Analysis::new(a, &idf), Analysis::new(b, &idf), Analysis::new(c, &idf));
//! assert_eq!(classify(&a, &b, &align(&a, &b)).map(|v| v.0), Some(Relation::Rewrite));
//! assert_eq!(classify(&a, &c, &align(&a, &c)), None);
//! ```

pub mod align;
pub mod config;
pub mod embed;
pub mod error;
pub mod eval;
pub mod input;
pub mod lsh;
pub mod minhash;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod score;
pub mod shingle;

pub use config::Config;
pub use error::{Error, Result};
pub use pipeline::{Scan, scan};
