//! Progress reporting as a trait: the library says which stage it is in and how far it got; the binary
//! draws bars (indicatif, on stderr). The library never prints.

/// What a stage counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Bytes of input.
    Bytes,
    /// Documents.
    Documents,
    /// Bands of an LSH table.
    Bands,
    /// Candidate pairs.
    Pairs,
}

/// Receives progress from a run. Called from worker threads, so it must be `Sync`.
pub trait Progress: Sync {
    /// A stage begins; `total` is its length in `unit`s when known.
    fn stage(&self, _name: &str, _total: Option<u64>, _unit: Unit) {}
    /// `n` more units of the current stage are done.
    fn inc(&self, _n: u64) {}
    /// The current stage is over.
    fn finish(&self) {}
    /// Whether the caller wants the run stopped (a Python user pressed Ctrl-C): the pipeline asks between
    /// stages and while reading, signing, analysing and verifying, skips what is left and returns
    /// [`Error::Cancelled`](crate::Error::Cancelled). Called from worker threads, often: keep it cheap.
    fn cancelled(&self) -> bool {
        false
    }
}

/// `Err(Error::Cancelled)` when `progress` says the run is cancelled.
pub(crate) fn go_on(progress: &dyn Progress) -> crate::Result<()> {
    if progress.cancelled() { Err(crate::Error::Cancelled) } else { Ok(()) }
}

/// Progress that goes nowhere, for tests and library users who do not want it.
pub struct NoProgress;

impl Progress for NoProgress {}
