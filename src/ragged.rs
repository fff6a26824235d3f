//! Rows of varying length stored flat, one allocation for all of them: the stems and passage samples of
//! every document of a scan, the texts of an index segment, the terms of each sentence of a text.

/// Rows of varying length stored flat: row `i` is `values[starts[i]..starts[i + 1]]`.
#[derive(Clone, Debug)]
pub struct Ragged<T> {
    values: Vec<T>,
    starts: Vec<usize>,
}

impl<T> Default for Ragged<T> {
    fn default() -> Self {
        Ragged { values: Vec::new(), starts: vec![0] }
    }
}

impl<T> Ragged<T> {
    pub fn push(&mut self, row: impl IntoIterator<Item = T>) {
        self.values.extend(row);
        self.starts.push(self.values.len());
    }

    pub fn row(&self, i: usize) -> &[T] {
        &self.values[self.starts[i]..self.starts[i + 1]]
    }

    /// Appends the rows of `other` after these.
    pub(crate) fn append(&mut self, other: &Ragged<T>)
    where
        T: Clone,
    {
        let base = self.values.len();
        self.values.extend_from_slice(&other.values);
        self.starts.extend(other.starts[1..].iter().map(|s| s + base));
    }

    /// Rows from their values and where each starts (and the last ends).
    /// `n` rows, each empty.
    pub(crate) fn empty_rows(n: usize) -> Ragged<T> {
        Ragged { values: Vec::new(), starts: vec![0; n + 1] }
    }

    pub(crate) fn from_parts(values: Vec<T>, starts: Vec<usize>) -> Ragged<T> {
        Ragged { values, starts }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The rows in order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[T]> + '_ {
        self.starts.windows(2).map(|w| &self.values[w[0]..w[1]])
    }

    /// No room beyond what is used (a row set kept while a run goes on).
    pub fn shrink_to_fit(&mut self) {
        self.values.shrink_to_fit();
        self.starts.shrink_to_fit();
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> std::ops::Index<usize> for Ragged<T> {
    type Output = [T];

    fn index(&self, i: usize) -> &[T] {
        self.row(i)
    }
}
