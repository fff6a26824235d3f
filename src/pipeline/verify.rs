//! The third stage: verify each candidate pair and decide its relation and its own lean on direction.
//! Each document of a candidate pair is read again and analysed once ([`crate::align::Analysis`]), then
//! the pairs are aligned ([`crate::align`]) and judged ([`crate::score`]), a block at a time. Documents
//! are found through dense per-document tables (a slot index, a neighbour list), not hash maps. A member
//! of a near-duplicate group whose only pair is the one with its leader (or, against a reference
//! collection, with the reference its leader was paired with) is analysed while that pair is scored and
//! dropped after it, so the analyses held at once are those of leaders and of documents with other pairs
//! (a crawl's copies would otherwise all be in memory together).

use std::sync::OnceLock;

use rayon::prelude::*;
use serde_json::Value;

use super::Plan;
use super::candidates::{Candidates, GroupTexts};
use super::read::SignedCorpus;
use crate::align::{AlignScratch, Alignment, Analysis, align_with};
use crate::direction::Weigher;
use crate::embed::{self, Embedding};
use crate::error::{Error, Result};
use crate::graph::Neighbours;
use crate::input::{self, Problem};
use crate::pair::{PairKey, Proposer, Proposers, unpack};
use crate::progress::{Progress, Unit, go_on};
use crate::scan::ScoredPair;
use crate::score::{self, Evidence, Lean, Related, Relation, SemanticFigures, Side, WitnessDate};
use crate::shingle::{Tokens, View};

/// Candidate pairs scored together: only one block's results are held beside the pairs kept.
const SCORE_BLOCK: usize = 1 << 16;
/// Related documents consulted as witnesses of direction, per side of a pair.
const MAX_WITNESSES: usize = 32;
/// Sentences of a text the semantic view compares (its first).
const MAX_SENTENCES: usize = 40;
/// Name of the semantic view's evidence.
const SEMANTIC: &str = "semantic";

/// The verified pairs (those judged derived, and with `report_unrelated` the others), unsorted, and the
/// documents that could not be read again.
pub struct Verified {
    pub pairs: Vec<ScoredPair>,
    pub problems: Vec<Problem>,
}

/// Verifies the candidate pairs.
pub(super) fn verify(
    corpus: &SignedCorpus,
    candidates: Candidates,
    plan: &Plan,
    progress: &dyn Progress,
) -> Result<Verified> {
    let Candidates { mut pairs, leader, proposers, groups, .. } = candidates;
    let mut problems = Vec::new();
    let streamed = Streamed::new(&pairs, &leader);
    let group_sizes = leader.iter().fold(vec![0u32; leader.len()], |mut sizes, &l| {
        sizes[l as usize] += 1;
        sizes
    });
    let wording_partners = wording_partners(&pairs, &proposers, leader.len());
    let kin = Kin::new(&pairs, &leader, group_sizes, wording_partners, &groups);
    let analyses = Analyses::load(corpus, &pairs, &streamed, plan, &kin, progress, &mut problems)?;
    pairs.retain(|&(key, _)| {
        let (a, b) = unpack(key);
        let member = streamed.member(key);
        [a, b].into_iter().all(|d| Some(d) == member || analyses.get(d).is_some())
    });
    progress.stage("verifying", Some(pairs.len() as u64), Unit::Pairs);
    let verifier = Verifier {
        corpus,
        plan,
        progress,
        weigher: Weigher::new(&plan.config.direction, plan.config.all_direction_features),
        // A document's partners outside its own near-duplicate group: the witnesses never include a copy
        // of either side, and a group's leader does not scan its thousands of members for each pair. Each
        // list in the order of the partners' texts (their word hashes), so which are consulted, when there
        // are more than `MAX_WITNESSES`, follows what the documents say, not how they are named.
        witnesses: Neighbours::new(
            corpus.documents.len(),
            pairs.iter().map(|&(key, _)| unpack(key)).filter(|&(a, b)| leader[a as usize] != leader[b as usize]),
        )
        .sorted_by_key(|n| (corpus.exact[n as usize], n)),
        // The semantic view's sentence embeddings of a document, made the first time a pair asks for
        // them (a source is asked by each of its rewrites).
        sentence_embeddings: match plan.model {
            Some(_) => (0..corpus.documents.len()).map(|_| OnceLock::new()).collect(),
            None => Vec::new(),
        },
        leader: &leader,
        kin: &kin,
        streamed: &streamed,
        analyses: &analyses,
    };
    let mut verified = Vec::new();
    let mut unread = Vec::new();
    for block in pairs.chunks(SCORE_BLOCK) {
        go_on(progress)?;
        let scored: Vec<std::result::Result<Option<ScoredPair>, (u32, Error)>> = block
            .par_iter()
            .map_init(Default::default, |scratch, &(key, proposed_by)| match progress.cancelled() {
                true => Ok(None),
                false => verifier.score(scratch, key, proposed_by),
            })
            .collect();
        for result in scored {
            match result {
                Ok(pair) => verified.extend(pair),
                Err((d, error)) => unread.push(unreadable(corpus, d, error)?),
            }
        }
    }
    progress.finish();
    go_on(progress)?;
    if let (true, Some(p)) = (plan.config.input.strict, unread.first()) {
        return Err(p.clone().into());
    }
    problems.extend(unread);
    Ok(Verified { pairs: verified, problems })
}

/// Which pairs analyse one of their documents only while they are scored: a group member (not a leader)
/// in no other pair.
struct Streamed<'a> {
    leader: &'a [u32],
    degree: Vec<u32>,
}

impl<'a> Streamed<'a> {
    fn new(pairs: &[(PairKey, Proposers)], leader: &'a [u32]) -> Streamed<'a> {
        let mut degree = vec![0u32; leader.len()];
        for &(key, _) in pairs {
            let (a, b) = unpack(key);
            degree[a as usize] += 1;
            degree[b as usize] += 1;
        }
        Streamed { leader, degree }
    }

    /// The member of the pair analysed while the pair is scored, if any.
    fn member(&self, key: PairKey) -> Option<u32> {
        let (a, b) = unpack(key);
        let leads = |d: u32| self.leader[d as usize] == d;
        [(a, b), (b, a)]
            .into_iter()
            .find(|&(m, l)| !leads(m) && leads(l) && self.degree[m as usize] == 1)
            .map(|(m, _)| m)
    }
}

/// The analyses held during verification, found by document through a slot table.
struct Analyses {
    slot: Vec<u32>,
    list: Vec<Analysis>,
}

impl Analyses {
    const NONE: u32 = u32::MAX;

    /// Reads again and analyses, in parallel, every document of a pair but the streamed members; a
    /// document that cannot be read again is a problem (an error when strict) and has no analysis.
    fn load(
        corpus: &SignedCorpus,
        pairs: &[(PairKey, Proposers)],
        streamed: &Streamed,
        plan: &Plan,
        kin: &Kin,
        progress: &dyn Progress,
        problems: &mut Vec<Problem>,
    ) -> Result<Analyses> {
        let mut needed: Vec<u32> = pairs
            .iter()
            .flat_map(|&(key, _)| {
                let (a, b) = unpack(key);
                let member = streamed.member(key);
                [a, b].into_iter().filter(move |&d| Some(d) != member)
            })
            .collect();
        needed.par_sort_unstable();
        needed.dedup();
        progress.stage("analysing", Some(needed.len() as u64), Unit::Documents);
        let loaded: Vec<Result<Analysis>> = needed
            .par_iter()
            .map(|&i| {
                // Cancelled: what is left is not analysed (the run stops below).
                let result = match progress.cancelled() {
                    true => Err(Error::Cancelled),
                    false => analyse(corpus, plan, i, kin),
                };
                progress.inc(1);
                result
            })
            .collect();
        let mut analyses = Analyses { slot: vec![Self::NONE; corpus.documents.len()], list: Vec::new() };
        for (&i, r) in needed.iter().zip(loaded) {
            match r {
                Ok(a) => {
                    analyses.slot[i as usize] = analyses.list.len() as u32;
                    analyses.list.push(a);
                }
                Err(e) => match unreadable(corpus, i, e)? {
                    p if plan.config.input.strict => return Err(p.into()),
                    p => problems.push(p),
                },
            }
        }
        Ok(analyses)
    }

    fn get(&self, d: u32) -> Option<&Analysis> {
        match self.slot[d as usize] {
            Self::NONE => None,
            s => Some(&self.list[s as usize]),
        }
    }
}

/// What verification knows of each document's relatives ([`Analysis::among`]).
struct Kin<'a> {
    leader: &'a [u32],
    /// Members of each leader's near-duplicate group (1 for a document in none).
    group_sizes: Vec<u32>,
    /// How many candidate partners share passages of each document's wording.
    wording_partners: Vec<u32>,
    /// The groups holding texts besides their leader's ([`GroupTexts`]).
    groups: &'a [GroupTexts],
    /// (document, place in `groups`) of each document's own group and its partners' groups, sorted.
    related_groups: Vec<(u32, u32)>,
}

impl<'a> Kin<'a> {
    fn new(
        pairs: &[(PairKey, Proposers)],
        leader: &'a [u32],
        group_sizes: Vec<u32>,
        wording_partners: Vec<u32>,
        groups: &'a [GroupTexts],
    ) -> Kin<'a> {
        let place = |d: u32| groups.binary_search_by_key(&leader[d as usize], |g| g.leader).ok().map(|g| g as u32);
        let mut related_groups: Vec<(u32, u32)> = Vec::new();
        if !groups.is_empty() {
            let own = (0..leader.len() as u32).filter_map(|d| Some((d, place(d)?)));
            let partners =
                pairs.iter().map(|&(key, _)| unpack(key)).filter(|&(a, b)| leader[a as usize] != leader[b as usize]);
            let partners =
                partners.flat_map(|(a, b)| [(a, place(b)), (b, place(a))]).filter_map(|(d, g)| Some((d, g?)));
            related_groups = own.chain(partners).collect();
            related_groups.par_sort_unstable();
            related_groups.dedup();
        }
        Kin { leader, group_sizes, wording_partners, groups, related_groups }
    }

    /// How many documents `d` is related to: the rest of its near-duplicate group and its partners in
    /// wording.
    fn related(&self, d: u32) -> u32 {
        self.group_sizes[self.leader[d as usize] as usize] - 1 + self.wording_partners[d as usize]
    }

    /// The near-duplicate groups related to `d` (its own and its partners').
    fn groups_of(&self, d: u32) -> Vec<&GroupTexts> {
        let from = self.related_groups.partition_point(|&(x, _)| x < d);
        let related = self.related_groups[from..].iter().take_while(|&&(x, _)| x == d);
        related.map(|&(_, g)| &self.groups[g as usize]).collect()
    }
}

/// How many texts besides one the collection's counts hold of `stem` through `groups`: those whose
/// leader's text holds it.
fn held(groups: &[&GroupTexts], stem: u64) -> u32 {
    let high = (stem >> 32) as u32;
    groups.iter().filter(|g| g.stems.binary_search(&high).is_ok()).map(|g| g.others).sum()
}

/// For each of `documents`, how many of its candidate partners share passages of its wording (word
/// n-grams: proposed by the words view or the passages), its relatives in wording; the rewording views
/// propose documents on one topic too (hundreds a chapter in a collection of one book), which are not.
fn wording_partners(pairs: &[(PairKey, Proposers)], proposers: &[Proposer], documents: usize) -> Vec<u32> {
    let wording: Proposers = (proposers.iter().enumerate())
        .filter(|(_, p)| matches!(p, Proposer::View(View::Words) | Proposer::Passages))
        .fold(0, |bits, (k, _)| bits | 1 << k);
    let mut partners = vec![0u32; documents];
    for &(key, proposed_by) in pairs {
        if proposed_by & wording != 0 {
            let (a, b) = unpack(key);
            partners[a as usize] += 1;
            partners[b as usize] += 1;
        }
    }
    partners
}

/// Document `i` read again (its page furniture left out) and analysed among its relatives, `kin`
/// ([`Analysis::among`]).
fn analyse(corpus: &SignedCorpus, plan: &Plan, i: u32, kin: &Kin) -> Result<Analysis> {
    let d = &corpus.documents[i as usize];
    let tokens = |text: String| Tokens::new(&plan.boilerplate.strip(&text, d.url()));
    input::reload(&d.path, &d.origin, &plan.config.input).map(|text| {
        let groups = kin.groups_of(i);
        Analysis::among(tokens(text), &corpus.frequencies, kin.related(i), &|stem| held(&groups, stem))
    })
}

/// What to do when document `i` cannot be read again: a damaged index stops the run (the index is
/// refused by the first command that reads its damaged part, as when it is opened); any other input
/// that changed or went away since it was read is a problem of that document, and the run goes on
/// without it (unless `--strict`).
fn unreadable(corpus: &SignedCorpus, i: u32, error: Error) -> Result<Problem> {
    match error {
        Error::Index { .. } | Error::Cancelled => Err(error),
        e => {
            let d = &corpus.documents[i as usize];
            Ok(Problem::in_file(d.path.to_path_buf(), format!("cannot read again for verification: {e}")))
        }
    }
}

/// What scoring a pair consults.
struct Verifier<'a> {
    corpus: &'a SignedCorpus,
    plan: &'a Plan<'a>,
    progress: &'a dyn Progress,
    /// Each document's partners among the candidates outside its near-duplicate group: the witnesses of
    /// direction.
    witnesses: Neighbours,
    sentence_embeddings: Vec<OnceLock<Vec<Embedding>>>,
    leader: &'a [u32],
    kin: &'a Kin<'a>,
    streamed: &'a Streamed<'a>,
    analyses: &'a Analyses,
    /// The direction model and the features it needs measured.
    weigher: Weigher<'a>,
}

impl Verifier<'_> {
    /// Aligns and judges one pair: `None` when it is judged not derived (unless such pairs are reported),
    /// the error, with the document, when a streamed member cannot be read again.
    fn score(
        &self,
        (scratch, encoder): &mut (AlignScratch, embed::Scratch),
        key: PairKey,
        proposed_by: Proposers,
    ) -> std::result::Result<Option<ScoredPair>, (u32, Error)> {
        let (a, b) = unpack(key);
        let own = match self.streamed.member(key) {
            Some(member) => Some((member, analyse(self.corpus, self.plan, member, self.kin).map_err(|e| (member, e))?)),
            None => None,
        };
        let get = |d: u32| match &own {
            Some((member, analysis)) if *member == d => Some(analysis),
            _ => self.analyses.get(d),
        };
        // Both are present: pairs without an analysis were dropped before scoring.
        let (Some(x), Some(y)) = (get(a), get(b)) else { return Ok(None) };
        let mut alignment = align_with(x, y, scratch);
        let bars = &self.plan.config.verdict;
        let mut verdict = score::classify(x, y, &alignment, bars);
        let mut restated = None;
        if verdict.is_none()
            && let Some((confidence, evidence)) = score::specifics_rewrite(x, y, &alignment, bars)
        {
            (verdict, restated) = (Some((Relation::Rewrite, confidence)), Some(evidence));
        }
        let (mut semantic, mut figures) = (None, None);
        if verdict.is_none()
            && let Some((measured, confirmed)) = self.semantic_rewrite(a, x, b, y, &alignment, encoder)
        {
            (figures, semantic) = (Some(measured), confirmed);
            verdict = semantic.as_ref().map(|(confidence, _)| (Relation::Rewrite, *confidence));
        }
        self.progress.inc(1);
        let mut pair = ScoredPair { verified: true, semantic: figures, ..ScoredPair::unverified(key, proposed_by) };
        let Some((relation, confidence)) = verdict else {
            alignment.sentences = Vec::new();
            pair.alignment = alignment;
            return Ok(self.plan.config.report_unrelated.then_some(pair));
        };
        let (witnesses, witness_dates) = self.witnesses(a, b);
        let group = |d: u32| self.leader[d as usize];
        let side = |i: u32, analysis, coverage| {
            let d = &self.corpus.documents[i as usize];
            let field = |name: &str| d.extra.get(name).and_then(Value::as_str);
            let (url, canonical) = (field("url"), field("canonical"));
            // A date to the minute with its zone, and not the crawler's (a web archive's page without a date).
            Side { id: &d.id, analysis, coverage, date: d.day, precision: d.precision, url, canonical }
        };
        // The members of the pair's near-duplicate groups besides the pair, a group both are in once.
        let members = |d: u32| self.kin.group_sizes[group(d) as usize] - 1;
        let copies = if group(a) == group(b) { members(a) - 1 } else { members(a) + members(b) };
        let unconsulted =
            [a, b].iter().map(|&d| self.kin.wording_partners[d as usize].saturating_sub(MAX_WITNESSES as u32)).sum();
        let (lean, mut evidence, features) = score::direction(
            relation,
            &alignment,
            &side(a, x, alignment.coverage_a),
            &side(b, y, alignment.coverage_b),
            Related { witnesses: &witnesses, witness_dates: &witness_dates, copies, unconsulted },
            &self.corpus.frequencies,
            &self.weigher,
        );
        evidence.extend(restated.into_iter().chain(semantic.map(|(_, e)| e)));
        // Kept until the report, for each of what may be millions of pairs: no more room than used.
        alignment.sentences = Vec::new();
        alignment.passages.shrink_to_fit();
        for e in &mut evidence {
            e.detail.shrink_to_fit();
        }
        evidence.shrink_to_fit();
        let lean_parts =
            features.as_ref().filter(|_| matches!(lean, Lean::Towards(_))).map(|f| self.weigher.model.score_parts(f));
        let features = features.filter(|_| self.plan.config.all_direction_features).map(Box::new);
        Ok(Some(ScoredPair {
            relation: Some(relation),
            confidence,
            lean: Some(lean),
            features,
            lean_parts,
            alignment,
            evidence,
            ..pair
        }))
    }

    /// Witnesses of direction: related documents other than the pair, and other than near-duplicates of
    /// either side (a copy of one side holds all of its wording and is no independent witness); and each
    /// one's publication date and id.
    fn witnesses(&self, a: u32, b: u32) -> (Vec<&Analysis>, Vec<WitnessDate<'_>>) {
        let group = |d: u32| self.leader[d as usize];
        [a, b]
            .iter()
            .flat_map(|&d| {
                self.witnesses
                    .of(d)
                    .iter()
                    .filter(|&&n| group(n) != group(a) && group(n) != group(b))
                    .take(MAX_WITNESSES)
            })
            .filter_map(|&n| {
                let d = &self.corpus.documents[n as usize];
                self.analyses.get(n).map(|analysis| (analysis, (d.day, d.precision, d.id.as_str())))
            })
            .unzip()
    }

    /// The semantic view confirms what the wording alone does not show: the leads say the same thing,
    /// and the texts go on saying it sentence after sentence (texts written apart on one topic open
    /// alike too). Their sentences are embedded only for such pairs, from the texts read again. The
    /// figures when the view is on, and the confidence of a rewrite and its evidence when it confirms one.
    fn semantic_rewrite(
        &self,
        a: u32,
        x: &Analysis,
        b: u32,
        y: &Analysis,
        alignment: &Alignment,
        encoder: &mut embed::Scratch,
    ) -> Option<(SemanticFigures, Option<(f64, Evidence)>)> {
        let (s, model) = (self.plan.config.semantic.as_ref()?, self.plan.model.as_ref()?);
        let embeddings = &self.corpus.embeddings;
        let leads = embed::similarity(&embeddings[a as usize], &embeddings[b as usize]);
        let (specifics, specifics_weight) = (alignment.specifics, alignment.specifics_weight);
        let mut figures = SemanticFigures { leads, restatement: None, specifics, specifics_weight };
        if leads < s.threshold {
            return Some((figures, None));
        }
        let mut sentences = |d: u32, analysis: &Analysis| {
            self.sentence_embeddings[d as usize].get_or_init(|| {
                let doc = &self.corpus.documents[d as usize];
                let ranges = analysis.sentence_bytes();
                input::reload(&doc.path, &doc.origin, &self.plan.config.input)
                    .map(|text| {
                        let text = self.plan.boilerplate.strip(&text, doc.url());
                        model.embed_sentences(&text, ranges, MAX_SENTENCES, encoder)
                    })
                    .unwrap_or_default()
            })
        };
        let (ex, ey) = (sentences(a, x), sentences(b, y));
        let r = embed::restatement(ex, ey, s.sentence_similarity);
        figures.restatement = Some(r);
        let verdict = score::semantic_rewrite(&figures, s).map(|confidence| {
            let detail = format!(
                "the leads (first {} tokens) mean the same (embeddings' cosine similarity {leads:.3}), \
                 {:.0}% of the shorter text's sentences restate the other's in order, and its sentences' \
                 closest matches reach {:.3} on average",
                s.tokens,
                100.0 * r.in_order_share(),
                r.closeness
            );
            (confidence, Evidence { signal: SEMANTIC, favours: None, detail })
        });
        Some((figures, verdict))
    }
}
