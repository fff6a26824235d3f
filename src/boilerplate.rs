//! Page furniture: the lines a site repeats on its pages (menus, cookie and newsletter notices, share
//! buttons, copyright footers), found across the collection and left out of comparison
//! (`--boilerplate`).
//!
//! A web crawl's text (a WET record, or a page whose markup does not say which part is the article) keeps
//! what the site prints around every article. Two of a site's pages then share their furniture: a short
//! article framed by a few hundred words of it reads as a near-copy of every other page of the site, and
//! groups of such pages hide the real copies among them. A line (normalised: lower case, digits folded,
//! punctuation and spacing ignored) that the collection holds on [`PAGES`] or more different pages (URLs)
//! of one site (host) is that site's furniture; the pages' texts keep their bytes, the furniture's
//! replaced by spaces, so every byte offset still points into the text as read. A page that would keep
//! fewer than the words a text needs to be judged is left whole: a page of furniture only, or one crawled
//! under several addresses, is compared as it is. Pages without a URL are left as they are.

use std::borrow::Cow;

use xxhash_rust::xxh3::xxh3_64;

use crate::input::page_key;

/// Different pages of one site a line must be on to be the site's furniture: more than a story quoted
/// on a few of its pages, fewer than any template.
pub const PAGES: usize = 5;

/// The furniture lines of a collection's sites, learned from its pages ([`Boilerplate::learn`]).
#[derive(Clone, Debug, Default)]
pub struct Boilerplate {
    /// Site-and-line keys ([`line_key`]) of the furniture, sorted.
    keys: Vec<u64>,
    /// Words a page must keep to be stripped ([`crate::config::Config::min_words`]).
    min_words: usize,
}

/// Counts the lines of a collection's pages, one page at a time.
#[derive(Debug, Default)]
pub struct Learner {
    /// Each line of each page as its site-and-line key and the page's address (site and path, so that a
    /// line of a page crawled twice counts once).
    lines: Vec<(u64, u64)>,
}

impl Learner {
    /// Counts the lines of a page read from `url` (a page without one says nothing of its site).
    pub fn add(&mut self, text: &str, url: Option<&str>) {
        self.lines.extend(page_lines(text, url));
    }

    /// The lines found on [`PAGES`] addresses of a site or more; pages stripped keep `min_words` words.
    pub fn finish(mut self, min_words: usize) -> Boilerplate {
        self.lines.sort_unstable();
        self.lines.dedup();
        let keys = self.lines.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() >= PAGES).map(|run| run[0].0);
        Boilerplate::from_keys(keys.collect(), min_words)
    }
}

/// Each line of a page read from `url` as its site-and-line key and the page's address (site and path):
/// what [`Learner`] counts, for a count made elsewhere (the Spark job sums them across its cluster).
/// Nothing for a page without a URL.
pub fn page_lines(text: &str, url: Option<&str>) -> Vec<(u64, u64)> {
    let Some(url) = url else { return Vec::new() };
    let (host, path) = page_key(url);
    let (site, page) = (xxh3_64(host.as_bytes()), xxh3_64(format!("{host}/{path}").as_bytes()));
    lines(text).map(|(_, line, _)| (line_key(site, line), page)).collect()
}

impl Boilerplate {
    /// The furniture whose site-and-line keys ([`page_lines`]) are `keys`, found on [`PAGES`] addresses
    /// of their site or more by a count made elsewhere.
    pub fn from_keys(mut keys: Vec<u64>, min_words: usize) -> Boilerplate {
        keys.sort_unstable();
        keys.dedup();
        Boilerplate { keys, min_words }
    }

    /// The furniture of the pages `(text, url)`: see [`Learner`].
    pub fn learn<'t>(pages: impl IntoIterator<Item = (&'t str, Option<&'t str>)>, min_words: usize) -> Boilerplate {
        let mut learner = Learner::default();
        for (text, url) in pages {
            learner.add(text, url);
        }
        learner.finish(min_words)
    }

    /// Number of furniture lines (each site's counted apart).
    pub fn lines(&self) -> usize {
        self.keys.len()
    }

    /// `text`, read from `url`, with its site's furniture lines made spaces (each byte a space: offsets
    /// hold); the text itself when it has none, has no URL, or would keep fewer than `min_words` words.
    pub fn strip<'t>(&self, text: &'t str, url: Option<&str>) -> Cow<'t, str> {
        let Some(site) = url.filter(|_| !self.keys.is_empty()).map(site_of) else {
            return Cow::Borrowed(text);
        };
        let mut furniture = Vec::new();
        let mut kept = 0;
        for (range, line, words) in lines(text) {
            if self.keys.binary_search(&line_key(site, line)).is_ok() {
                furniture.push(range);
            } else {
                kept += words;
            }
        }
        if furniture.is_empty() || kept < self.min_words {
            return Cow::Borrowed(text);
        }
        let mut bytes = text.as_bytes().to_vec();
        for range in furniture {
            bytes[range].fill(b' ');
        }
        // Whole lines became ASCII spaces; what is left is untouched UTF-8.
        Cow::Owned(String::from_utf8(bytes).expect("spaces keep the text valid UTF-8"))
    }
}

/// Whether two URLs are on one site: the same host, `www.` and case aside.
pub fn same_site(a: &str, b: &str) -> bool {
    page_key(a).0 == page_key(b).0
}

/// A site's hash: the URL's host, `www.` and case aside.
fn site_of(url: &str) -> u64 {
    xxh3_64(page_key(url).0.as_bytes())
}

/// The key of a normalised line on a site.
fn line_key(site: u64, line: u64) -> u64 {
    xxh3_64(&[site.to_le_bytes(), line.to_le_bytes()].concat())
}

/// The lines of `text` that hold a letter or a digit: their byte range (without the line break), the
/// hash of their words, lower-cased, digits made `0` (a date or a count on a footer), spacing and
/// punctuation aside, and how many words (runs of letters and digits) they hold.
fn lines(text: &str) -> impl Iterator<Item = (std::ops::Range<usize>, u64, usize)> + '_ {
    let mut start = 0;
    text.split_inclusive('\n').filter_map(move |raw| {
        let range = start..start + raw.trim_end_matches(['\n', '\r']).len();
        start += raw.len();
        let (mut normal, mut words) = (String::new(), 0);
        for word in text[range.clone()].split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            if words > 0 {
                normal.push(' ');
            }
            words += 1;
            normal.extend(word.chars().flat_map(char::to_lowercase).map(|c| if c.is_numeric() { '0' } else { c }));
        }
        (words > 0).then(|| (range, xxh3_64(normal.as_bytes()), words))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MENU: &str = "Home | News | Sport | Contact us";
    const NOTICE: &str = "Sign up for our newsletter: the day's stories in your inbox at 7am.";

    /// An article of its own for each `k` (digits alone would not do: they fold to `0`).
    fn article(k: usize) -> String {
        const PLACES: [&str; 12] =
            ["Arles", "Brno", "Cork", "Dakar", "Essen", "Faro", "Ghent", "Hue", "Izmir", "Jena", "Kiel", "Lyon"];
        let place = PLACES[k % PLACES.len()];
        format!(
            "Story of {place} tells of the harbour of {place}, its boats, its nets and the storms its fishermen met."
        )
    }

    fn page(k: usize) -> String {
        format!("{MENU}\n\n{}\n\n{NOTICE}\n© 2024 Example News", article(k))
    }

    fn learned(pages: &[(String, String)]) -> Boilerplate {
        Boilerplate::learn(pages.iter().map(|(t, u)| (t.as_str(), Some(u.as_str()))), 10)
    }

    #[test]
    fn lines_on_five_pages_of_a_site_are_its_furniture_and_become_spaces() {
        let pages: Vec<(String, String)> =
            (0..5).map(|k| (page(k), format!("https://www.example.com/news/{k}"))).collect();
        let furniture = learned(&pages);
        assert_eq!(furniture.lines(), 3, "menu, notice and footer");
        let stripped = furniture.strip(&pages[0].0, Some("http://example.com/other"));
        assert_eq!(stripped.len(), pages[0].0.len(), "every byte keeps its place");
        assert_eq!(stripped.split_whitespace().collect::<Vec<_>>().join(" "), article(0));
        let at = pages[0].0.find("Story").unwrap();
        assert_eq!(&stripped[at..at + 5], "Story");
        // Another site's page with the same lines keeps them: furniture is a site's own.
        assert_eq!(furniture.strip(&pages[0].0, Some("https://elsewhere.org/a")), pages[0].0);
        // A page without a URL is left as it is.
        assert_eq!(furniture.strip(&pages[0].0, None), pages[0].0);
    }

    #[test]
    fn four_pages_are_not_enough_and_a_page_crawled_twice_counts_once() {
        let mut pages: Vec<(String, String)> =
            (0..4).map(|k| (page(k), format!("https://example.com/news/{k}"))).collect();
        assert_eq!(learned(&pages).lines(), 0);
        pages.push((page(9), "https://example.com/news/0/".into()));
        assert_eq!(learned(&pages).lines(), 0, "the same page under a trailing slash");
        pages.push((page(10), "https://example.com/news/10".into()));
        assert_eq!(learned(&pages).lines(), 3);
    }

    #[test]
    fn dates_and_counts_on_a_line_do_not_make_it_the_page_own() {
        let pages: Vec<(String, String)> = (0..5)
            .map(|k| {
                (format!("Updated {k}:0{k} GMT, {} comments\n{}", 10 + k, article(k)), format!("https://x.org/{k}"))
            })
            .collect();
        let furniture = learned(&pages);
        assert_eq!(furniture.lines(), 1);
        assert!(furniture.strip(&pages[2].0, Some("https://x.org/2")).trim_start().starts_with("Story of Cork"));
    }

    #[test]
    fn a_page_that_would_keep_too_few_words_is_left_whole() {
        let pages: Vec<(String, String)> = (0..5)
            .map(|k| (format!("{MENU}\n{NOTICE}\n{}", &article(k)[..20]), format!("https://x.org/{k}")))
            .collect();
        let furniture = learned(&pages);
        assert_eq!(furniture.lines(), 2);
        assert_eq!(furniture.strip(&pages[0].0, Some("https://x.org/0")), pages[0].0);
    }

    proptest::proptest! {
        /// The oracle: pages made of lines drawn from a small pool (some written in capitals or with
        /// other spacing), on two sites, some pages under one address twice; a line is furniture when
        /// the pages of its site holding it, counted by address, are five or more, and a page is stripped
        /// of exactly those lines unless it would keep fewer than the words asked.
        #[test]
        fn stripping_blanks_exactly_the_lines_on_five_addresses_of_a_site(
            pages in proptest::collection::vec(
                (0..2usize, 0..6usize, proptest::collection::vec((0..8usize, proptest::bool::ANY), 1..6)),
                1..24,
            ),
            min_words in 0..12usize,
        ) {
            const POOL: [&str; 8] = [
                "Home | News", "Sign up for our newsletter today", "The mayor opened the bridge", "Rain fell on 3 May",
                "Rain fell on 4 May", "Share: Facebook", "A quiet day at the harbour", "© 2025 Example",
            ];
            let pages: Vec<(String, String)> = pages
                .iter()
                .map(|(site, path, lines)| {
                    let text: Vec<String> = lines
                        .iter()
                        .map(|&(k, loud)| if loud { format!("  {}!", POOL[k].to_uppercase()) } else { POOL[k].to_string() })
                        .collect();
                    (text.join("\n"), format!("https://site{site}.example/{path}"))
                })
                .collect();
            let furniture = Boilerplate::learn(pages.iter().map(|(t, u)| (t.as_str(), Some(u.as_str()))), min_words);
            // By hand: a line's form is its pool entry, digits aside ("3 May" and "4 May" are one line).
            let form = |line: &str| {
                let lower = line.to_lowercase();
                POOL.iter().position(|p| p.to_lowercase() == lower.trim().trim_end_matches('!')).map(|k| if k == 4 { 3 } else { k })
            };
            let mut addresses: std::collections::HashMap<(String, usize), std::collections::HashSet<String>> = Default::default();
            for (text, url) in &pages {
                let site = url.split('/').nth(2).unwrap().to_string();
                for line in text.lines() {
                    addresses.entry((site.clone(), form(line).unwrap())).or_default().insert(url.clone());
                }
            }
            for (text, url) in &pages {
                let site = url.split('/').nth(2).unwrap().to_string();
                let is_furniture = |line: &str| addresses[&(site.clone(), form(line).unwrap())].len() >= PAGES;
                let words = |line: &str| line.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).count();
                let kept: usize = text.lines().filter(|l| !is_furniture(l)).map(words).sum();
                let any = text.lines().any(is_furniture);
                let stripped = furniture.strip(text, Some(url));
                proptest::prop_assert_eq!(stripped.len(), text.len());
                for (line, out) in text.lines().zip(stripped.lines()) {
                    let blank = any && kept >= min_words && is_furniture(line);
                    if blank {
                        proptest::prop_assert!(out.bytes().all(|b| b == b' '), "{:?} kept", line);
                    } else {
                        proptest::prop_assert_eq!(out, line);
                    }
                }
            }
        }
    }

    #[test]
    fn stripping_keeps_multibyte_text_valid_and_in_place() {
        let pages: Vec<(String, String)> =
            (0..5).map(|k| (format!("Menü — Über uns\n{}", article(k)), format!("https://x.org/{k}"))).collect();
        let furniture = learned(&pages);
        let stripped = furniture.strip(&pages[1].0, Some("https://x.org/1"));
        assert_eq!(stripped.len(), pages[1].0.len());
        assert!(stripped.starts_with(' ') && stripped.contains("Story of Brno"));
    }
}
