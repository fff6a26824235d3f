//! The tokenizer: a document's words as [`Token`]s (byte offsets into the original text, the hash of the
//! normalised word, the hash of its stem, flags) and the token indices where its sentences start. Words are
//! read by `read_word` (lower case, apostrophes and thousands separators dropped; a Han or kana character
//! a word of its own; Thai, Lao, Burmese and Khmer cut by ICU's dictionary segmenter, [`Runs`]), or, for a
//! plain run of ASCII letters and digits, hashed in place. Its neighbours: `lexicon.rs` gives the stop
//! words, abbreviations and stemmer; `fast.rs`, the words-only reader, reuses the word reader, the word
//! hash and the character classes here; the views in `mod.rs` turn the tokens into shingles.

use std::collections::HashSet;
use std::sync::OnceLock;

use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::lexicon::{abbreviations, stem, stop_words};
use crate::hash::{ASCII_LOWER, HASH_K, hash_bytes, hash_step, low_bytes, mix, word_hash};

/// The token starts with an upper-case letter.
pub const CAPITALISED: u8 = 1;
/// The token contains a digit.
pub const NUMBER: u8 = 2;
/// The token is inside quotation marks.
pub const QUOTED: u8 = 4;
/// The token is a stop word (its `stem` is zero).
pub const STOP: u8 = 8;
/// The token is a Han or kana character, a word of its own in text written without spaces.
pub const UNSPACED: u8 = 16;
/// The token is capitalised as its sentence's style (a headline in title case or in capitals), not as a
/// name: [`Token::is_name`] is false.
pub const TITLED: u8 = 32;

/// One word of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte in the original text.
    pub start: u32,
    /// Byte offset one past the last byte in the original text.
    pub end: u32,
    /// Hash of the normalised word.
    pub word: u64,
    /// Hash of the light stem of the normalised word; zero for stop words.
    pub stem: u64,
    /// Bit set of [`CAPITALISED`], [`NUMBER`], [`QUOTED`], [`STOP`].
    pub flags: u8,
}

impl Token {
    /// Whether the token carries meaning (not a stop word).
    pub fn is_content(&self) -> bool {
        self.flags & STOP == 0
    }

    /// Whether the token is a name or a number: a number, or a content word capitalised as a name is
    /// ([`Token::is_name`]; a common word that opens a sentence is one too: weigh by rarity to tell them
    /// apart).
    pub fn is_specific(&self) -> bool {
        self.is_content() && (self.flags & NUMBER != 0 || self.is_name())
    }

    /// Whether the token is capitalised as a name is: not as its sentence's style ([`TITLED`]). An opening
    /// word is capitalised whatever it is: callers that can tell leave it out.
    pub fn is_name(&self) -> bool {
        self.flags & (CAPITALISED | TITLED) == CAPITALISED
    }

    /// Whether the token is inside a quotation.
    pub fn is_quoted(&self) -> bool {
        self.flags & QUOTED != 0
    }

    /// How much of a word the token is, in halves: a Han or kana character is half a word (Chinese words
    /// are mostly two characters long), any other token a whole one.
    pub fn halves(&self) -> usize {
        if self.flags & UNSPACED != 0 { 1 } else { 2 }
    }
}

/// A tokenised document: tokens in order and the index of the first token of each sentence.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    /// The words, in text order.
    pub tokens: Vec<Token>,
    /// Index into `tokens` of the first token of each sentence, ascending, starting with 0 when
    /// there is at least one token.
    pub sentence_starts: Vec<u32>,
    /// The text may end inside a sentence (nothing closes one after its last word, short of a sign-off
    /// line; it ends in an ellipsis; or it has no sentence punctuation, which would say where it ends):
    /// stored cut, as feeds, excerpts and size limits leave articles.
    pub cut_short: bool,
    /// The text has sentence punctuation. Without any, its "sentences" are windows of words, and a
    /// capitalised word may open a sentence as well as name someone.
    pub punctuated: bool,
}

/// Words a closing line may have and still be a sign-off or credit rather than the text's last sentence
/// ("Reuter", "(Reporting by …; Editing by …)").
const SIGN_OFF_WORDS: usize = 12;

/// Whether `text`, tokenised into `t`, may have been cut inside a sentence: it ends in an ellipsis, or it
/// has no sentence punctuation at all (nothing says where it ends), or it has sentences and no closing
/// punctuation follows its last word. A short last sentence on a line of its own (a sign-off, a credit)
/// is left out: what ends the sentence before it decides.
fn cut_inside_a_sentence(text: &str, t: &Tokens) -> bool {
    let closes = |s: &str| s.chars().any(closes_sentence);
    let Some(last) = t.tokens.last() else { return false };
    let rest = text[last.end as usize..].trim_end();
    let closed =
        rest.trim_end_matches(|c: char| matches!(c, ']' | ')' | '"' | '”' | '’' | '\'' | '»') || c.is_whitespace());
    if closed.ends_with("...") || closed.ends_with('…') || !t.punctuated {
        return true;
    }
    if t.sentence_starts.len() < 2 || closes(rest) {
        return false;
    }
    let first = *t.sentence_starts.last().unwrap_or(&0) as usize;
    let gap = &text[t.tokens[first - 1].end as usize..t.tokens[first].start as usize];
    let sign_off = t.tokens.len() - first <= SIGN_OFF_WORDS && gap.contains('\n');
    !(sign_off && closes(gap))
}

impl Tokens {
    /// Tokenises `text`.
    pub fn new(text: &str) -> Tokens {
        let mut tokens = Tokens::default();
        // News averages six bytes a word with its space: room for that at once instead of growing
        // step by step, then the excess given back.
        tokens.tokens.reserve(text.len() / 5 + 4);
        tokenize_into(text, &mut tokens, &mut String::new());
        tokens.tokens.shrink_to_fit();
        tokens
    }

    /// The token index range of sentence `i`.
    pub fn sentence(&self, i: usize) -> std::ops::Range<usize> {
        let start = self.sentence_starts[i] as usize;
        let end = self.sentence_starts.get(i + 1).map_or(self.tokens.len(), |&e| e as usize);
        start..end
    }

    /// Number of sentences.
    pub fn sentence_count(&self) -> usize {
        self.sentence_starts.len()
    }

    /// Length in words, a Han or kana character counting as half a word (rounded up).
    pub fn word_count(&self) -> usize {
        self.tokens.iter().map(Token::halves).sum::<usize>().div_ceil(2)
    }
}

/// Tokenises `text` into `out`, reusing its buffers and `scratch` (so a worker allocates only while its
/// buffers grow).
pub fn tokenize_into(text: &str, out: &mut Tokens, scratch: &mut String) {
    STEMS.with_borrow_mut(|stems| tokenize_with(text, out, scratch, stems, true));
    out.cut_short = cut_inside_a_sentence(text, out);
}

/// The stem hashes (0 for a stop word) of the words a thread saw last, by word hash: news vocabulary is
/// so skewed that most tokens are words seen a moment ago, whose stemming and hashing this skips.
struct StemCache(Vec<(u64, u64)>);

thread_local! {
    static STEMS: std::cell::RefCell<StemCache> = std::cell::RefCell::new(StemCache(vec![(0, 0); 1 << 12]));
}

impl StemCache {
    /// The stem hash of the word hashing to `word`, from `compute` unless cached.
    fn get(&mut self, word: u64, compute: impl FnOnce() -> u64) -> u64 {
        let slot = &mut self.0[(word >> 52) as usize];
        // Word hash 0 marks an empty slot; a word hashing to 0 is computed each time.
        if slot.0 != word || word == 0 {
            *slot = (word, compute());
        }
        slot.1
    }
}

/// [`tokenize_into`]; with `ascii_runs`, a word that is a run of ASCII letters and digits ending where
/// nothing can join it to more is hashed in place (lower-cased on the fly) instead of read into `scratch`
/// first, which is most words of most text (the same tokens either way).
fn tokenize_with(text: &str, out: &mut Tokens, scratch: &mut String, stems: &mut StemCache, ascii_runs: bool) {
    out.tokens.clear();
    out.sentence_starts.clear();
    let bytes = text.as_bytes();
    let stops = stop_words();
    let abbrevs = abbreviations();
    let mut in_quote = false;
    // A sentence starts at the first token, after a line break or a Chinese or Japanese full stop, and
    // after other terminal punctuation that is followed by a capitalised word, a number or an opening
    // quotation mark.
    let mut new_sentence = true;
    let mut terminator = false;
    let mut quote_opened = false;
    let mut unspaced = false;
    // Terminal punctuation followed by a lower-case word (where a sentence starts if the text is written
    // in lower case), and how often a capitalised word follows.
    let mut lower_after_stop: Vec<u32> = Vec::new();
    let mut capital_after_stop = 0usize;
    let mut runs = Runs::default();
    let stripped = without_apostrophes(text);
    let mut i = 0;
    while i < bytes.len() {
        let c = char_at(text, i);
        if c.is_alphanumeric() {
            let start = i;
            let run = if ascii_runs { ascii_word(bytes, i) } else { None };
            let (end, number, word) = match run {
                Some((end, number)) => (end, number, hash_ascii_run(bytes, start, end)),
                None => {
                    let (end, number) = read_word(text, i, scratch, &mut runs);
                    (end, number, word_hash(scratch.as_bytes()))
                }
            };
            // A suffix a stripped apostrophe left: read with its word, from `scratch`.
            let joined = if stripped { stripped_suffix(bytes, end) } else { None };
            let (end, word, run) = match joined {
                Some(after) => {
                    if run.is_some() {
                        scratch.clear();
                        scratch.push_str(&text[start..end]);
                        scratch.make_ascii_lowercase();
                    }
                    scratch.push_str(&text[end + 1..after]);
                    (after, word_hash(scratch.as_bytes()), None)
                }
                None => (end, word, run),
            };
            i = end;
            let mut flags = 0u8;
            if c.is_uppercase() {
                flags |= CAPITALISED;
            }
            if !c.is_ascii() && is_unspaced(c) {
                flags |= UNSPACED;
                unspaced = true;
            }
            if number {
                flags |= NUMBER;
            }
            let stem_hash = stems.get(word, || {
                if run.is_some() {
                    scratch.clear();
                    scratch.push_str(&text[start..end]);
                    scratch.make_ascii_lowercase();
                }
                if stops.contains(&word) {
                    0
                } else {
                    // Seeded so that a stem never collides with the hash of the same string as a word.
                    xxh3_64_with_seed(stem(scratch).as_bytes(), 0x57e4)
                }
            });
            if stem_hash == 0 {
                flags |= STOP;
            }
            if in_quote {
                flags |= QUOTED;
            }
            let index = out.tokens.len() as u32;
            let capital_or_number = flags & (CAPITALISED | NUMBER) != 0;
            if new_sentence || (terminator && (capital_or_number || quote_opened)) {
                out.sentence_starts.push(index);
                capital_after_stop += usize::from(terminator && !new_sentence);
            } else if terminator {
                lower_after_stop.push(index);
            }
            new_sentence = false;
            terminator = false;
            quote_opened = false;
            out.tokens.push(Token { start: start as u32, end: i as u32, word, stem: stem_hash, flags });
            // After the token, look at what follows to decide on abbreviations.
            if i < bytes.len() && bytes[i] == b'.' {
                let one_letter = if run.is_some() { end - start == 1 } else { scratch.chars().count() == 1 };
                let single_initial = one_letter && flags & CAPITALISED != 0;
                if single_initial || abbrevs.contains(&word) {
                    // Skip the full stop so it does not end the sentence.
                    i += 1;
                }
            }
            continue;
        }
        match c {
            '\n' => {
                new_sentence = true;
                // A quotation left open at the end of a paragraph closes there: news style reopens
                // it at the start of the next paragraph.
                in_quote = false;
            }
            '.' | '!' | '?' => terminator = true,
            // Chinese and Japanese full stops: whatever follows starts a sentence (there are no capitals).
            '。' | '！' | '？' | '｡' => new_sentence = true,
            '"' => {
                in_quote = !in_quote;
                quote_opened = in_quote;
            }
            '“' | '«' | '„' | '「' | '『' => {
                in_quote = true;
                quote_opened = true;
            }
            '”' | '»' | '」' | '』' => in_quote = false,
            _ => {}
        }
        i += c.len_utf8();
    }
    if unspaced {
        stem_character_pairs(text, &mut out.tokens);
    }
    if lower_after_stop.len() >= LOWER_CASE_STOPS && lower_after_stop.len() > capital_after_stop {
        // A text written in lower case (or with its capitals stripped): its full stops end sentences.
        out.sentence_starts.extend(lower_after_stop);
        out.sentence_starts.sort_unstable();
    }
    // A text in capitals (a headline, a telex, a shouted page) shows no names: its capitals are not theirs.
    let (upper, lower) = text.bytes().fold((0usize, 0usize), |(u, l), b| {
        (u + usize::from(b.is_ascii_uppercase()), l + usize::from(b.is_ascii_lowercase()))
    });
    if upper > CAPITALS_TEXT * lower {
        out.tokens.iter_mut().for_each(|t| t.flags &= !CAPITALISED);
    }
    // Nor does a sentence in title case or in capitals (a headline, "Holiday Chaos as Pilots Stage Historic
    // Strike"): its capitals are the style's, and a rewrite's headline so styled "had names" its source
    // lacks. Such a style capitalises common words, which the text writes in lower case elsewhere
    // ("pilots"); a line of names alone (a byline, "By Ebru Sengul Cevrioglu") has none such and keeps its
    // names. Its words stay capitalised otherwise (a headline's names are no narrative phrasing).
    fn content_words(tokens: &[Token]) -> impl Iterator<Item = &Token> + Clone {
        tokens.iter().skip(1).filter(|t| t.flags & (STOP | NUMBER) == 0)
    }
    let capitalised: Vec<(usize, usize)> = (out.sentence_starts.iter().enumerate())
        .map(|(k, &start)| (start as usize, out.sentence_starts.get(k + 1).map_or(out.tokens.len(), |&e| e as usize)))
        .filter(|&(start, end)| {
            let words = content_words(&out.tokens[start..end]);
            words.clone().count() >= TITLE_WORDS && words.clone().all(|t| t.flags & CAPITALISED != 0)
        })
        .collect();
    if !capitalised.is_empty() {
        // The words written in lower case somewhere, gathered once (a page of title-case lines would
        // otherwise search the whole text for each of their words).
        let lower: HashSet<u64> = out.tokens.iter().filter(|u| u.flags & CAPITALISED == 0).map(|u| u.word).collect();
        for (start, end) in capitalised {
            if content_words(&out.tokens[start..end]).any(|t| lower.contains(&t.word)) {
                out.tokens[start..end].iter_mut().for_each(|t| t.flags |= TITLED);
            }
        }
    }
    // Without any sentence punctuation, a paragraph says nothing of where its sentences end.
    out.punctuated = text.chars().any(closes_sentence);
    let run_on = if out.punctuated { RUN_ON_WORDS } else { WINDOW_WORDS };
    cut_run_on_sentences(&mut out.sentence_starts, out.tokens.len(), run_on);
}

/// How many times more capital letters than small ones make a text written in capitals: such a text
/// keeps the odd small letter (a unit, "McDONALD"), where ordinary text has some twenty small letters to
/// each capital.
const CAPITALS_TEXT: usize = 20;

/// Content words after its first from which a sentence whose content words are all capitalised, one of
/// them written in lower case elsewhere in the text, is taken to be in title case ("President Joe Biden"
/// alone is names).
const TITLE_WORDS: usize = 3;

/// Full stops followed by a lower-case word from which a text that has more of them than of full stops
/// followed by a capital is taken to be written in lower case.
const LOWER_CASE_STOPS: usize = 2;

/// Words beyond which a "sentence" of a punctuated text is not one: a stretch left without sentence
/// punctuation (a stripped passage, a transcript, a scraped blob), which would align as one sentence with
/// a whole article.
const RUN_ON_WORDS: usize = 100;
/// Words of each window such a run is cut into, about a news sentence. A text with no sentence
/// punctuation at all has each paragraph longer than this cut: its lines are not its sentences.
const WINDOW_WORDS: usize = 25;

/// Whether `c` closes a sentence.
fn closes_sentence(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '。' | '！' | '？' | '։' | '۔' | '।')
}

/// Cuts each sentence of more than `run_on` tokens into windows of [`WINDOW_WORDS`], so a text without
/// punctuation aligns window by window as other texts align sentence by sentence.
fn cut_run_on_sentences(starts: &mut Vec<u32>, tokens: usize, run_on: usize) {
    let end = |k: usize, starts: &[u32]| starts.get(k + 1).map_or(tokens, |&e| e as usize);
    if (0..starts.len()).all(|k| end(k, starts) - starts[k] as usize <= run_on) {
        return;
    }
    let cut: Vec<u32> = (0..starts.len())
        .flat_map(|k| {
            let (s, e) = (starts[k] as usize, end(k, starts));
            let step = if e - s > run_on { WINDOW_WORDS } else { e - s };
            (s..e).step_by(step.max(1)).map(|w| w as u32)
        })
        .collect();
    *starts = cut;
}

/// Gives each Han or kana character the stem of the pair it starts with the next character (most Chinese
/// words are two characters long), and the last character of a run none (a stop word): characters alone
/// are so few that unrelated Chinese texts share most of them, character pairs as rarely as words.
fn stem_character_pairs(text: &str, tokens: &mut [Token]) {
    let is_character = |t: &Token| t.flags & UNSPACED != 0;
    for k in 0..tokens.len() {
        if !is_character(&tokens[k]) {
            continue;
        }
        let end = tokens.get(k + 1).filter(|next| next.start == tokens[k].end && is_character(next)).map(|n| n.end);
        let t = &mut tokens[k];
        match end {
            Some(end) => {
                t.stem = xxh3_64_with_seed(&text.as_bytes()[t.start as usize..end as usize], 0x57e4);
                t.flags &= !STOP;
            }
            None => {
                t.stem = 0;
                t.flags |= STOP;
            }
        }
    }
}

/// When the word at `start` is a run of ASCII letters and digits that nothing joins to more (a
/// non-ASCII letter, an apostrophe, a separator between digits), its end and whether it holds a digit.
fn ascii_word(bytes: &[u8], start: usize) -> Option<(usize, bool)> {
    let (end, seen) = ascii_run(bytes, start);
    (end > start && !joins_on(bytes, end)).then_some((end, seen & DIGIT != 0))
}

/// Whether the word reader would join the run of ASCII letters and digits ending at `end` to what
/// follows: a non-ASCII letter, an apostrophe, or a separator between digits ("1,000", "3.5").
#[inline(always)]
pub(super) fn joins_on(bytes: &[u8], end: usize) -> bool {
    let digit = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_digit);
    match bytes.get(end) {
        Some(b',' | b'.') => digit(end - 1) && digit(end + 1),
        Some(b'\'' | 0x80..) => true,
        _ => false,
    }
}

/// The end of the run of ASCII letters and digits from `start`, and the classes ([`ASCII_CLASS`]) of its
/// bytes or-ed together.
#[inline(always)]
fn ascii_run(bytes: &[u8], start: usize) -> (usize, u8) {
    let (mut end, mut seen) = (start, 0u8);
    while end < bytes.len() {
        let class = ASCII_CLASS[bytes[end] as usize];
        if class & ALNUM == 0 {
            break;
        }
        seen |= class;
        end += 1;
    }
    (end, seen)
}

/// [`hash_bytes`] with [`ASCII_LOWER`] of the run of ASCII letters and digits `text[start..end]`, for
/// runs of up to 16 bytes with 16 bytes of text from `start` on: two loads, masked, no branch on the
/// length.
#[inline(always)]
pub(super) fn hash_ascii_run(text: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    if len > 16 || start + 16 > text.len() {
        return hash_bytes(&text[start..end], ASCII_LOWER);
    }
    let chunk = |at: usize, len: usize| {
        (u64::from_le_bytes(text[at..at + 8].try_into().expect("eight bytes")) | ASCII_LOWER) & low_bytes(len)
    };
    let h = (len as u64).wrapping_mul(HASH_K);
    let h = hash_step(h, chunk(start, len.min(8)));
    mix(hash_step(h, chunk(start + 8, len.saturating_sub(8))))
}

/// Whether `text` may have had its apostrophes stripped: it has none (most text has one early on, where
/// the vectorised search stops).
pub(super) fn without_apostrophes(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr(b'\'', bytes).is_none() && memchr::memmem::find(bytes, "’".as_bytes()).is_none()
}

/// The suffix a stripped apostrophe leaves standing after the word that ends at `end` ("moscow s",
/// "don t", "we re"): one space, then `s`, `t`, `d`, `m`, `ll`, `re` or `ve` in small letters that
/// nothing but an ASCII non-letter (or the end) follows, after a word ending in an ASCII letter. In a text
/// without apostrophes the word is read with it, as "Moscow's" and "don't" are read ("moscows", "dont").
/// Returns where the suffix ends (it starts at `end + 1`).
pub(super) fn stripped_suffix(bytes: &[u8], end: usize) -> Option<usize> {
    if bytes.get(end) != Some(&b' ') {
        return None;
    }
    let rest = &bytes[end + 1..];
    let len = match (rest.first()?, rest.get(1)) {
        (b's' | b't' | b'd' | b'm', _) => 1,
        (b'l', Some(b'l')) | (b'r' | b'v', Some(b'e')) => 2,
        _ => return None,
    };
    let alone = rest.get(len).is_none_or(|&b| b < 0x80 && !b.is_ascii_alphanumeric());
    (alone && end > 0 && bytes[end - 1].is_ascii_alphabetic()).then_some(end + 1 + len)
}

/// Reads the word that starts at byte `i` (an alphanumeric character) into `scratch`, normalised (lower
/// case, apostrophes and thousands separators dropped); returns the offset one past it and whether it
/// holds a digit.
#[inline(always)]
pub(super) fn read_word(text: &str, mut i: usize, scratch: &mut String, runs: &mut Runs) -> (usize, bool) {
    let bytes = text.as_bytes();
    scratch.clear();
    let mut number = false;
    let mut prev = '\0';
    let mut wide = false;
    while i < bytes.len() {
        // Most of the text is ASCII letters and digits: take them a byte at a time, without decoding a
        // `char` (the same result as the general path below).
        if ASCII_CLASS[bytes[i] as usize] & ALNUM != 0 {
            // A run of ASCII letters and digits, classified by table lookups and copied in one go.
            let (end, seen) = ascii_run(bytes, i);
            let at = scratch.len();
            scratch.push_str(&text[i..end]);
            if seen & UPPER != 0 {
                scratch[at..].make_ascii_lowercase();
            }
            number |= seen & DIGIT != 0;
            prev = bytes[end - 1] as char;
            i = end;
            continue;
        }
        let c = char_at(text, i);
        let width = c.len_utf8();
        wide |= !c.is_ascii();
        if is_segmented(c) {
            // Thai and its neighbours: the word the dictionary finds in the run of such text.
            if scratch.is_empty() {
                let end = runs.word_end(text, i);
                scratch.push_str(&text[i..end]);
                number |= scratch.chars().any(char::is_numeric);
                i = end;
            }
            break;
        }
        if is_unspaced(c) {
            // Chinese and Japanese are written without spaces between words: each such character is a
            // word of its own, and ends a word of another script written against it.
            if scratch.is_empty() {
                scratch.push(c);
                i += width;
                // With its combining marks (a decomposed voiced kana).
                while let Some(m) =
                    text[i..].chars().next().filter(|&m| unicode_normalization::char::is_combining_mark(m))
                {
                    scratch.push(m);
                    i += m.len_utf8();
                }
            }
            break;
        }
        if c.is_alphanumeric() {
            if c.is_ascii() {
                scratch.push(c.to_ascii_lowercase());
            } else {
                scratch.extend(c.to_lowercase());
            }
            number |= c.is_numeric();
            prev = c;
            i += width;
            continue;
        }
        if unicode_normalization::char::is_combining_mark(c) && !scratch.is_empty() {
            // A vowel sign, virama or vowel mark (Devanagari, Arabic) belongs to its letter.
            scratch.push(c);
            i += width;
            continue;
        }
        let next = text[i + width..].chars().next();
        let joins = match c {
            // "Moscow's", "don’t": one word, the apostrophe dropped.
            '\'' | '’' => prev.is_alphabetic() && next.is_some_and(char::is_alphabetic),
            // "1,000" and "2.5": one number; the thousands separator is dropped.
            ',' | '.' => prev.is_ascii_digit() && next.is_some_and(|n| n.is_ascii_digit()),
            // Invisible inside a word (a soft hyphen marking where a line may break, a zero-width space
            // or word joiner, a stray byte-order mark): no reader sees them, so the word reads whole.
            '\u{ad}' | '\u{200b}' | '\u{2060}' | '\u{feff}' => {
                prev.is_alphanumeric() && next.is_some_and(char::is_alphanumeric)
            }
            _ => false,
        };
        if !joins {
            break;
        }
        if c == '.' {
            scratch.push('.');
        }
        i += width;
    }
    // One word however its accents are encoded: "é" as one character (NFC, as most text) or as "e" and a
    // combining accent (NFD, as macOS file systems and some editors write it) reads as the same word.
    if wide && unicode_normalization::is_nfc_quick(scratch.chars()) != unicode_normalization::IsNormalized::Yes {
        let composed: String = unicode_normalization::UnicodeNormalization::nfc(scratch.chars()).collect();
        *scratch = composed;
    }
    (i, number)
}

pub(super) const ALNUM: u8 = 1;
const UPPER: u8 = 2;
const DIGIT: u8 = 4;

/// Classes of ASCII bytes (letters and digits, upper case, digits); zero for every other byte.
pub(super) static ASCII_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_uppercase() {
            ALNUM | UPPER
        } else if c.is_ascii_lowercase() {
            ALNUM
        } else if c.is_ascii_digit() {
            ALNUM | DIGIT
        } else {
            0
        };
        b += 1;
    }
    table
};

#[inline]
pub(super) fn char_at(text: &str, i: usize) -> char {
    // `i` always sits on a character boundary: it only advances by whole characters.
    match text.as_bytes()[i] {
        b if b.is_ascii() => b as char,
        _ => text[i..].chars().next().unwrap_or('\0'),
    }
}

/// Characters of scripts written without spaces between words, each a word of its own: Han ideographs
/// (Chinese, Japanese kanji) and Japanese kana. Korean separates its words with spaces.
pub(super) fn is_unspaced(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{31f0}'..='\u{31ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}' | '\u{ff66}'..='\u{ff9f}' | '\u{20000}'..='\u{2fa1f}')
}

/// Letters of Thai, Lao, Burmese and Khmer, also written without spaces between words, whose words are
/// longer than a character and found with a dictionary ([`Runs`]).
fn is_segmented(c: char) -> bool {
    matches!(c, '\u{0e00}'..='\u{0eff}' | '\u{1000}'..='\u{109f}' | '\u{1780}'..='\u{17ff}' | '\u{19e0}'..='\u{19ff}'
        | '\u{a9e0}'..='\u{a9ff}' | '\u{aa60}'..='\u{aa7f}')
}

/// The word breaks of the run of Thai, Lao, Burmese or Khmer text the word reader is in, found once for
/// the run by ICU's dictionary segmenter (a word's end depends on what follows it). One for each text
/// read.
#[derive(Default)]
pub(super) struct Runs {
    start: usize,
    end: usize,
    breaks: Vec<usize>,
}

impl Runs {
    /// The end of the word starting at byte `i` of `text`, a letter of such a run.
    fn word_end(&mut self, text: &str, i: usize) -> usize {
        if !(self.start..self.end).contains(&i) {
            let within = |c: char| is_segmented(c) || unicode_normalization::char::is_combining_mark(c);
            let end = text[i..].char_indices().find(|&(_, c)| !within(c)).map_or(text.len(), |(k, _)| i + k);
            static SEGMENTER: OnceLock<WordSegmenterBorrowed<'static>> = OnceLock::new();
            let segmenter = SEGMENTER.get_or_init(|| WordSegmenter::new_dictionary(Default::default()));
            self.breaks.clear();
            self.breaks.extend(segmenter.segment_str(&text[i..end]).map(|b| i + b));
            (self.start, self.end) = (i, end);
        }
        let next = self.breaks.partition_point(|&b| b <= i);
        self.breaks.get(next).copied().unwrap_or(self.end)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::shingle::{Masks, word_hashes};

    fn words(text: &str) -> Vec<&str> {
        Tokens::new(text).tokens.iter().map(|t| &text[t.start as usize..t.end as usize]).collect()
    }

    fn sentences(text: &str) -> Vec<String> {
        let t = Tokens::new(text);
        (0..t.sentence_count())
            .map(|i| {
                let r = t.sentence(i);
                text[t.tokens[r.start].start as usize..t.tokens[r.end - 1].end as usize].to_string()
            })
            .collect()
    }

    #[test]
    fn run_on_text_is_read_in_windows() {
        let starts = |text: &str| Tokens::new(text).sentence_starts;
        // 250 words without a full stop: ten windows of 25 words.
        let run_on = vec!["word"; 250].join(" ");
        assert_eq!(starts(&run_on), (0..250).step_by(25).collect::<Vec<u32>>());
        // A long sentence of 100 words is still one sentence; the one after it is cut.
        let text = format!("{}. More {}", vec!["long"; 100].join(" "), vec!["more"; 100].join(" "));
        let want: Vec<u32> = [0].into_iter().chain((100..201).step_by(25)).collect();
        assert_eq!(starts(&text), want);
        // Without any sentence punctuation, lines are not sentences: a paragraph of more than a window is
        // cut, one of a window or less is kept.
        let text =
            format!("{}\n{}\n{}", vec!["one"; 60].join(" "), vec!["two"; 20].join(" "), vec!["three"; 30].join(" "));
        assert_eq!(starts(&text), [0, 25, 50, 60, 80, 105]);
        // With punctuation, a paragraph of 60 words is a sentence.
        let text = format!("{}.\n{}.", vec!["one"; 60].join(" "), vec!["two"; 20].join(" "));
        assert_eq!(starts(&text), [0, 60]);
    }

    macro_rules! token_cases {
        ($($name:ident: $text:expr => $want:expr;)*) => {$(
            #[test]
            fn $name() {
                let want: Vec<&str> = $want;
                assert_eq!(words($text), want);
            }
        )*};
    }

    token_cases! {
        empty: "" => vec![];
        punctuation_only: " -- ... “ ” " => vec![];
        apostrophe_joins: "Moscow’s forces don't" => vec!["Moscow’s", "forces", "don't"];
        trailing_apostrophe: "the players' union" => vec!["the", "players", "union"];
        thousands: "exchange 1,000 prisoners, 2.5 tonnes." => vec!["exchange", "1,000", "prisoners", "2.5", "tonnes"];
        hyphen_splits: "Iranian-designed drones" => vec!["Iranian", "designed", "drones"];
        unicode_words: "Mathernová said «horrific» Türkiye" => vec!["Mathernová", "said", "horrific", "Türkiye"];
        dateline: "KYIV, May 24 (Reuters) - Russia" => vec!["KYIV", "May", "24", "Reuters", "Russia"];
        chinese_characters_are_words: "台风“海燕”14日登陆" => vec!["台", "风", "海", "燕", "14", "日", "登", "陆"];
        japanese_kana_and_kanji_are_words: "東京都はカメラを" => vec!["東", "京", "都", "は", "カ", "メ", "ラ", "を"];
        a_latin_word_ends_at_a_character: "iPhone手机和Apple's" => vec!["iPhone", "手", "机", "和", "Apple's"];
        korean_is_spaced: "서울 시장은 말했다" => vec!["서울", "시장은", "말했다"];
        marks_stay_with_their_letters: "प्रधानमंत्री ने कहा, كَتَبَ الوَلَدُ" => vec!["प्रधानमंत्री", "ने", "कहा", "كَتَبَ", "الوَلَدُ"];
        decomposed_kana: "か\u{3099}くせい" => vec!["か\u{3099}", "く", "せ", "い"];
        thai_words_by_dictionary: "aภาษาไทยภาษาไทย ในวันอังคาร" => vec!["a", "ภาษา", "ไทย", "ภาษา", "ไทย", "ใน", "วัน", "อังคาร"];
        invisible_marks_inside_words: "inter\u{ad}national zero\u{200b}width \u{ad}alone\u{ad} word\u{2060}joined" => vec!["inter\u{ad}national", "zero\u{200b}width", "alone", "word\u{2060}joined"];
    }

    #[test]
    fn a_word_with_invisible_marks_reads_as_the_word() {
        let hashes = |text: &str| Tokens::new(text).tokens.iter().map(|t| t.word).collect::<Vec<_>>();
        assert_eq!(hashes("inter\u{ad}national Zero\u{200b}Width"), hashes("international zerowidth"));
        let (mut out, mut masks, mut scratch) = (Vec::new(), Masks::default(), String::new());
        crate::shingle::word_hashes("inter\u{ad}national Zero\u{200b}Width", &mut out, &mut masks, &mut scratch);
        assert_eq!(out, hashes("international zerowidth"));
    }

    #[test]
    fn a_word_reads_alike_composed_or_decomposed() {
        use unicode_normalization::UnicodeNormalization;
        let hashes = |text: &str| Tokens::new(text).tokens.iter().map(|t| t.word).collect::<Vec<_>>();
        for text in ["Café résumé naïve", "São Paulo, Ελλάδα", "한국어 텍스트", "がぎぐ ダイエット"]
        {
            let decomposed: String = text.nfd().collect();
            assert_ne!(decomposed, text);
            assert_eq!(hashes(&decomposed), hashes(text), "{text}");
            // The fast path of signing reads it alike too.
            let (mut out, mut masks, mut scratch) = (Vec::new(), Masks::default(), String::new());
            crate::shingle::word_hashes(&decomposed, &mut out, &mut masks, &mut scratch);
            assert_eq!(out, hashes(text), "{text}");
            // Offsets stay the text's own.
            assert_eq!(Tokens::new(&decomposed).tokens.last().unwrap().end as usize, decomposed.len());
        }
    }

    #[test]
    fn normalisation_changes_hashes_not_offsets() {
        let a = Tokens::new("Moscow’s 1,000 DRONES");
        let b = Tokens::new("moscows 1000 drones");
        let hashes = |t: &Tokens| t.tokens.iter().map(|t| t.word).collect::<Vec<_>>();
        assert_eq!(hashes(&a), hashes(&b));
        assert_eq!((a.tokens[0].start, a.tokens[0].end), (0, 10));
        assert_eq!(a.tokens[0].flags & CAPITALISED, CAPITALISED);
        assert_eq!(b.tokens[0].flags & CAPITALISED, 0);
    }

    #[test]
    fn quotes_are_flagged_and_close_at_paragraph_end() {
        let text = "He said “it is obvious\nthat we” and \"plain\" end";
        let t = Tokens::new(text);
        let quoted: Vec<bool> = t.tokens.iter().map(Token::is_quoted).collect();
        assert_eq!(quoted, vec![false, false, true, true, true, false, false, false, true, false]);
    }

    #[test]
    fn sentence_boundaries() {
        assert_eq!(
            sentences("Mr. Smith went to Washington D.C. on Friday. He met U.S. officials! 2 left.\nNew line"),
            vec!["Mr. Smith went to Washington D.C. on Friday", "He met U.S. officials", "2 left", "New line"]
        );
        assert_eq!(sentences("It was 2.5 per cent. “Yes,” he said."), vec!["It was 2.5 per cent", "Yes,” he said"]);
        // Chinese and Japanese full stops end a sentence whatever follows; there are no capitals.
        assert_eq!(
            sentences("台风登陆。渔船回港！是吗？yes. 東京都は発表した｡終"),
            vec!["台风登陆", "渔船回港", "是吗", "yes. 東京都は発表した", "終"]
        );
    }

    #[test]
    fn text_written_in_lower_case_has_sentences_too() {
        // More full stops before a lower-case word than before a capital: the text is in lower case.
        assert_eq!(
            sentences("\"Masks Work\" officials said masks work. the study had 300 people. it ended in may."),
            vec!["Masks Work\" officials said masks work", "the study had 300 people", "it ended in may"]
        );
        // A lower-case word after a full stop now and then in ordinary text is no sentence start.
        assert_eq!(
            sentences("He met U.S. officials. the e.g. Then he left. So did they."),
            vec!["He met U.S. officials. the e.g", "Then he left", "So did they"]
        );
    }

    #[test]
    fn chinese_stems_are_character_pairs() {
        // "Typhoon Haiyan lands. Typhoon": each character stems as the pair it starts, a run's last
        // character as none, so two texts share a stem where they share a two-character word.
        let t = Tokens::new("台风海燕登陆。台风");
        let stems: Vec<u64> = t.tokens.iter().map(|t| t.stem).collect();
        assert_eq!(stems[0], stems[6], "台风 in both sentences");
        assert!(stems[..5].iter().all(|&s| s != 0) && stems[5] == 0 && stems[7] == 0, "{stems:?}");
        assert!(!t.tokens[5].is_content() && t.tokens[4].is_content());
        let pair = Tokens::new("了台风").tokens[1].stem;
        assert_eq!(pair, stems[0]);
        // A Latin word between characters breaks the run.
        let mixed = Tokens::new("台iPhone风");
        assert_eq!((mixed.tokens[0].stem, mixed.tokens[2].stem), (0, 0));
    }

    #[test]
    fn word_counts_take_characters_as_half_words() {
        assert_eq!(Tokens::new("the drones hit Kyiv").word_count(), 4);
        assert_eq!(Tokens::new("台风海燕在福建登陆").word_count(), 5);
        assert_eq!(Tokens::new("台风Haiyan").word_count(), 2);
    }
    #[test]
    fn corner_brackets_are_quotation_marks() {
        let t = Tokens::new("知事は「安心したい」と述べた");
        let quoted: Vec<bool> = t.tokens.iter().map(Token::is_quoted).collect();
        assert_eq!(quoted, [false, false, false, true, true, true, true, true, false, false, false, false]);
    }

    #[test]
    fn a_suffix_left_by_a_stripped_apostrophe_is_read_with_its_word() {
        let hashes = |text: &str| -> Vec<u64> { Tokens::new(text).tokens.iter().map(|t| t.word).collect() };
        let stripped = "moscow s forces don t say we re done";
        assert_eq!(words(stripped), ["moscow s", "forces", "don t", "say", "we re", "done"]);
        assert_eq!(hashes(stripped), hashes("Moscow's forces don't say we're done"));
        // Not in a text that has apostrophes, nor after a number or before more letters.
        assert_eq!(words("moscow s forces don't"), ["moscow", "s", "forces", "don't"]);
        // (A lone small letter after a word is taken for such a suffix: "the t shirt".)
        assert_eq!(words("in 1990 s and the t shirt"), ["in", "1990", "s", "and", "the t", "shirt"]);
        assert_eq!(words("plan sb"), ["plan", "sb"]);
    }

    #[test]
    fn a_text_in_capitals_shows_no_names() {
        let capitalised =
            |text: &str| -> Vec<bool> { Tokens::new(text).tokens.iter().map(|t| t.flags & CAPITALISED != 0).collect() };
        assert_eq!(capitalised("NASA said Senator Ortiz spoke."), [true, false, true, true, false]);
        assert_eq!(capitalised("NASA SAID SENATOR ORTIZ SPOKE ON 5 KM OF ROAD IN McDONALD COUNTY."), [false; 13]);
    }

    #[test]
    fn a_headline_in_title_case_shows_no_names() {
        let capitalised = |text: &str| -> Vec<bool> { Tokens::new(text).tokens.iter().map(Token::is_name).collect() };
        let headline = "Holiday Chaos as Northwind Pilots Stage Historic Strike\nPilots at Northwind went on strike.";
        assert_eq!(capitalised(headline)[..8], [false; 8]);
        assert_eq!(capitalised(headline)[8..], [true, false, true, false, false, false]);
        // In sentence case its name stays one; so do names among words in lower case, and a name or two alone.
        let sentence_case = "Holiday chaos as Northwind pilots stage historic strike\nPilots walked out.";
        assert_eq!(capitalised(sentence_case)[..4], [true, false, false, true]);
        assert_eq!(
            capitalised("Senator Ortiz met Angela Merkel in Berlin."),
            [true, true, false, true, true, false, true]
        );
        assert_eq!(capitalised("President Joe Biden\nHe spoke."), [true, true, true, true, false]);
        // A line of names alone is no title: none of its words is written in lower case elsewhere.
        assert_eq!(capitalised("By Ebru Sengul Cevrioglu\nShe wrote."), [true, true, true, true, true, false]);
    }

    #[test]
    fn a_text_ending_inside_a_sentence_is_cut_short() {
        let cut = |text: &str| Tokens::new(text).cut_short;
        assert!(!cut("The council met. It voted to close the bridge."));
        assert!(!cut("The council met. \"We will close it,\" she said.\n"));
        assert!(cut("The council met. It voted to close the bri"));
        assert!(cut("The council met. It voted to close the bridge…"));
        assert!(cut("The council met. It voted to close the bridge [...]"));
        // A sign-off or a credit on a line of its own after a closed sentence is not where the text was cut.
        assert!(!cut("The council met. It voted to close the bridge.\n Reuter"));
        assert!(!cut("The council met. It voted to close it.\n(Reporting by Jane Ortiz; Editing by Sam Lee)"));
        assert!(cut("The council met. It voted to close the bridge\n Reuter"));
        assert!(cut("The council met. It voted to close the bridge. The mayor said"));
        // One sentence without closing punctuation in a text that has some is not cut.
        assert!(!cut("U.S. officials met and voted to close the bridge"));
        // A text without any sentence punctuation says nothing of where it ends: it may be cut anywhere.
        assert!(cut("the council met and voted to close the bridge"));
        let run_on = "the council met on tuesday and voted to close the old bridge over the river ".repeat(10);
        assert!(cut(&run_on));
        assert!(!cut(""));
    }

    /// Text made of pieces that exercise every path of the word readers: ASCII words in both cases,
    /// numbers with separators, apostrophes, non-ASCII letters and punctuation, long words.
    pub(in crate::shingle) fn tricky_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-zA-Z]{1,20}",
            "[0-9]{1,4}",
            Just(" ".to_string()),
            Just("\n".to_string()),
            prop::sample::select(vec![
                ",",
                ".",
                "'",
                "’",
                "“",
                "”",
                "é",
                "Ü",
                "ß",
                "İ",
                "—",
                "Δ",
                "日本",
                "1,000",
                "2.5",
                "don't",
                "«",
                "\u{304b}\u{3099}",
                "प्र",
                "\u{94d}",
                "ि",
                "e\u{301}",
                "\u{301}",
                "كَتَبَ",
                "ที่",
                "ภาษาไทยภาษาไทย",
                "ๆ",
                "๏",
                "๑๒",
                "ລາວ",
                "ខ្មែរ",
                "မြန်မာစာ",
                "。",
                "「",
                "」",
                "東京都は",
                "カメラ",
                "ｶﾒﾗ",
                "iPhone手机",
                "𠀋",
            ])
            .prop_map(str::to_string),
        ];
        prop::collection::vec(piece, 0..60).prop_map(|p| p.concat())
    }

    proptest! {
        /// The oracle: every word read through the general word reader.
        #[test]
        fn ascii_runs_tokenize_as_the_word_reader_does(text in tricky_text(), abbreviation in prop::bool::ANY) {
            let text = if abbreviation { format!("Mr. J. Smith of U.S. Steel. {text}") } else { text };
            let tokenize = |ascii_runs: bool| {
                let mut out = Tokens::default();
                STEMS.with_borrow_mut(|stems| tokenize_with(&text, &mut out, &mut String::new(), stems, ascii_runs));
                out
            };
            let (fast, general) = (tokenize(true), tokenize(false));
            prop_assert_eq!(fast.sentence_starts, general.sentence_starts);
            prop_assert_eq!(fast.tokens.len(), general.tokens.len());
            for (x, y) in fast.tokens.iter().zip(&general.tokens) {
                prop_assert_eq!((x.start, x.end, x.word, x.stem, x.flags), (y.start, y.end, y.word, y.stem, y.flags));
            }
        }

        /// Any Unicode text: tokens in order, on character boundaries, each starting with a letter or digit,
        /// and the fast word reader agreeing.
        #[test]
        fn any_text_tokenizes_in_order_on_character_boundaries(text in "\\PC{0,80}") {
            let t = Tokens::new(&text);
            let mut at = 0;
            for token in &t.tokens {
                let (start, end) = (token.start as usize, token.end as usize);
                prop_assert!(at <= start && start < end && text.is_char_boundary(start) && text.is_char_boundary(end));
                prop_assert!(text[start..].chars().next().is_some_and(char::is_alphanumeric));
                at = end;
            }
            let mut got = Vec::new();
            let words = word_hashes(&text, &mut got, &mut Masks::default(), &mut String::new());
            prop_assert_eq!(got, t.tokens.iter().map(|t| t.word).collect::<Vec<u64>>());
            prop_assert_eq!(words, t.word_count());
        }

        #[test]
        fn ascii_runs_hash_as_their_lower_case(word in "[a-zA-Z0-9]{1,40}", after in "[ .,a-z]{0,20}") {
            let text = format!("{word}{after}");
            let lower = word.to_ascii_lowercase();
            prop_assert_eq!(hash_ascii_run(text.as_bytes(), 0, word.len()), word_hash(lower.as_bytes()));
        }

    }
}
