//! # unspun
//!
//! Finds which articles of a collection are copies, rewrites or "spins" of which, and which one is the
//! source. The stages, each a module with a typed input and output ([`pipeline`] runs them in order and
//! is the one place that decides parallelism): [`input`] reads articles; [`shingle`] tokenises them with
//! byte offsets and hashes word n-grams and content words; [`minhash`] signs each view; [`lsh`] bands the
//! signatures into candidate pairs ([`pair`]); [`align`] aligns each candidate's sentences, weighing words
//! by their [`frequencies`] in the collection; [`score`] decides the relation and the source; the result
//! is a [`Scan`] ([`mod@scan`]), which [`report`] writes and [`eval`] scores against labelled pairs
//! ([`escape`] shows text from the input safely on a terminal); [`index`] keeps a collection signed on disk, for
//! [`pipeline::query`] to check new articles against it. [`scan()`] reads files and folders;
//! [`scan_documents`] takes documents held in memory:
//!
//! ```
//! use unspun::{Config, Document, progress::NoProgress};
//!
//! let dated = |id: &str, date: &str, text: &str| Document { date: Some(date.into()), ..Document::new(id, text) };
//! let documents = [
//!     dated("original", "2024-05-04", "Russia released 307 Ukrainian prisoners on Saturday in exchange for \
//!         Russian servicemen. Drones and missiles hit Kyiv overnight, damaging apartment buildings and a \
//!         shopping mall. Officials in Kharkiv said four people were killed in attacks over the past day."),
//!     dated("spun", "2024-05-07", "On Saturday Russia freed 307 Ukrainian prisoners, swapping them for \
//!         Russian servicemen. Overnight drones and missiles struck Kyiv and damaged apartment buildings and \
//!         a shopping mall. Kharkiv officials reported four people killed in attacks during the past day."),
//!     dated("other", "2024-05-05", "Solar panel prices fell sharply this quarter as Chinese factories \
//!         expanded capacity. Installers in Europe said orders rose, while manufacturers warned that \
//!         margins would stay thin for the rest of the year and smaller firms could close."),
//! ];
//! let scan = unspun::scan_documents(documents, &Config::default(), &NoProgress)?;
//! let id = |d: u32| scan.documents[d as usize].id.as_str();
//! let pairs: Vec<_> = scan.pairs.iter().map(|p| (id(p.a), id(p.b), p.relation, p.source.map(id))).collect();
//! assert_eq!(pairs, [("original", "spun", Some(unspun::score::Relation::Rewrite), Some("original"))]);
//! # Ok::<(), unspun::Error>(())
//! ```
//!
//! The stages can be used alone, as here the alignment and the verdict on two texts:
//!
//! ```
//! use unspun::align::{align, Analysis};
//! use unspun::frequencies::Frequencies;
//! use unspun::config::VerdictBars;
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
//! assert_eq!(classify(&a, &b, &align(&a, &b), &VerdictBars::default()).map(|v| v.0), Some(Relation::Rewrite));
//! assert_eq!(classify(&a, &c, &align(&a, &c), &VerdictBars::default()), None);
//! ```

pub mod align;
pub mod boilerplate;
pub mod config;
pub mod direction;
pub mod embed;
pub mod error;
pub mod escape;
pub mod eval;
pub mod frequencies;
pub mod graph;
pub mod hash;
pub mod index;
pub mod input;
mod leb128;
pub mod lsh;
pub mod minhash;
pub mod pair;
pub mod pipeline;
pub mod progress;
pub mod ragged;
pub mod report;
pub mod scan;
pub mod score;
pub mod shingle;

pub use config::Config;
pub use error::{Error, Result};
pub use input::Document;
pub use pipeline::{scan, scan_documents};
pub use scan::Scan;
