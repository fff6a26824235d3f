//! The last stage: each pair's source, from its own lean and its neighbours' ([`crate::score::orient`]),
//! and the clusters the reported pairs form.

use std::collections::{HashMap, HashSet};

use crate::direction::DirectionModel;
use crate::graph::{find, union};
use crate::progress::{Progress, Unit};
use crate::scan::{Cluster, DocInfo, ScoredPair};
use crate::score::{self, Evidence, Lean, Leaning, Relation};

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
    distrust_shared_changes(pairs, docs, model);
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

/// How much further the texts' own evidence, summed over a family, must root it away from the text its
/// related documents favour, in multiples of the log-odds that name a source in one pair, for their
/// evidence to be set aside in that family.
const SHARED_CHANGES_MARGIN: f64 = 2.0;

/// Families whose derivations share their changes. The related documents' evidence (attestation:
/// whose wording the others keep) assumes derivations made apart, so that the original is the text whose
/// wording they all share; in a chain (original → edit → edit of the edit) or among derivations made
/// alike (two modernisations following one convention, two machine polishes fixing the same slips) it
/// names a derived text instead. So in each family of three texts or more (the documents of the weighed
/// pairs, connected), each text's net lean is summed over its pairs twice, from the related documents'
/// evidence and from the texts' own ([`DirectionModel::score_parts`]): when the own evidence's favourite
/// beats the family evidence's by [`SHARED_CHANGES_MARGIN`] × `decisive`, the family evidence is set
/// aside for every pair of that family where it said something, which then leans by its own evidence
/// alone (evidence `family`).
fn distrust_shared_changes(pairs: &mut [ScoredPair], docs: &[DocInfo], model: &DirectionModel) {
    let weighed = |p: &ScoredPair| p.lean_parts.is_some();
    if !pairs.iter().any(weighed) {
        return;
    }
    let mut parent: Vec<u32> = (0..docs.len() as u32).collect();
    let (mut family_net, mut own_net, mut member) =
        (vec![0.0; docs.len()], vec![0.0; docs.len()], vec![false; docs.len()]);
    for p in pairs.iter().filter(|p| weighed(p)) {
        union(&mut parent, p.a, p.b);
        let (family, own) = p.lean_parts.expect("weighed");
        let (a, b) = (p.a as usize, p.b as usize);
        family_net[a] += family;
        family_net[b] -= family;
        own_net[a] += own;
        own_net[b] -= own;
        (member[a], member[b]) = (true, true);
    }
    // Each family's members, in document order: its favourites, the first among equals (named in the
    // evidence; a tie among the related documents' favourites is weighed whole below).
    let mut families: HashMap<u32, Vec<u32>> = HashMap::new();
    for d in (0..docs.len() as u32).filter(|&d| member[d as usize]) {
        families.entry(find(&mut parent, d)).or_default().push(d);
    }
    let favourite = |ms: &[u32], net: &[f64]| {
        let net = |d: &u32| net[*d as usize];
        ms.iter().copied().max_by(|x, y| net(x).total_cmp(&net(y)).then(y.cmp(x))).expect("a family has members")
    };
    let mut distrusted: HashMap<u32, String> = HashMap::new();
    for (root, ms) in families.iter().filter(|(_, ms)| ms.len() >= 3) {
        let (by_family, by_own) = (favourite(ms, &family_net), favourite(ms, &own_net));
        // Texts the related documents favour equally (two copies of one version) are all their favourite:
        // the texts' own evidence must beat each, or which one the ids put first would decide.
        let top = family_net[by_family as usize];
        let tied = ms.iter().filter(|&&m| (family_net[m as usize] - top).abs() <= 1e-9 * top.abs().max(1.0));
        let beats =
            tied.clone().map(|&m| own_net[by_own as usize] - own_net[m as usize]).fold(f64::NEG_INFINITY, f64::max);
        if tied.clone().all(|&m| m != by_own) && beats > SHARED_CHANGES_MARGIN * model.decisive {
            let detail = format!(
                "in this family of {} texts, related documents share {}'s wording most, while the texts' own evidence favours {} (by log-odds {beats:.1}): its derivations share their changes, so the wording they share is not counted",
                ms.len(),
                docs[by_family as usize].id,
                docs[by_own as usize].id
            );
            distrusted.insert(*root, detail);
        }
    }
    if distrusted.is_empty() {
        return;
    }
    // A pair whose related documents said nothing leans as before.
    for p in pairs.iter_mut().filter(|p| p.lean_parts.is_some_and(|(family, _)| family != 0.0)) {
        let Some(detail) = distrusted.get(&find(&mut parent, p.a)) else { continue };
        let (_, own) = p.lean_parts.expect("weighed");
        p.lean = Some(Lean::Towards(own));
        p.evidence.retain(|e| e.signal != "conflict");
        p.evidence.push(Evidence { signal: "family", favours: None, detail: detail.clone() });
    }
}

/// Connected components of the reported pairs, with the source of each when one document is the source
/// of others and derived from none. Clusters come out ordered by their smallest member.
pub(super) fn clusters<'a>(pairs: impl Iterator<Item = &'a ScoredPair> + Clone, documents: usize) -> Vec<Cluster> {
    let pairs_for_parents = pairs.clone();
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
            out.push(Cluster { source: None, members: Vec::new(), parents: Vec::new() });
            sources.push(Vec::new());
        }
        let c = cluster_of[r as usize] as usize;
        out[c].members.push(d);
        if role[d as usize] == 2 {
            sources[c].push(d);
        }
    }
    // A root whose pair with a member that is neither a source nor derived names no source is no sure
    // root: that member may be its source (an original whose pair with its simplification was left
    // undecided, and that simplification the source of a second level). A copy of the root (duplicate,
    // near-duplicate) is the root's text again, and doubts nothing.
    let copies = |p: &ScoredPair| matches!(p.relation, Some(Relation::Duplicate | Relation::NearDuplicate));
    let doubted: HashSet<u32> = pairs_for_parents
        .clone()
        .filter(|p| p.source.is_none() && !copies(p))
        .flat_map(|p| [(p.a, p.b), (p.b, p.a)])
        .filter(|&(root, other)| role[root as usize] == 2 && role[other as usize] == 1)
        .map(|(root, _)| root)
        .collect();
    for (c, roots) in out.iter_mut().zip(sources) {
        if let [root] = roots[..]
            && !doubted.contains(&root)
        {
            c.source = Some(root);
        }
    }
    let parent_of = parents(pairs_for_parents, documents);
    for c in &mut out {
        c.parents = c.members.iter().map(|&m| parent_of.get(&m).copied()).collect();
    }
    out
}

/// Each derived document's parent: of the documents named its source, the nearest, that is the one the
/// most of its other sources are sources of too (in a chain original → edit → edit of the edit, the edit),
/// then the one whose pair aligns most strongly, then the first. A parent that would close a loop is
/// dropped.
fn parents<'a>(pairs: impl Iterator<Item = &'a ScoredPair>, documents: usize) -> HashMap<u32, u32> {
    let mut sources_of: HashMap<u32, Vec<(u32, f64)>> = HashMap::new();
    for p in pairs {
        if let Some(s) = p.source {
            let derived = if s == p.a { p.b } else { p.a };
            sources_of.entry(derived).or_default().push((s, p.alignment.strength));
        }
    }
    let is_source_of = |s: u32, d: u32| sources_of.get(&d).is_some_and(|v| v.iter().any(|&(x, _)| x == s));
    let mut parent: HashMap<u32, u32> = HashMap::new();
    let mut derived: Vec<u32> = sources_of.keys().copied().collect();
    derived.sort_unstable();
    for &d in &derived {
        let candidates = &sources_of[&d];
        let depth = |s: u32| candidates.iter().filter(|&&(x, _)| x != s && is_source_of(x, s)).count();
        let best = candidates
            .iter()
            .max_by(|x, y| depth(x.0).cmp(&depth(y.0)).then(x.1.total_cmp(&y.1)).then(y.0.cmp(&x.0)))
            .map(|&(s, _)| s);
        if let Some(s) = best {
            parent.insert(d, s);
        }
    }
    // Break loops (pairwise directions need not agree): follow each chain; a document met twice loses its
    // parent.
    for &d in &derived {
        let mut seen = vec![d];
        let mut at = d;
        while let Some(&p) = parent.get(&at) {
            if seen.contains(&p) {
                parent.remove(&at);
                break;
            }
            seen.push(p);
            at = p;
            if seen.len() > documents {
                break;
            }
        }
    }
    parent
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pair::pair_key;
    use crate::progress::NoProgress;

    fn derived(source: u32, other: u32, strength: f64) -> ScoredPair {
        let (a, b) = (source.min(other), source.max(other));
        let mut p = ScoredPair::unverified(pair_key(a, b), 0);
        p.relation = Some(Relation::Rewrite);
        p.source = Some(source);
        p.alignment.strength = strength;
        p
    }

    /// A weighed pair of `a` < `b` whose related documents lean `family` and own texts `own` towards `a`,
    /// its lean as [`score::direction`] makes it (none when the two conflict).
    fn weighed(a: u32, b: u32, family: f64, own: f64, model: &DirectionModel) -> ScoredPair {
        let conflict = family * own < 0.0 && family.abs() >= model.sibling_lean && own.abs() >= model.sibling_lean;
        let mut p = ScoredPair::unverified(pair_key(a, b), 0);
        p.relation = Some(Relation::Rewrite);
        p.lean = Some(Lean::Towards(if conflict { 0.0 } else { family + own }));
        p.lean_parts = Some((family, own));
        p
    }

    #[test]
    fn a_family_whose_texts_root_it_elsewhere_than_its_shared_wording_is_oriented_by_the_texts() {
        let model = DirectionModel { decisive: 1.0, sibling_lean: 0.5, ..DirectionModel::default() };
        let docs: Vec<DocInfo> = ["original", "edit", "edit of edit"].map(DocInfo::stub).to_vec();
        let sources = |pairs: &mut [ScoredPair]| {
            orient(pairs, &docs, &model, &NoProgress);
            pairs.iter().map(|p| p.source).collect::<Vec<_>>()
        };
        // A chain 0 → 1 → 2: the edit's changes survive in the edit of it, so related documents vouch
        // for the edit (1) in its pair with the original; the texts' own evidence roots the family at 0,
        // by log-odds 2.7 over the edit: more than twice `decisive`.
        let chain = |own: f64| {
            [weighed(0, 1, -1.6, own, &model), weighed(0, 2, 0.0, own + 0.3, &model), weighed(1, 2, 1.6, own, &model)]
        };
        let mut pairs = chain(1.2);
        assert_eq!(sources(&mut pairs), [Some(0), Some(0), None], "the two edits are siblings of the original");
        // Said on the pairs whose related documents' evidence was set aside (0-2 had none).
        let said: Vec<bool> = pairs.iter().map(|p| p.evidence.iter().any(|e| e.signal == "family")).collect();
        assert_eq!(said, [true, false, true]);
        // The texts' own evidence rooting it less clearly (1.9 over the edit): the family's evidence stands,
        // and conflicting in the first pair, names no source there.
        let mut pairs = chain(0.8);
        assert_eq!(sources(&mut pairs)[0], None);
        assert!(pairs.iter().all(|p| p.evidence.iter().all(|e| e.signal != "family")));
        // Both agreeing on the original (a star): nothing is set aside.
        let mut star = [weighed(0, 1, 1.6, 1.2, &model), weighed(0, 2, 1.6, 1.2, &model)];
        assert_eq!(sources(&mut star), [Some(0), Some(0)]);
        assert!(star.iter().all(|p| p.evidence.is_empty()));
    }

    #[test]
    fn texts_the_related_documents_favour_equally_are_weighed_alike_whatever_their_ids() {
        // Related documents favour A and B equally (two copies of one version, by log-odds 2 each); the
        // texts' own evidence favours C, by 12 over A and 0.1 over B. Whichever of A and B comes first,
        // the family's evidence is set aside (C beats one of the related documents' favourites by more than
        // twice `decisive`) and the same sources are named.
        let model = DirectionModel { decisive: 1.0, sibling_lean: 0.5, ..DirectionModel::default() };
        let docs: Vec<DocInfo> = ["0", "1", "2", "3"].map(DocInfo::stub).to_vec();
        // (x, y, family and own log-odds towards x), by letter: A 0, B 1, C 2, D 3.
        let by_letter = [(0, 2, 1.0, -6.0), (1, 3, 1.0, 5.9), (0, 3, 1.0, 0.0), (1, 2, 1.0, 0.0)];
        let judged = |place: [u32; 4]| {
            let mut pairs: Vec<ScoredPair> = by_letter
                .iter()
                .map(|&(x, y, family, own)| {
                    let (a, b) = (place[x], place[y]);
                    if a < b { weighed(a, b, family, own, &model) } else { weighed(b, a, -family, -own, &model) }
                })
                .collect();
            orient(&mut pairs, &docs, &model, &NoProgress);
            let letter = |d: u32| place.iter().position(|&p| p == d).expect("placed");
            let mut out: Vec<_> = pairs
                .iter()
                .map(|p| {
                    let said = p.evidence.iter().any(|e| e.signal == "family");
                    let mut key = [letter(p.a), letter(p.b)];
                    key.sort_unstable();
                    (key, p.source.map(letter), said)
                })
                .collect();
            out.sort_unstable_by_key(|e| e.0);
            out
        };
        let (ab, ba) = (judged([0, 1, 2, 3]), judged([1, 0, 2, 3]));
        assert_eq!(ab, ba);
        assert!(ab.iter().all(|e| e.2), "{ab:?}");
    }

    #[test]
    fn a_root_left_undecided_with_an_unsourced_member_is_no_clusters_source() {
        let undecided = |a: u32, b: u32, relation: Relation| {
            let mut p = derived(a, b, 1.0);
            (p.source, p.relation) = (None, Some(relation));
            p
        };
        // 0 ~ 1 undecided, 1 → 2: 1 is the only source, but 0, neither source nor derived, may be its.
        let chain = [undecided(0, 1, Relation::Rewrite), derived(1, 2, 3.0)];
        assert_eq!(clusters(chain.iter(), 3)[0].source, None);
        // A copy of the root doubts nothing; nor does a member whose own source is named.
        let copied = [undecided(0, 1, Relation::Duplicate), derived(1, 2, 3.0)];
        assert_eq!(clusters(copied.iter(), 3)[0].source, Some(1));
        let star = [derived(1, 0, 3.0), undecided(0, 2, Relation::Rewrite), derived(1, 2, 3.0)];
        assert_eq!(clusters(star.iter(), 3)[0].source, Some(1));
    }

    #[test]
    fn parents_follow_chains_and_never_loop() {
        // 0 → 1 → 2 and 0 → 2: 2's parent is 1, the nearer of its sources; 3 derives from 0 alone.
        let pairs = [derived(0, 1, 3.0), derived(1, 2, 3.0), derived(0, 2, 5.0), derived(0, 3, 1.0)];
        let c = clusters(pairs.iter(), 4);
        assert_eq!(c[0].members, vec![0, 1, 2, 3]);
        assert_eq!(c[0].parents, vec![None, Some(0), Some(1), Some(0)]);
        // Pairwise directions in a loop (0 → 1 → 2 → 0): a parent is dropped, so following parents ends.
        let pairs = [derived(0, 1, 3.0), derived(1, 2, 3.0), derived(2, 0, 3.0)];
        let parents = parents(pairs.iter(), 3);
        for start in 0..3u32 {
            let (mut at, mut steps) = (start, 0);
            while let Some(&p) = parents.get(&at) {
                at = p;
                steps += 1;
                assert!(steps <= 3, "{parents:?}");
            }
        }
    }
}
