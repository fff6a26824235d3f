//! Graphs over document indices: a dense union-find (near-duplicate groups, clusters, eval's truth
//! clusters) and each document's neighbours in a list of pairs (witnesses for direction).

/// Each document's partners in a list of pairs, in the order of the list, stored flat.
pub struct Neighbours {
    start: Vec<u32>,
    list: Vec<u32>,
}

impl Neighbours {
    /// The partners of documents `0..documents` in `pairs`.
    pub fn new(documents: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Neighbours {
        let mut start = vec![0u32; documents + 1];
        for (a, b) in pairs.clone() {
            start[a as usize + 1] += 1;
            start[b as usize + 1] += 1;
        }
        for i in 0..documents {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut list = vec![0u32; start[documents] as usize];
        for (a, b) in pairs {
            for (x, y) in [(a, b), (b, a)] {
                list[fill[x as usize] as usize] = y;
                fill[x as usize] += 1;
            }
        }
        Neighbours { start, list }
    }

    /// The same, each document's partners ordered by `key`.
    pub fn sorted_by_key<K: Ord>(mut self, key: impl Fn(u32) -> K) -> Neighbours {
        for d in 0..self.start.len().saturating_sub(1) {
            self.list[self.start[d] as usize..self.start[d + 1] as usize].sort_unstable_by_key(|&n| key(n));
        }
        self
    }

    /// The partners of document `d`.
    pub fn of(&self, d: u32) -> &[u32] {
        &self.list[self.start[d as usize] as usize..self.start[d as usize + 1] as usize]
    }
}

/// Dense union-find over indices (documents; eval's truth clusters), with path halving: the root of a set
/// is its smallest member.
pub fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

/// Joins the sets of `a` and `b` (see [`find`]).
pub fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    parent[ra.max(rb) as usize] = ra.min(rb);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partners_are_listed_both_ways_and_sorted_on_request() {
        let n = Neighbours::new(4, [(0u32, 3u32), (0, 1), (2, 0)].into_iter());
        assert_eq!((n.of(0), n.of(1), n.of(3)), (&[3, 1, 2][..], &[0][..], &[0][..]));
        let n = n.sorted_by_key(std::cmp::Reverse);
        assert_eq!((n.of(0), n.of(2)), (&[3, 2, 1][..], &[0][..]));
    }
}
