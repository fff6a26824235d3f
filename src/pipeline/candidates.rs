//! The second stage: candidate pairs. Every view is banded (by [`crate::lsh`], in parallel here) and the
//! views' sorted pair lists are merged into one, each pair with the set of proposers that found it. The words
//! and content views (the *grouping* views, banded first) also find the near-duplicate groups: a crawl holds
//! many copies of one article, and comparing every copy with every rewrite of it would square the work, so
//! the groups of eight or more are compared through their leader and only the leader takes part in the lead
//! view, passages and the semantic view. Against a reference collection only the pairs of a reference and a
//! scanned document are kept, and `--window` drops pairs published too far apart.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::Plan;
use super::read::{SignedCorpus, Sketches};
use crate::config::{Config, ViewConfig};
use crate::embed::{self, Embedding};
use crate::error::Result;
use crate::frequencies::Frequencies;
use crate::graph::{find, union};
use crate::input::page_key;
use crate::lsh::{self, LshParams, LshStats};
use crate::minhash::{EMPTY, Signatures, estimate};
use crate::pair::{PairKey, Proposer, Proposers, pair_key, unpack};
use crate::progress::{Progress, Unit, go_on};
use crate::ragged::Ragged;
use crate::scan::DocInfo;
use crate::shingle::View;

/// Word 5-gram similarity (estimated from the signatures) at which documents are near-duplicates.
const NEAR_DUPLICATE_WORDS: f64 = 0.5;
/// Content-word similarity (estimated, common stems left out) at which documents are near-duplicates: the
/// same words with a few changed, which breaks many 5-grams of a short text.
const NEAR_DUPLICATE_CONTENT: f64 = 0.8;
/// Members a near-duplicate group needs to be compared through its leader.
pub(super) const MIN_GROUP: u32 = 8;
/// Sampled n-grams two documents must share to be a passages candidate.
const MIN_SHARED_PASSAGES: usize = 2;

/// The candidate pairs of a scan, with what found them.
#[derive(Debug, Default)]
pub struct Candidates {
    /// Sorted pairs, each with the set of proposers that found it (bits in the order of `proposers`).
    pub pairs: Vec<(PairKey, Proposers)>,
    /// The proposers that ran, in the order of the bits of `pairs`.
    pub proposers: Vec<Proposer>,
    /// What each proposer found.
    pub stats: Vec<(Proposer, LshStats)>,
    /// Each document's near-duplicate group leader (itself when it leads or is in no group of
    /// eight or more).
    pub leader: Vec<u32>,
    /// Distinct candidate pairs (`pairs.len()` before verification drops any).
    pub count: usize,
    /// The near-duplicate groups whose members hold texts other than their leader's, by leader.
    pub groups: Vec<GroupTexts>,
}

/// A near-duplicate group whose members hold texts other than its leader's (a story copied with small
/// edits): the collection's stem counts hold each of those texts (exact copies are counted once already),
/// so the words of the group's text are counted `others` times more than one text's. Verification counts
/// the group once for the documents related to it ([`crate::align::Analysis::among`]).
#[derive(Debug)]
pub struct GroupTexts {
    pub leader: u32,
    /// The stems of the leader's text (their hashes' high halves), sorted and distinct.
    pub stems: Vec<u32>,
    /// The group's distinct texts besides the leader's.
    pub others: u32,
}

impl Candidates {
    /// Documents compared through the leader of their near-duplicate group.
    pub fn grouped_documents(&self) -> usize {
        self.leader.iter().enumerate().filter(|&(i, &l)| l != i as u32).count()
    }
}

/// Bands every view and gathers the other proposers' pairs; consumes the corpus's sketches.
pub(super) fn find_candidates(
    corpus: &SignedCorpus,
    mut sketches: Sketches,
    plan: &Plan,
    progress: &dyn Progress,
) -> Result<Candidates> {
    let config = plan.config;
    let docs = &corpus.documents;
    let mut banding = Banding {
        per_view: vec![Vec::new(); config.views.len()],
        stats: config.views.iter().map(|v| (Proposer::View(v.view), LshStats::default())).collect(),
        leader: (0..docs.len() as u32).collect(),
    };
    // The grouping views are both signed before either is banded, as grouping asks both.
    band_views(&mut banding, corpus, &mut sketches, plan, progress, true)?;
    let mut groups = Vec::new();
    if plan.verify {
        // Against a reference collection, a reference member's pair with its reference leader is not listed.
        banding.star_groups(config, |l, m| !(plan.against && docs[l as usize].reference && docs[m as usize].reference));
        groups = group_texts(&banding.leader, &corpus.exact, &sketches)?;
        // Grouping is done and its views' signatures are not asked again: freed before the next.
        for (_, m) in config.views.iter().zip(sketches.signatures.iter_mut()).filter(|(v, _)| is_grouping(v)) {
            *m = Signatures::new(m.params);
        }
    }
    band_views(&mut banding, corpus, &mut sketches, plan, progress, false)?;
    // The signatures and stems have done their work: freed before the passages' index is built.
    (sketches.signatures, sketches.stems) = (Vec::new(), Ragged::default());
    let Banding { mut per_view, mut stats, leader } = banding;
    let mut proposers: Vec<Proposer> = config.views.iter().map(|v| Proposer::View(v.view)).collect();
    let include = |i: usize| docs[i].skipped.is_none() && leader[i] == i as u32;
    // Passages: documents sharing sampled word n-grams, whatever their lengths ([`shared_samples`]).
    if plan.verify && config.passages && config.views.iter().any(|v| v.view == View::Words) {
        progress.stage("passages", None, Unit::Documents);
        let mask = plan.doc_mask(docs.len());
        let rows = (0..docs.len()).into_par_iter().filter(|&j| include(j));
        let rows: Vec<_> =
            rows.map(|j| Ok((j, sketches.samples_of(sketches.read_index[j])?))).collect::<Result<_>>()?;
        let entries: Vec<u64> =
            rows.par_iter().flat_map_iter(|(j, row)| row.iter().map(move |&h| h & !mask | *j as u64)).collect();
        drop(rows);
        drop(sketches);
        // Against a reference collection, only the pairs with a scanned document are listed and counted.
        let counts = |d: usize| !(plan.against && docs[d].reference);
        let (pairs, s) = shared_samples(entries, mask, config.max_bucket, counts);
        progress.finish();
        per_view.push(pairs);
        stats.push((Proposer::Passages, s));
        proposers.push(Proposer::Passages);
    }
    // Semantic view: documents sharing a rare name or number whose leads' embeddings are close.
    if let Some(s) = &config.semantic {
        progress.stage("semantic", None, Unit::Documents);
        let settings = (s.threshold, s.neighbours, config.max_bucket);
        let (pairs, st) =
            semantic_candidates(&corpus.embeddings, &corpus.specifics, &corpus.frequencies, settings, include);
        progress.finish();
        per_view.push(pairs);
        stats.push((Proposer::Semantic, st));
        proposers.push(Proposer::Semantic);
    }
    let mut pairs = merge_proposers(per_view);
    if plan.against {
        pairs = across(pairs, docs, &leader);
    }
    if let Some(window) = config.window_days {
        pairs = within_window(pairs, docs, &leader, window, plan.against);
    }
    Ok(Candidates { count: pairs.len(), pairs, proposers, stats, leader, groups })
}

/// The near-duplicate groups of `leader` whose members hold texts other than their leader's (by their
/// word hashes, `exact`), with the leader's stems, by leader.
fn group_texts(leader: &[u32], exact: &[u64], sketches: &Sketches) -> Result<Vec<GroupTexts>> {
    // Each member's text that is not its leader's, by leader, once.
    let mut texts: Vec<(u32, u64)> = (0..leader.len())
        .into_par_iter()
        .filter(|&m| leader[m] != m as u32 && exact[m] != exact[leader[m] as usize])
        .map(|m| (leader[m], exact[m]))
        .collect();
    texts.par_sort_unstable();
    texts.dedup();
    let groups: Vec<(u32, u32)> = texts.chunk_by(|x, y| x.0 == y.0).map(|g| (g[0].0, g.len() as u32)).collect();
    let groups = groups.into_par_iter().map(|(l, others)| {
        let mut stems = sketches.stems_of(sketches.read_index[l as usize])?.into_owned();
        stems.sort_unstable();
        stems.dedup();
        Ok(GroupTexts { leader: l, stems, others })
    });
    groups.collect()
}

/// The pairs of documents published at most `window` days apart (or undated; a day without a time any
/// moment of it, [`crate::scan::published_within`]). A near-duplicate group's
/// star is its shortcut, not a judgement: a member published too far from its leader is compared instead
/// with the group's earliest member within the window of it (the first such in the fixed order), so a copy
/// published the day another was is paired with it, where dropping the star's pair left it unpaired.
/// Against a reference collection, only with a member on the other side.
fn within_window(
    mut pairs: Vec<(PairKey, Proposers)>,
    docs: &[DocInfo],
    leader: &[u32],
    window: f64,
    against: bool,
) -> Vec<(PairKey, Proposers)> {
    let within = |a: u32, b: u32| crate::scan::published_within(&docs[a as usize], &docs[b as usize], window);
    let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, &l) in leader.iter().enumerate().filter(|&(i, &l)| l != i as u32) {
        members.entry(l).or_insert_with(|| vec![l]).push(i as u32);
    }
    let mut instead = Vec::new();
    pairs.retain(|&(key, proposers)| {
        let (a, b) = unpack(key);
        if within(a, b) {
            return true;
        }
        let star = [(a, b), (b, a)].into_iter().find(|&(l, m)| leader[m as usize] == l && l != m);
        if let Some((l, m)) = star {
            let partner = earliest_within(&members[&l], m, docs, window, against);
            instead.extend(partner.map(|x| (pair_key(x, m), proposers)));
        }
        false
    });
    if !instead.is_empty() {
        pairs.extend(instead);
        sort_merging_proposers(&mut pairs);
    }
    pairs
}

/// Of a group's `members`, the one a member `m` published too far from its group's first is paired with
/// instead: the earliest published within `window` days of it (undated last, the first in the fixed order
/// among equals), and against a reference collection on the other side.
pub(super) fn earliest_within(members: &[u32], m: u32, docs: &[DocInfo], window: f64, against: bool) -> Option<u32> {
    let doc = |d: u32| &docs[d as usize];
    let day = |d: u32| doc(d).day.unwrap_or(f64::INFINITY);
    (members.iter().copied())
        .filter(|&x| x != m && crate::scan::published_within(doc(x), doc(m), window))
        .filter(|&x| !against || doc(x).reference != doc(m).reference)
        .min_by(|&x, &y| day(x).total_cmp(&day(y)).then(x.cmp(&y)))
}

/// Candidate pairs of one view among the documents `i` with `include(i)` true: every pair that shares a
/// band ([`lsh::band_pairs`]) and whose full signatures estimate a Jaccard similarity of at least
/// `min_estimate`; sorted and free of duplicates, the same for any number of threads. `doc_mask` holds the
/// bits that number the documents in a packed entry ([`Plan::doc_mask`]). The band entries
/// of a few bands at a time are worked out document by document while its signature is in cache (one
/// table a band would read each signature once a band, a cache miss each time); those bands' pair lists
/// are made in parallel, each estimated but for the pairs an earlier group of bands kept (a pair of
/// near-duplicates shares most bands: estimated again in each, it took a quarter of a query's time), then
/// merged pairwise and into the running result, so the pair lists of all bands, mostly the same pairs
/// again, are never held at once. A pair estimated below `min_estimate` counts as dissimilar once for
/// each band that proposed it.
fn band(
    signatures: &Signatures,
    doc_mask: u64,
    params: LshParams,
    max_bucket: usize,
    min_estimate: f64,
    include: impl Fn(usize) -> bool + Sync,
    across: Option<Across<'_, '_>>,
) -> Result<(Vec<PairKey>, LshStats)> {
    params.validate(signatures.params.num_hashes as usize)?;
    let n = signatures.len();
    let (reference, mut within) = across.map_or((None, Within::Listed), |a| (Some(a.reference), a.within));
    // What the view's figures count: against a reference collection, the pairs with a scanned document.
    let counted = |key: PairKey| {
        let (a, b) = unpack(key);
        reference.is_none_or(|r| !(r[a as usize] && r[b as usize]))
    };
    // Two reference documents are joined when their pair would be kept and is a near-duplicate; this
    // view's own estimate first, as it decides most pairs without reading the other view's signatures.
    let joins = |tests: &[(&Signatures, f64)], a: usize, b: usize| {
        let own = estimate(signatures.mins(a), signatures.mins(b));
        own >= min_estimate
            && tests.iter().any(|&(m, bar)| {
                let same = std::ptr::eq(m, signatures);
                (if same { own } else { estimate(m.mins(a), m.mins(b)) }) >= bar
            })
    };
    // Asked once, not once a band; an empty document matches nothing.
    let banded: Vec<bool> = (0..n).into_par_iter().map(|i| include(i) && signatures.mins(i)[0] != EMPTY).collect();
    let group = 2 * rayon::current_num_threads().max(1);
    let (mut kept, mut stats, mut entries) = (Vec::new(), LshStats::default(), Vec::new());
    for first in (0..params.bands).step_by(group) {
        let g = group.min(params.bands - first);
        entries.clear();
        entries.resize(n * g, 0);
        entries.par_chunks_mut(g).enumerate().filter(|(i, _)| banded[*i]).for_each(|(i, out)| {
            lsh::band_entries(signatures.mins(i), params, first, doc_mask, i, out);
        });
        let kept_so_far = &kept;
        // Each document's group as this group of bands starts, and the near-duplicate tests.
        let (tests, roots) = match &within {
            Within::Joined(tests, parent) => {
                let roots = (0..n as u32).into_par_iter().map(|i| if banded[i as usize] { root(parent, i) } else { i });
                (*tests, roots.collect())
            }
            _ => (&[][..], Vec::new()),
        };
        let (roots, mode) = (&roots, &within);
        let bands = (0..g).into_par_iter().map(|k| {
            let band: Vec<u64> = (0..n).filter(|&i| banded[i]).map(|i| entries[i * g + k]).collect();
            let (pairs, mut found, joined) = match (reference, mode) {
                (Some(reference), Within::Dropped) => {
                    band_across(band, doc_mask, max_bucket, reference, None::<Joining<fn(usize, usize) -> bool>>)
                }
                (Some(reference), Within::Joined(..)) => {
                    let joining = Joining { roots, signatures, joins: move |a, b| joins(tests, a, b) };
                    band_across(band, doc_mask, max_bucket, reference, Some(joining))
                }
                _ => {
                    let (pairs, found) =
                        lsh::band_pairs(band, doc_mask, max_bucket, |d| reference.is_none_or(|r| !r[d]));
                    (pairs, found, Vec::new())
                }
            };
            let mut fresh = lsh::not_kept(pairs, kept_so_far);
            if min_estimate > 0.0 {
                let close = each_pair(&fresh, &[signatures], |a, b| {
                    estimate(signatures.mins(a), signatures.mins(b)) >= min_estimate
                });
                found.dissimilar = fresh.iter().zip(&close).filter(|&(&key, &c)| !c && counted(key)).count();
                let mut close = close.into_iter();
                fresh.retain(|_| close.next() == Some(true));
            }
            (fresh, found, joined)
        });
        let (group_pairs, joined): (Vec<_>, Vec<_>) = bands.map(|(p, f, j)| ((p, f), j)).unzip();
        let group_pairs = group_pairs.into_par_iter().reduce(|| (Vec::new(), LshStats::default()), lsh::merge_bands);
        (kept, stats) = lsh::merge_bands((kept, stats), group_pairs);
        if let Within::Joined(_, parent) = &mut within {
            for (a, b) in joined.into_iter().flatten().map(unpack) {
                union(parent, a, b);
            }
        }
    }
    stats.pairs = if reference.is_some() { kept.iter().filter(|&&key| counted(key)).count() } else { kept.len() };
    Ok((kept, stats))
}

/// Banding against a reference collection. Only the pairs of a reference document and a scanned one are
/// verified there ([`across`]); the pairs of two reference documents (an archive's copies of one article:
/// at x40, nearly all of a query's banded pairs) count only for the near-duplicate groups, which a
/// scanned document may join or bridge. A band lists the pairs with a scanned document as usual, and
/// those of two reference documents as `within` says; the view's figures (`pairs`, `dissimilar`, the
/// buckets) count the pairs and buckets with a scanned document only.
struct Across<'a, 'p> {
    /// Whether each document is a reference one.
    reference: &'a [bool],
    within: Within<'a, 'p>,
}

/// What banding against a reference collection does with a pair of two reference documents.
enum Within<'a, 'p> {
    /// Left out: the view groups nothing (or nothing is verified).
    Dropped,
    /// Joined in the union-find of the groups (`.1`) when it would be kept and passes one of the
    /// near-duplicate tests (`.0`), as banded: a pair whose two documents are joined already is not
    /// estimated, so the groups come out as the whole list of pairs would join them at about one
    /// estimate a document instead of one a pair (the first grouping view, which meets every copy).
    Joined(&'a [(&'a Signatures, f64)], &'p mut [u32]),
    /// Listed and estimated as usual, for the caller to join (a later grouping view, which bands the
    /// groups' leaders: mostly different texts, nothing to join, estimated faster in the plain way, each
    /// at most once in a view and in parallel).
    Listed,
}

/// What [`band_across`] needs to join reference documents ([`Within::Joined`]).
struct Joining<'a, F> {
    /// Each document's group when the band started.
    roots: &'a [u32],
    /// The view's signatures, asked for ahead of the tests.
    signatures: &'a Signatures,
    /// Whether a pair of two reference documents joins their groups.
    joins: F,
}

/// One band against a reference collection (see [`Across`]), from its entries: the pairs with a scanned
/// document (sorted, free of duplicates), the band's statistics, and, given `joining`, the pairs of two
/// reference documents that joined groups, in the order they did.
fn band_across(
    mut entries: Vec<u64>,
    doc_mask: u64,
    max_bucket: usize,
    reference: &[bool],
    joining: Option<Joining<'_, impl Fn(usize, usize) -> bool>>,
) -> (Vec<PairKey>, LshStats, Vec<PairKey>) {
    let doc = |x: u64| (x & doc_mask) as usize;
    let (mut pairs, mut joined) = (Vec::new(), Vec::new());
    // The bucket's reference members' groups, by place in the bucket (a union-find of places).
    let (mut local, mut order): (Vec<u32>, Vec<(u32, u32)>) = (Vec::new(), Vec::new());
    let scanned = |d: usize| !reference[d];
    let stats = lsh::buckets(&mut entries, doc_mask, max_bucket, scanned, |bucket, partners| {
        let is_reference = |p: usize| reference[doc(bucket[p])];
        // Places `p < q` are paired when `q - p <= partners`; a pair with a scanned document is listed,
        // once (from its first scanned document).
        for s in (0..bucket.len()).filter(|&s| !is_reference(s)) {
            let near = s.saturating_sub(partners)..=(s + partners).min(bucket.len() - 1);
            for p in near.filter(|&p| p != s && (p > s || is_reference(p))) {
                pairs.push(pair_key(doc(bucket[s]) as u32, doc(bucket[p]) as u32));
            }
        }
        let Some(Joining { roots, signatures, joins }) = &joining else { return };
        // The reference members' groups as the band started: nothing to join when they are one.
        let mut refs = (0..bucket.len()).filter(|&p| is_reference(p));
        let Some(first) = refs.next() else { return };
        let first_root = roots[doc(bucket[first])];
        if refs.all(|p| roots[doc(bucket[p])] == first_root) {
            return;
        }
        // The members' signatures are read from anywhere in memory: asked for together.
        for &z in bucket.iter().take(PREFETCHED) {
            signatures.prefetch(doc(z));
        }
        // Members already in one group start joined: each place points at the first of its group.
        order.clear();
        order.extend((0..bucket.len()).filter(|&p| is_reference(p)).map(|p| (roots[doc(bucket[p])], p as u32)));
        order.sort_unstable();
        local.clear();
        local.extend(0..bucket.len() as u32);
        let mut groups = 0;
        for run in order.chunk_by(|u, v| u.0 == v.0) {
            groups += 1;
            for &(_, p) in run {
                local[p as usize] = run[0].1;
            }
        }
        'pairs: for p in (0..bucket.len()).filter(|&p| is_reference(p)) {
            for q in (p + 1..=(p + partners).min(bucket.len() - 1)).filter(|&q| is_reference(q)) {
                let (a, b) = (doc(bucket[p]), doc(bucket[q]));
                if find(&mut local, p as u32) != find(&mut local, q as u32) && joins(a, b) {
                    union(&mut local, p as u32, q as u32);
                    joined.push(pair_key(a as u32, b as u32));
                    groups -= 1;
                    if groups == 1 {
                        break 'pairs;
                    }
                }
            }
        }
    });
    pairs.sort_unstable();
    pairs.dedup();
    (pairs, stats, joined)
}

/// Members of a bucket whose signatures are asked for before its pairs of reference documents are tested.
const PREFETCHED: usize = 32;

/// The root of `x` in the union-find `parent`, read only (see [`find`]).
fn root(parent: &[u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        x = parent[x as usize];
    }
    x
}

/// `test(a, b)` of each pair `(a, b)` in `pairs`, in order, worked out in parallel. A test reads the two
/// documents' signatures in `matrices` from anywhere in memory, and waiting for them is most of its cost:
/// the signatures of the pair a few places ahead are asked for ([`Signatures::prefetch`]) before this
/// pair is tested, so that the waits overlap.
fn each_pair(pairs: &[PairKey], matrices: &[&Signatures], test: impl Fn(usize, usize) -> bool + Sync) -> Vec<bool> {
    const AHEAD: usize = 8;
    let test = &test;
    pairs
        .par_chunks(1 << 12)
        .flat_map_iter(|chunk| {
            chunk.iter().enumerate().map(move |(k, &key)| {
                if let Some(&next) = chunk.get(k + AHEAD) {
                    let (a, b) = unpack(next);
                    for m in matrices {
                        m.prefetch(a as usize);
                        m.prefetch(b as usize);
                    }
                }
                let (a, b) = unpack(key);
                test(a as usize, b as usize)
            })
        })
        .collect()
}

/// The passages proposer's pairs: documents sharing [`MIN_SHARED_PASSAGES`] or more of the sampled
/// n-grams in `entries` (see [`lsh::shared_sample_pairs`]), of the pairs with a document that `counts`
/// (and the n-grams such a document holds counted in the statistics).
fn shared_samples(
    mut entries: Vec<u64>,
    doc_mask: u64,
    max_docs: usize,
    counts: impl Fn(usize) -> bool + Sync,
) -> (Vec<PairKey>, LshStats) {
    entries.par_sort_unstable();
    let (mut pairs, stats) = lsh::shared_sample_pairs(&entries, doc_mask, max_docs, &counts);
    drop(entries);
    pairs.retain(|&key| {
        let (a, b) = unpack(key);
        counts(a as usize) || counts(b as usize)
    });
    pairs.par_sort_unstable();
    lsh::sharing_enough(&pairs, MIN_SHARED_PASSAGES, stats)
}

/// Names and numbers of a document the semantic view blocks on: its rarest.
pub(crate) const BLOCKING_KEYS: usize = 8;

/// Candidate pairs of the semantic view among the documents `i` with `include(i)`: among the documents
/// that share one of their [`BLOCKING_KEYS`] rarest names or numbers (`specifics`, by their document
/// counts in `frequencies`; one held by more than `max_docs` documents is skipped and counted as a capped
/// bucket), each document with its `neighbours` most similar others whose leads' similarity reaches
/// `threshold` (ties to the lower index). A rewrite keeps its source's names and numbers (verification
/// asks it to), so blocking on them loses few of the pairs the view confirms, and it costs in proportion
/// to the documents, where comparing every two would cost their square. Sorted and free of duplicates,
/// the same for any number of threads; documents that had more neighbours than kept count as capped too.
pub(crate) fn semantic_candidates(
    embeddings: &[Embedding],
    specifics: &[Vec<u64>],
    frequencies: &Frequencies,
    (threshold, neighbours, max_docs): (f64, usize, usize),
    include: impl Fn(usize) -> bool + Sync,
) -> (Vec<PairKey>, LshStats) {
    let mask = lsh::doc_mask(embeddings.len());
    let mut entries: Vec<u64> = (0..embeddings.len())
        .into_par_iter()
        .filter(|&i| include(i) && !embeddings[i].is_empty())
        .flat_map_iter(|i| {
            let mut keys: Vec<(u32, u64)> =
                specifics[i].iter().map(|&stem| (frequencies.df(stem), stem)).filter(|&(df, _)| df >= 2).collect();
            keys.sort_unstable();
            keys.into_iter().take(BLOCKING_KEYS).map(move |(_, stem)| stem & !mask | i as u64)
        })
        .collect();
    entries.par_sort_unstable();
    let (mut pairs, mut stats) = lsh::shared_sample_pairs(&entries, mask, max_docs, |_| true);
    drop(entries);
    pairs.par_sort_unstable();
    pairs.dedup();
    // Each document's close others, most similar first.
    let mut near: Vec<(u32, std::cmp::Reverse<i64>, u32)> = pairs
        .par_iter()
        .filter_map(|&key| {
            let (a, b) = unpack(key);
            let similarity = embed::similarity(&embeddings[a as usize], &embeddings[b as usize]);
            // Ordered on the exact figure: the integer dot product the similarity is made from.
            (similarity >= threshold).then(|| (a, b, embed::dot(&embeddings[a as usize], &embeddings[b as usize])))
        })
        .flat_map_iter(|(a, b, dot)| [(a, std::cmp::Reverse(dot), b), (b, std::cmp::Reverse(dot), a)])
        .collect();
    near.par_sort_unstable();
    let mut kept = Vec::new();
    for run in near.chunk_by(|x, y| x.0 == y.0) {
        stats.capped_buckets += usize::from(run.len() > neighbours);
        kept.extend(run.iter().take(neighbours).map(|&(a, _, b)| pair_key(a, b)));
    }
    kept.par_sort_unstable();
    kept.dedup();
    stats.pairs = kept.len();
    (kept, stats)
}

/// Whether a view finds near-duplicate groups (see the module's doc).
fn is_grouping(v: &ViewConfig) -> bool {
    matches!(v.view, View::Words | View::Content)
}

/// The views' banded pairs as they are found, and the near-duplicate groups.
struct Banding {
    /// Each view's sorted pairs, in the order of [`Config::views`].
    per_view: Vec<Vec<PairKey>>,
    stats: Vec<(Proposer, LshStats)>,
    /// Each document's group leader (see [`Candidates::leader`]).
    leader: Vec<u32>,
}

/// Bands the grouping views (`grouping`) or the others, signing a rewording view first when it is banded
/// (see [`Sketches::sign_rewording`]). Banding the grouping views joins near-duplicates into groups; later
/// views see each group through its leader.
fn band_views(
    banding: &mut Banding,
    corpus: &SignedCorpus,
    sketches: &mut Sketches,
    plan: &Plan,
    progress: &dyn Progress,
    grouping: bool,
) -> Result<()> {
    let config = plan.config;
    let docs = &corpus.documents;
    let views: Vec<usize> = (0..config.views.len()).filter(|&k| is_grouping(&config.views[k]) == grouping).collect();
    let unsigned = |k: usize| !plan.signed_when_read(config.views[k].view);
    // A rewording view is signed as it is banded, only for the documents it bands (a near-duplicate
    // group takes part through its leader: at x40, one document in fourteen), unless the near-duplicate
    // test of a grouping view banded before it may read it: then every document, before any is banded.
    let tested_before = |k: usize| {
        views.iter().take_while(|&&j| j != k).any(|&j| {
            let v = &config.views[j];
            config.candidates_only || near_duplicate_bar(v.view).is_none_or(|bar| v.threshold < bar)
        })
    };
    let sign = |sketches: &mut Sketches, k: usize, wanted: &(dyn Fn(usize) -> bool + Sync)| -> Result<()> {
        progress.stage(&format!("signing {}", config.views[k].view.name()), None, Unit::Documents);
        sketches.signatures[k] = sketches.sign_rewording(k, plan, &corpus.frequencies, wanted)?;
        progress.finish();
        Ok(())
    };
    for &k in views.iter().filter(|&&k| unsigned(k) && tested_before(k)) {
        go_on(progress)?;
        sign(sketches, k, &|_| true)?;
    }
    let mut parent: Vec<u32> = (0..docs.len() as u32).collect();
    let reference: Vec<bool> = if plan.against { docs.iter().map(|d| d.reference).collect() } else { Vec::new() };
    for &k in &views {
        go_on(progress)?;
        // A group found by an earlier view takes part in later ones through its leader.
        let leader = &banding.leader;
        let include = |i: usize| docs[i].skipped.is_none() && leader[i] == i as u32;
        if unsigned(k) && !tested_before(k) {
            sign(sketches, k, &include)?;
        }
        let (v, m) = (&config.views[k], &sketches.signatures[k]);
        progress.stage(&format!("banding {}", v.view.name()), None, Unit::Bands);
        // The plain MinHash-LSH job reports every banded pair. Verification takes those whose whole
        // signatures estimate the view's threshold at least: banding also catches pairs well below it.
        let min_estimate = if config.candidates_only { 0.0 } else { v.threshold };
        let tests = near_duplicate_tests(config, &sketches.signatures);
        let within = if !(grouping && plan.verify) {
            Within::Dropped
        } else if Some(&k) == views.first() {
            Within::Joined(&tests, &mut parent)
        } else {
            Within::Listed
        };
        let across = plan.against.then_some(Across { reference: &reference, within });
        let (mut pairs, stats) =
            band(m, plan.doc_mask(docs.len()), v.lsh, config.max_bucket, min_estimate, include, across)?;
        if grouping && plan.verify {
            join_near_duplicates(&mut parent, &tests, &pairs);
            if plan.against {
                // Pairs of two reference documents have done their work (see [`Across`]).
                pairs.retain(|&key| {
                    let (a, b) = unpack(key);
                    !(reference[a as usize] && reference[b as usize])
                });
            }
            let near = |a: u32, b: u32| near_duplicates(&tests, a as usize, b as usize);
            banding.leader = group_leaders(&mut parent, docs, plan.against, near);
        }
        progress.finish();
        banding.per_view[k] = pairs;
        banding.stats[k].1 = stats;
    }
    Ok(())
}

/// The signatures and bar of each grouping view: a pair is near-duplicate by either view's estimate,
/// whichever view banded it (a copy that the words view's banding missed is still found by the content
/// view's). The tests are asked in the views' order and stop at the first passed; a view not signed yet
/// has none (it is signed before any test could ask it, see [`band_views`]).
fn near_duplicate_tests<'a>(config: &Config, signatures: &'a [Signatures]) -> Vec<(&'a Signatures, f64)> {
    let signed = config.views.iter().zip(signatures).filter(|(_, m)| !m.is_empty());
    signed.filter_map(|(v, m)| Some((m, near_duplicate_bar(v.view)?))).collect()
}

/// The estimate at which a grouping view's pair is a near-duplicate (none for the others).
fn near_duplicate_bar(view: View) -> Option<f64> {
    match view {
        View::Words => Some(NEAR_DUPLICATE_WORDS),
        View::Content => Some(NEAR_DUPLICATE_CONTENT),
        View::Lead => None,
    }
}

impl Banding {
    /// Once groups are known: the grouping views' pairs go through the leaders (see
    /// [`through_leaders`]), and a member whose pair with its leader was banded in no view (it joined
    /// through another member) gets one, counted as the first grouping view's.
    fn star_groups(&mut self, config: &crate::config::Config, listed: impl Fn(u32, u32) -> bool) {
        let grouped: Vec<usize> = (0..config.views.len()).filter(|&k| is_grouping(&config.views[k])).collect();
        for &k in &grouped {
            self.per_view[k] = through_leaders(std::mem::take(&mut self.per_view[k]), &self.leader);
        }
        let mut linked = vec![false; self.leader.len()];
        for &k in &grouped {
            for &key in &self.per_view[k] {
                let (a, b) = unpack(key);
                if self.leader[b as usize] == a && a != b {
                    linked[b as usize] = true;
                }
            }
        }
        if let Some(&first) = grouped.first() {
            let list = &mut self.per_view[first];
            list.extend(
                self.leader
                    .iter()
                    .enumerate()
                    .filter(|&(i, &l)| l != i as u32 && !linked[i] && listed(l, i as u32))
                    .map(|(i, &l)| pair_key(l, i as u32)),
            );
            list.sort_unstable();
        }
    }
}

/// Joins, in the union-find `parent`, the banded `pairs` whose signatures in one of `tests` estimate a
/// similarity of at least its bar: near-duplicates, in the words view (estimated 5-gram Jaccard ≥ 0.5) or
/// the content view (estimated Jaccard ≥ 0.8). The groups of eight or more documents joined this way,
/// transitively, are compared through their leader (see [`group_leaders`] and [`through_leaders`]).
fn join_near_duplicates(parent: &mut [u32], tests: &[(&Signatures, f64)], pairs: &[PairKey]) {
    let matrices: Vec<&Signatures> = tests.iter().map(|&(m, _)| m).collect();
    let close = each_pair(pairs, &matrices, |a, b| near_duplicates(tests, a, b));
    for (&key, _) in pairs.iter().zip(&close).filter(|(_, c)| **c) {
        let (a, b) = unpack(key);
        union(parent, a, b);
    }
}

/// Whether documents `a` and `b` are near-duplicates by one of `tests` (see [`near_duplicate_tests`]).
fn near_duplicates(tests: &[(&Signatures, f64)], a: usize, b: usize) -> bool {
    tests.iter().any(|&(m, bar)| estimate(m.mins(a), m.mins(b)) >= bar)
}

/// Each document's leader when it is in a group of eight or more near-duplicates of one document (itself
/// otherwise). The groups of `parent` are joined transitively, and a chain of edits (each a near-duplicate
/// of the one before, the last far from the first) or two versions of a story with their copies join into
/// one; only the members that are near-duplicates of the leader (`near`) are compared through it, a star
/// that stands for their pairs with each other. The leader is the member the most others name as their
/// original by a canonical link, else the earliest published (the first of those with the earliest date),
/// else the first document; against a reference collection (`against`), the first reference document of
/// the group when it has one, so that the star pairs each scanned copy with a reference original. Only
/// the leader takes part in later views and passages; the other members are compared with their leader
/// and their relations to other texts go through it. Small groups, and the members not near the leader,
/// are compared in full: it costs little, and every member keeps its own pairs. Links and dates name the
/// source first: leading the group, the original is paired with every copy, where a copy leading it would
/// stand between the original and the rest.
fn group_leaders(parent: &mut [u32], docs: &[DocInfo], against: bool, near: impl Fn(u32, u32) -> bool) -> Vec<u32> {
    let n = parent.len();
    let root: Vec<u32> = (0..n as u32).map(|i| find(parent, i)).collect();
    let mut size = vec![0u32; n];
    for &r in &root {
        size[r as usize] += 1;
    }
    let mut members: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (i, &r) in root.iter().enumerate().filter(|&(_, &r)| size[r as usize] >= MIN_GROUP) {
        members.entry(r).or_default().push(i as u32);
    }
    let field = |i: u32, name: &str| docs[i as usize].extra.get(name).and_then(serde_json::Value::as_str);
    let mut leader: Vec<u32> = (0..n as u32).collect();
    for group in members.values() {
        // Canonical links within the group: how many members name each as their original.
        let mut page: HashMap<(String, String), u32> = HashMap::new();
        for &i in group {
            if let Some(url) = field(i, "url") {
                page.entry(page_key(url)).or_insert(i);
            }
        }
        let mut named: HashMap<u32, usize> = HashMap::new();
        for &i in group {
            if let Some(&target) = field(i, "canonical").and_then(|c| page.get(&page_key(c))).filter(|&&t| t != i) {
                *named.entry(target).or_default() += 1;
            }
        }
        let named = |d: u32| named.get(&d).copied().unwrap_or(0);
        let day = |d: u32| docs[d as usize].day.unwrap_or(f64::INFINITY);
        // Stars, each of the members left: the first reference, else the most named, then the earliest,
        // then the first, leads its near-duplicates.
        let mut left = group.clone();
        while left.len() >= MIN_GROUP as usize {
            let reference = left.iter().copied().find(|&i| against && docs[i as usize].reference);
            let best = reference.unwrap_or_else(|| {
                let most = |&x: &u32, &y: &u32| named(x).cmp(&named(y)).then(day(y).total_cmp(&day(x))).then(y.cmp(&x));
                left.iter().copied().max_by(most).expect("a group has members")
            });
            let (starred, rest): (Vec<u32>, Vec<u32>) = left.iter().partition(|&&i| i == best || near(best, i));
            if starred.len() >= MIN_GROUP as usize {
                for i in starred {
                    leader[i as usize] = best;
                }
            }
            left = rest;
        }
    }
    leader
}

/// Against a reference collection: the candidate pairs of a reference and a scanned document, sorted.
/// A scanned document that leads a group of copies (which has no reference document, or a reference
/// would lead it) stands for its members too: each member is paired with the reference document as
/// well, so every copy is reported with its original, not only through its group's leader.
fn across(candidates: Vec<(PairKey, Proposers)>, docs: &[DocInfo], leader: &[u32]) -> Vec<(PairKey, Proposers)> {
    let mut members: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (i, &l) in leader.iter().enumerate().filter(|&(i, &l)| l != i as u32) {
        members.entry(l).or_default().push(i as u32);
    }
    let mut out = Vec::with_capacity(candidates.len());
    for (key, proposed_by) in candidates {
        let (a, b) = unpack(key);
        let (reference, scanned) = match (docs[a as usize].reference, docs[b as usize].reference) {
            (true, false) => (a, b),
            (false, true) => (b, a),
            _ => continue,
        };
        out.push((key, proposed_by));
        let copies = members.get(&scanned).map_or(&[][..], Vec::as_slice);
        out.extend(copies.iter().map(|&m| (pair_key(reference, m), proposed_by)));
    }
    out.sort_unstable_by_key(|&(key, _)| key);
    out
}

/// The pairs of a view to verify once groups are known: within a group only the star from its leader;
/// across groups, the pair of their leaders (a member's relations to other texts go through its
/// leader, so copies do not multiply the pairs).
fn through_leaders(pairs: Vec<PairKey>, leader: &[u32]) -> Vec<PairKey> {
    let mut out: Vec<PairKey> = pairs
        .into_iter()
        .filter_map(|key| {
            let (a, b) = unpack(key);
            let (la, lb) = (leader[a as usize], leader[b as usize]);
            if la == lb { (la == a || la == b).then_some(key) } else { Some(pair_key(la, lb)) }
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Merges per-proposer sorted, duplicate-free pair lists into one sorted list of pairs with their
/// proposers.
fn merge_proposers(per_proposer: Vec<Vec<PairKey>>) -> Vec<(PairKey, Proposers)> {
    if per_proposer.len() == 1 {
        return per_proposer.into_iter().flatten().map(|k| (k, 1)).collect();
    }
    let mut all: Vec<(PairKey, Proposers)> = Vec::with_capacity(per_proposer.iter().map(Vec::len).sum());
    for (k, pairs) in per_proposer.into_iter().enumerate() {
        all.extend(pairs.into_iter().map(|p| (p, 1 << k)));
    }
    sort_merging_proposers(&mut all);
    all
}

/// Sorts `pairs` by pair, each pair once with the proposers of all its entries.
fn sort_merging_proposers(pairs: &mut Vec<(PairKey, Proposers)>) {
    pairs.par_sort_unstable();
    pairs.dedup_by(|next, kept| {
        let same = next.0 == kept.0;
        if same {
            kept.1 |= next.1;
        }
        same
    });
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::minhash::{Hasher, MinHashParams};

    /// A group's texts besides its leader's are counted once each, exact copies of the leader's or of
    /// one another not at all; a group holding only copies of its leader's text is none of them.
    #[test]
    fn group_texts_count_each_other_text_once() {
        let mut sketches = Sketches::default();
        for stems in [vec![9, 3, 5], vec![9, 3], vec![3, 7], vec![3, 7], vec![1], vec![1], vec![2]] {
            sketches.stems.push(stems);
        }
        sketches.read_index = (0..7).collect();
        // 0 leads 1 (its text), 2 and 3 (one other text); 4 leads 5 (its text); 6 alone.
        let (leader, exact) = ([0, 0, 0, 0, 4, 4, 6], [10, 10, 11, 11, 20, 20, 30]);
        let groups = group_texts(&leader, &exact, &sketches).unwrap();
        let found: Vec<(u32, Vec<u32>, u32)> = groups.into_iter().map(|g| (g.leader, g.stems, g.others)).collect();
        assert_eq!(found, [(0, vec![3, 5, 9], 1)]);
    }

    #[test]
    fn pairs_go_through_group_leaders() {
        // Documents 0-2 are a group led by 0, 3-4 a group led by 3, 5 stands alone.
        let leader = [0, 0, 0, 3, 3, 5];
        let pairs =
            vec![pair_key(0, 1), pair_key(1, 2), pair_key(1, 4), pair_key(2, 5), pair_key(0, 5), pair_key(3, 4)];
        // Within a group only the star from its leader; across groups the leaders' pair, once.
        let want = vec![pair_key(0, 1), pair_key(0, 3), pair_key(0, 5), pair_key(3, 4)];
        assert_eq!(through_leaders(pairs, &leader), want);
    }

    /// A group joined transitively is compared through a leader only for the leader's near-duplicates:
    /// a chain of edits keeps its pairs, and two versions with their copies are two stars.
    #[test]
    fn only_the_leaders_near_duplicates_go_through_it() {
        let docs: Vec<DocInfo> = (0..20).map(|i| DocInfo { reference: i == 3, ..DocInfo::stub("") }).collect();
        let leaders = |n: usize, against: bool, near: &dyn Fn(u32, u32) -> bool| {
            let mut parent: Vec<u32> = vec![0; n];
            group_leaders(&mut parent, &docs[..n], against, near)
        };
        let own: Vec<u32> = (0..10).collect();
        // A chain, each near the next three: the first's near-duplicates are too few to be a group.
        assert_eq!(leaders(10, false, &|a, b| a.abs_diff(b) <= 3), own);
        // All near the first but the last.
        assert_eq!(leaders(10, false, &|_, b| b != 9), [0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
        // Two versions of ten copies each, joined by one pair: a star each.
        let two = leaders(20, false, &|a, b| (a < 10) == (b < 10));
        assert_eq!(two, [[0; 10], [10; 10]].concat());
        // Against a reference collection the reference leads, and its near-duplicates only.
        assert_eq!(leaders(10, true, &|a, b| a.abs_diff(b) <= 7), [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
        assert_eq!(leaders(10, true, &|a, b| a.abs_diff(b) <= 5), [3, 3, 3, 3, 3, 3, 3, 3, 3, 9]);
        assert_eq!(leaders(10, true, &|a, b| a.abs_diff(b) <= 3), own);
    }

    #[test]
    fn against_a_reference_only_cross_pairs_each_copy_with_its_original() {
        // 0 and 4 are reference documents. Documents 0-3 are a group led by 0, the reference; 5-7 are a
        // scanned group led by 5; 8 stands alone.
        let docs: Vec<DocInfo> = (0..9).map(|i| DocInfo { reference: i == 0 || i == 4, ..DocInfo::stub("") }).collect();
        let leader = [0, 0, 0, 0, 4, 5, 5, 5, 8];
        let pairs = through_leaders(
            vec![
                pair_key(0, 1),
                pair_key(0, 2),
                pair_key(0, 3),
                pair_key(0, 4),
                pair_key(4, 5),
                pair_key(6, 7),
                pair_key(7, 8),
            ],
            &leader,
        );
        let candidates = pairs.into_iter().map(|k| (k, 1)).collect();
        // Kept: the star from reference 0 to scanned 1-3, and 4 with 5 and, through 5, with 6 and 7. Not
        // 0-4 (two references), 5-8 (two scanned; 7-8 went to their leaders 5 and 8).
        let want: Vec<(PairKey, Proposers)> =
            [(0, 1), (0, 2), (0, 3), (4, 5), (4, 6), (4, 7)].iter().map(|&(a, b)| (pair_key(a, b), 1)).collect();
        assert_eq!(across(candidates, &docs, &leader), want);
    }

    #[test]
    fn near_duplicates_join_by_either_view() {
        // Minima agreeing in `same` of 128 lanes estimate a similarity of `same / 128`.
        let matrix = |rows: &[usize]| {
            let mut m = Signatures::new(MinHashParams { view: View::Words, shingle: 5, num_hashes: 128, seed: 0 });
            for (doc, &same) in rows.iter().enumerate() {
                let mins: Vec<u32> =
                    (0..128u32).map(|l| if (l as usize) < same { l } else { 1000 + 128 * doc as u32 + l }).collect();
                m.extend_empty(1).copy_from_slice(&mins);
            }
            m
        };
        // Document 0 is the original. By words, 1 is close to it (estimate 0.75) and 2 is not (0.25); by
        // content, 2 is (0.875) and 3 is not (0.5).
        let words = matrix(&[128, 96, 32, 32]);
        let content = matrix(&[128, 128, 112, 64]);
        let bars = [(&words, NEAR_DUPLICATE_WORDS), (&content, NEAR_DUPLICATE_CONTENT)];
        let mut parent: Vec<u32> = (0..4).collect();
        join_near_duplicates(&mut parent, &bars, &[pair_key(0, 1), pair_key(0, 2), pair_key(0, 3)]);
        let roots: Vec<u32> = (0..4).map(|i| find(&mut parent, i)).collect();
        assert_eq!(roots, [0, 0, 0, 3]);
    }

    #[test]
    fn each_pair_tests_every_pair_in_order_across_chunks() {
        // More pairs than one chunk holds, so the look-ahead meets a chunk's end and the order of the
        // chunks' results matters.
        let sets: Vec<Vec<u64>> = (0..200u64).map(|i| (i % 7..i % 7 + 10).collect()).collect();
        let m = sigs(&sets, 16);
        let pairs: Vec<PairKey> = (0..200).flat_map(|a| (a + 1..200).map(move |b| pair_key(a, b))).collect();
        assert!(pairs.len() > 2 * (1 << 12));
        let test = |a: usize, b: usize| estimate(m.mins(a), m.mins(b)) >= 0.5;
        let want: Vec<bool> = pairs
            .iter()
            .map(|&key| {
                let (a, b) = unpack(key);
                test(a as usize, b as usize)
            })
            .collect();
        assert!(want.contains(&true) && want.contains(&false));
        assert_eq!(each_pair(&pairs, &[&m], test), want);
    }

    fn sigs(sets: &[Vec<u64>], k: u16) -> Signatures {
        let h = Hasher::new(MinHashParams { view: View::Content, shingle: 1, num_hashes: k, seed: 3 });
        let mut m = Signatures::new(h.params());
        for s in sets {
            m.push(&h.sign(s.iter().copied())).unwrap();
        }
        m
    }

    /// The brute-force oracle: every pair whose minima agree on all rows of some band.
    fn oracle(m: &Signatures, p: LshParams) -> Vec<PairKey> {
        let mut out = vec![];
        for i in 0..m.len() {
            for j in i + 1..m.len() {
                let shares = (0..p.bands).any(|b| {
                    let r = b * p.rows..(b + 1) * p.rows;
                    m.mins(i)[0] != EMPTY && m.mins(i)[r.clone()] == m.mins(j)[r]
                });
                if shares {
                    out.push(pair_key(i as u32, j as u32));
                }
            }
        }
        out
    }

    /// Bands of `p` in which documents `i` and `j` agree on every row.
    fn shared_bands(m: &Signatures, p: LshParams, i: usize, j: usize) -> usize {
        (0..p.bands)
            .filter(|b| {
                let r = b * p.rows..(b + 1) * p.rows;
                m.mins(i)[0] != EMPTY && m.mins(i)[r.clone()] == m.mins(j)[r]
            })
            .count()
    }

    proptest! {
        /// With an estimate bar: the oracle's pairs that estimate at least the bar, and as dissimilar each
        /// other pair once for every band it shares, as if each band had estimated it.
        #[test]
        fn estimated_banding_matches_brute_force(
            sets in prop::collection::vec(prop::collection::vec(0u64..40, 0..12), 0..30),
            rows in 1usize..4,
            bar in 0.05f64..0.9,
        ) {
            let m = sigs(&sets, 24);
            let p = LshParams { bands: 24 / rows, rows };
            let (got, stats) = band(&m, lsh::doc_mask(m.len()), p, usize::MAX, bar, |_| true, None).unwrap();
            let (mut want, mut dissimilar) = (vec![], 0);
            for key in oracle(&m, p) {
                let (a, b) = unpack(key);
                if estimate(m.mins(a as usize), m.mins(b as usize)) >= bar {
                    want.push(key);
                } else {
                    dissimilar += shared_bands(&m, p, a as usize, b as usize);
                }
            }
            prop_assert_eq!(stats.pairs, want.len());
            prop_assert_eq!(got, want);
            prop_assert_eq!(stats.dissimilar, dissimilar);
        }

        /// Against a reference collection, banding lists the same pairs with a scanned document as
        /// plain banding and counts only those, and the groups it joins as it bands are those plain
        /// banding's pairs join: with chained buckets, documents left out, and copies of a few texts so
        /// that groups form.
        #[test]
        fn banding_across_references_keeps_their_pairs_and_groups(
            texts in prop::collection::vec(prop::collection::vec(0u64..60, 4..12), 1..5),
            docs in prop::collection::vec((0usize..5, prop::collection::vec(0u64..60, 0..3), any::<bool>()), 0..40),
            rows in 1usize..4,
            max_bucket in 2usize..8,
            bar in 0.0f64..0.6,
        ) {
            let sets: Vec<Vec<u64>> = docs.iter().map(|(t, extra, _)| {
                texts[t % texts.len()].iter().chain(extra).copied().collect()
            }).collect();
            let reference: Vec<bool> = docs.iter().map(|d| d.2).collect();
            let m = sigs(&sets, 24);
            let p = LshParams { bands: 24 / rows, rows };
            let mask = lsh::doc_mask(m.len());
            let include = |i: usize| i % 7 != 3;
            let tests = [(&m, 0.7)];
            let groups = |parent: &mut [u32]| -> Vec<u32> {
                (0..parent.len() as u32).map(|i| find(parent, i)).collect()
            };
            let same_groups = |x: &[u32], y: &[u32]| {
                (0..x.len()).all(|i| (0..x.len()).all(|j| (x[i] == x[j]) == (y[i] == y[j])))
            };
            let (plain, _) = band(&m, mask, p, max_bucket, bar, include, None).unwrap();
            let mut parent: Vec<u32> = (0..m.len() as u32).collect();
            join_near_duplicates(&mut parent, &tests, &plain);
            let want_groups = groups(&mut parent);
            let cross: Vec<PairKey> = plain.iter().copied().filter(|&key| {
                let (a, b) = unpack(key);
                !(reference[a as usize] && reference[b as usize])
            }).collect();

            let across = Some(Across { reference: &reference, within: Within::Dropped });
            let (got, stats) = band(&m, mask, p, max_bucket, bar, include, across).unwrap();
            prop_assert_eq!(&got, &cross);
            prop_assert_eq!(stats.pairs, cross.len());
            let across = Some(Across { reference: &reference, within: Within::Listed });
            let (got, stats) = band(&m, mask, p, max_bucket, bar, include, across).unwrap();
            prop_assert_eq!(&got, &plain);
            prop_assert_eq!(stats.pairs, cross.len());

            let mut parent: Vec<u32> = (0..m.len() as u32).collect();
            let across = Some(Across { reference: &reference, within: Within::Joined(&tests, &mut parent) });
            let (got, stats) = band(&m, mask, p, max_bucket, bar, include, across).unwrap();
            prop_assert_eq!(&got, &cross);
            prop_assert_eq!(stats.pairs, cross.len());
            join_near_duplicates(&mut parent, &tests, &got);
            let got_groups = groups(&mut parent);
            prop_assert!(same_groups(&got_groups, &want_groups), "{:?} against {:?}", got_groups, want_groups);
        }

        #[test]
        fn banding_matches_brute_force(sets in prop::collection::vec(prop::collection::vec(0u64..40, 0..12), 0..30), rows in 1usize..4) {
            let m = sigs(&sets, 24);
            let p = LshParams { bands: 24 / rows, rows };
            let (got, stats) = band(&m, lsh::doc_mask(m.len()), p, usize::MAX, 0.0, |_| true, None).unwrap();
            prop_assert_eq!(stats.capped_buckets, 0);
            prop_assert_eq!(got, oracle(&m, p));
        }
    }

    #[test]
    fn oversized_bucket_is_chained_and_counted() {
        let sets: Vec<Vec<u64>> = (0..50).map(|_| vec![1, 2, 3]).collect();
        let m = sigs(&sets, 16);
        let (pairs, stats) =
            band(&m, lsh::doc_mask(m.len()), LshParams { bands: 4, rows: 4 }, 10, 0.0, |_| true, None).unwrap();
        assert_eq!(stats.capped_buckets, 4);
        assert_eq!(stats.largest_bucket, 50);
        // Chained, not 50·49/2 = 1225 pairs, and still connected.
        assert_eq!(pairs.len(), 49 + 48);
    }

    #[test]
    fn dissimilar_pairs_are_dropped_after_banding() {
        // Documents 0 and 1 are the same set; 2 shares a quarter of it. One row a band: 2 meets both.
        let m = sigs(&[(0..20).collect(), (0..20).collect(), (15..35).collect()], 64);
        let (all, _) =
            band(&m, lsh::doc_mask(m.len()), LshParams { bands: 64, rows: 1 }, 100, 0.0, |_| true, None).unwrap();
        assert_eq!(all.len(), 3);
        let (kept, stats) =
            band(&m, lsh::doc_mask(m.len()), LshParams { bands: 64, rows: 1 }, 100, 0.5, |_| true, None).unwrap();
        assert_eq!(kept, vec![pair_key(0, 1)]);
        let p = LshParams { bands: 64, rows: 1 };
        assert_eq!(stats.dissimilar, shared_bands(&m, p, 0, 2) + shared_bands(&m, p, 1, 2), "{stats:?}");
        assert_eq!(stats.pairs, 1);
    }

    #[test]
    fn excluded_documents_are_not_paired() {
        let m = sigs(&[vec![1, 2], vec![1, 2], vec![1, 2]], 8);
        let (pairs, _) =
            band(&m, lsh::doc_mask(m.len()), LshParams { bands: 2, rows: 4 }, 100, 0.0, |i| i != 1, None).unwrap();
        assert_eq!(pairs, vec![pair_key(0, 2)]);
    }
}
