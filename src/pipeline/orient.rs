//! The last stage: each pair's source, from its own lean and its neighbours' ([`crate::score::orient`]),
//! and the clusters the reported pairs form.

use crate::direction::DirectionModel;
use crate::graph::{find, union};
use crate::progress::{Progress, Unit};
use crate::scan::{Cluster, DocInfo, ScoredPair};
use crate::score::{self, Leaning, Relation};

/// Sorts the pairs, names the source of each that the evidence allows and returns the clusters of the
/// pairs judged derived.
pub(super) fn orient(
    pairs: &mut [ScoredPair],
    docs: &[DocInfo],
    model: &DirectionModel,
    progress: &dyn Progress,
) -> Vec<Cluster> {
    progress.stage("orienting", None, Unit::Pairs);
    pairs.sort_unstable_by_key(|p| (p.a, p.b));
    let leanings: Vec<Leaning> = pairs
        .iter()
        .filter_map(|p| {
            let copies = matches!(p.relation, Some(Relation::Duplicate | Relation::NearDuplicate));
            p.lean.map(|lean| Leaning { a: p.a, b: p.b, lean, copies })
        })
        .collect();
    let oriented = score::orient(&leanings, model, |i| docs[i as usize].id.clone());
    for (p, o) in pairs.iter_mut().filter(|p| p.lean.is_some()).zip(oriented) {
        p.source = o.source;
        p.evidence.extend(o.evidence);
        p.log_odds = o.log_odds;
    }
    let clusters = clusters(pairs.iter().filter(|p| p.relation.is_some()), docs.len());
    progress.finish();
    clusters
}

/// Connected components of the reported pairs, with the source of each when one document is the source
/// of others and derived from none. Clusters come out ordered by their smallest member.
pub(super) fn clusters<'a>(pairs: impl Iterator<Item = &'a ScoredPair> + Clone, documents: usize) -> Vec<Cluster> {
    const NONE: u32 = u32::MAX;
    let mut parent: Vec<u32> = Vec::new();
    // Per document: 0 not in a pair, 1 in a pair, 2 the source of some pair and derived in none, 3 derived.
    let mut role = vec![0u8; documents];
    for p in pairs.clone() {
        if parent.is_empty() {
            parent = (0..documents as u32).collect();
        }
        union(&mut parent, p.a, p.b);
        for d in [p.a, p.b] {
            role[d as usize] = role[d as usize].max(1);
        }
    }
    for p in pairs {
        if let Some(s) = p.source {
            let derived = if s == p.a { p.b } else { p.a };
            role[s as usize] = role[s as usize].max(2);
            role[derived as usize] = 3;
        }
    }
    let mut cluster_of = vec![NONE; if parent.is_empty() { 0 } else { documents }];
    let mut out: Vec<Cluster> = Vec::new();
    let mut sources: Vec<Vec<u32>> = Vec::new();
    for d in 0..documents as u32 {
        if role[d as usize] == 0 {
            continue;
        }
        // The root is the smallest member, so its cluster was made when `d` was the root.
        let r = find(&mut parent, d);
        if cluster_of[r as usize] == NONE {
            cluster_of[r as usize] = out.len() as u32;
            out.push(Cluster { source: None, members: Vec::new() });
            sources.push(Vec::new());
        }
        let c = cluster_of[r as usize] as usize;
        out[c].members.push(d);
        if role[d as usize] == 2 {
            sources[c].push(d);
        }
    }
    for (c, roots) in out.iter_mut().zip(sources) {
        if roots.len() == 1 {
            c.source = Some(roots[0]);
        }
    }
    out
}
