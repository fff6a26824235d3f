//! A small, forgiving extractor of an HTML page's main text, for WARC `response` records and `.html`
//! files. It drops scripts, styles, comments and page furniture (`nav`, `header`, `footer`, `aside`, forms,
//! menus), keeps paragraphs, headings, list items and table rows as lines, and, when the page marks its
//! main content with `<article>` or `<main>`, keeps only that; from the head it reads the title, the
//! publication date, the canonical link and the page's own address. It never fails: broken markup yields
//! whatever text it holds.
//!
//! Why not a crate: full HTML5 parsers (html5ever, scraper) are large dependencies for a job that needs
//! only tag boundaries, and readability ports score boxes with heuristics that are hard to predict; a
//! tag-level scan of ~150 lines is easy to fuzz and to reason about. What the standard spells out in
//! tables is left to the crates that keep them: charsets to `encoding_rs`, character references to
//! `htmlize`.

use serde_json::{Map, Value};

use crate::escape::quoted;

/// `bytes` decoded from `encoding` (a byte-order mark dropped), and a note when some were not valid in
/// it.
pub(crate) fn decode_as(encoding: &'static encoding_rs::Encoding, bytes: &[u8]) -> (String, Option<String>) {
    let (text, _, errors) = encoding.decode(bytes);
    let note = errors.then(|| format!("bytes not valid {}; decoded with replacement characters", encoding.name()));
    (text.into_owned(), note)
}

/// The text of an HTML page's bytes, decoded by `encoding_rs` (the WHATWG Encoding Standard, as browsers
/// decode): in the charset a byte-order mark gives, else `charset` (an HTTP header's), else the one its
/// `<meta>` names in its first kilobyte (`charset=`, also inside `http-equiv` content; in its first 64 KiB
/// when the bytes are not UTF-8), else UTF-8. A page
/// that declares none and is not valid UTF-8 is read as Windows-1252, the web's usual legacy charset, with
/// a note saying so; bytes not valid in the charset become replacement characters, with a note.
pub(crate) fn decode_page(bytes: &[u8], charset: Option<String>) -> (String, Option<String>) {
    use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
    // Labels the standard maps to its "replacement" encoding (ISO-2022-KR, HZ-GB-2312…) would turn the
    // whole page into one replacement character: taken as unknown charsets.
    let known = |label: &str| Encoding::for_label(label.as_bytes()).filter(|&e| e != encoding_rs::REPLACEMENT);
    let meta_in =
        |len: usize| charset_of(&String::from_utf8_lossy(&bytes[..bytes.len().min(len)]).to_ascii_lowercase());
    // The header's charset when the standard knows it; else the page's <meta> (an unknown label in the
    // header gives way to it, as in a browser), looked for in the first kilobyte, as the standard's prescan
    // does, and past it too (in the first 64 KiB) when the bytes are not UTF-8, as a browser's parser
    // changes the encoding when it meets one there.
    let header = charset.as_deref().and_then(known);
    let meta = header
        .is_none()
        .then(|| meta_in(1024).or_else(|| std::str::from_utf8(bytes).is_err().then(|| meta_in(1 << 16)).flatten()))
        .flatten();
    // A <meta> read as ASCII cannot truly declare UTF-16, whose text would not read so: UTF-8 it is, as
    // the standard says.
    let from_meta = meta.as_deref().and_then(known).map(|e| if e == UTF_16LE || e == UTF_16BE { UTF_8 } else { e });
    let encoding = Encoding::for_bom(bytes).map(|(bom, _)| bom).or(header).or(from_meta);
    match encoding {
        Some(encoding) if encoding != UTF_8 => decode_as(encoding, bytes),
        None if std::str::from_utf8(bytes).is_err() => {
            let at = std::str::from_utf8(bytes).err().map_or(0, |e| e.valid_up_to());
            let (text, _, _) = WINDOWS_1252.decode(bytes);
            let unknown: Vec<String> = [charset, meta].into_iter().flatten().map(|d| quoted(&d)).collect();
            let said = match unknown.len() {
                0 => "no charset declared".to_string(),
                _ => format!("unknown charset {}", unknown.join(" and ")),
            };
            let note = format!("{said} and not UTF-8 (at byte {at}); read as windows-1252");
            (text.into_owned(), Some(note))
        }
        _ => super::decode(bytes, usize::MAX),
    }
}

/// The charset a `Content-Type` header or `<meta>` tag names (lower-cased text), if any.
pub(crate) fn charset_of(s: &str) -> Option<String> {
    let at = s.find("charset=")? + "charset=".len();
    let value: String = s[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!value.is_empty()).then_some(value)
}

/// Why a page was skipped when the extractor found no text in it (a page of menus only, a script).
pub(crate) const NO_TEXT: &str = "no text in the HTML page; skipped";

/// What a page gave.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// The `<title>`, when there is one.
    pub title: Option<String>,
    /// The main text, one block (paragraph, heading, list item) a line.
    pub text: String,
    /// When the page says it was published, as it says it (a date [`super::parse_day`] reads): the first
    /// `<meta property="article:published_time">` or kin (`datePublished`, `pubdate`, `date`,
    /// `DC.date.issued`…) of its head; else the `datePublished` of its JSON-LD's article (an item typed
    /// `NewsArticle`, `Article`, `BlogPosting`…, at the top, in `@graph` or as `mainEntity`; a `WebPage`'s
    /// when no article has one, then an untyped item's; never a comment's, a list's, a video's or a
    /// site's); else the first such `<meta>` or `<time datetime>` marked `pubdate` or
    /// `itemprop="datePublished"` in the text kept as the article's. A date in furniture (an aside of
    /// related stories, a footer, a template, readers' comments), in an article card beside the story or
    /// in a script other than JSON-LD is not the page's.
    pub published: Option<String>,
    /// The URL of `<link rel="canonical">`: where the page says its original is.
    pub canonical: Option<String>,
    /// The page's own address as its `<meta property="og:url">` gives it (a saved page has no other).
    pub url: Option<String>,
}

impl Page {
    /// Adds what the page's head says to a document's passed-through `fields` where they do not say it
    /// already: `title`, `url` (its `og:url`) and `canonical`, unless that names the document's own URL.
    pub(crate) fn add_head_fields(&mut self, fields: &mut Map<String, Value>) {
        for (key, value) in [("title", self.title.take()), ("url", self.url.take())] {
            if let Some(value) = value {
                fields.entry(key).or_insert(Value::String(value));
            }
        }
        let base = fields.get("url").and_then(Value::as_str).map(str::to_string);
        let own = |c: &String| base.as_deref().is_some_and(|u| super::same_page(u, c));
        // A relative link (`/story/1`, `//host/story/1`) names a page on the page's own site: resolved
        // against its address, as a browser resolves it; without one it names nothing.
        let canonical = self.canonical.take().and_then(|c| resolve(base.as_deref(), &c));
        if let Some(canonical) = canonical.filter(|c| !own(c)) {
            fields.entry("canonical").or_insert(Value::String(canonical));
        }
    }
}

/// `<meta>` names and properties (lower-cased) that give a page's publication date.
const PUBLISHED_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.issued",
    "sailthru.date",
    "parsely-pub-date",
];
/// Tags read for the page's metadata (publication date, canonical link), beside those the extractor
/// acts on.
const METADATA: &[&str] = &["meta", "time", "link"];

/// Elements whose whole content is furniture, not article text.
const SKIP: &[&str] = &[
    "nav", "header", "footer", "aside", "form", "menu", "noscript", "svg", "template", "iframe", "button", "select",
    "dialog", "object",
];
/// Elements whose content is raw text, ended only by their own closing tag.
const RAW: &[&str] = &["script", "style", "title", "textarea"];
/// Elements that start and end a line.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "br",
    "article",
    "section",
    "main",
    "blockquote",
    "tr",
    "pre",
    "table",
    "dd",
    "dt",
    "dl",
    "figcaption",
    "hr",
    "body",
    "address",
    "summary",
    "details",
    "caption",
    "td",
    "th",
];
/// Elements that mark the main content.
const MAIN: &[&str] = &["article", "main"];

/// Extracts the title and main text of an HTML page.
pub fn extract(html: &str) -> Page {
    let mut x = Extractor::default();
    let bytes = html.as_bytes();
    let mut i = 0;
    let mut text_start = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let Some(tag) = parse_tag(html, i) else {
            i += 1;
            continue;
        };
        x.text(&html[text_start..i]);
        i = tag.end;
        text_start = i;
        if tag.closing {
            x.close(tag.name);
            continue;
        }
        if !tag.self_closing && (hidden(&html[tag.start..tag.end]) || comments(&html[tag.start..tag.end])) {
            x.hide(tag.name);
            continue;
        }
        x.open(tag.name, tag.self_closing);
        if tag.name == "body" {
            x.in_body = true;
        }
        // Furniture's metadata (a related story's date, a template's) is not the page's.
        if METADATA.contains(&tag.name) && x.skip.is_none() {
            let attributes = attributes(&html[tag.start..tag.end]);
            if let Some(date) = published(tag.name, &attributes) {
                let from = if x.in_body { Dated::Body(x.place()) } else { Dated::Head };
                x.dates.push((from, date));
            }
            // Browsers and search engines read the canonical link and og:url in the head only.
            if x.canonical.is_none() && tag.name == "link" && !x.in_body {
                x.canonical = canonical(&attributes);
            }
            if x.url.is_none() && tag.name == "meta" && !x.in_body {
                x.url = own_url(&attributes);
            }
        }
        let json_ld = tag.name == "script"
            && x.skip.is_none()
            && attribute(&attributes(&html[tag.start..tag.end]), "type").is_some_and(|t| t.contains("ld+json"));
        if RAW.contains(&tag.name) && !tag.self_closing {
            let end = find_closing(html, i, tag.name);
            if tag.name == "title" && x.title.is_none() {
                let title = collapse(&decode_entities(&html[i..end]));
                if !title.is_empty() {
                    x.title = Some(title);
                }
            }
            if json_ld && let Some(date) = json_ld_published(&html[i..end]) {
                x.dates.push((Dated::JsonLd, date));
            }
            x.close(tag.name);
            i = html[end..].find('>').map_or(html.len(), |k| end + k + 1);
            text_start = i;
        }
    }
    x.text(&html[text_start..]);
    x.finish()
}

/// Whether a start tag (its whole text) hides its element from readers: the `hidden` attribute,
/// `aria-hidden="true"`, or a style of `display: none` or `visibility: hidden` (a print view or an AMP
/// copy of the story kept in the page). A cheap test of the tag's text first: most tags have none of them.
fn hidden(tag: &str) -> bool {
    let has = |word: &str| find_ignoring_case(tag.as_bytes(), word).is_some();
    if !has("hidden") && !has("none") {
        return false;
    }
    attributes(tag).iter().any(|(key, value)| match key.as_str() {
        "hidden" => true,
        "aria-hidden" => value.trim().eq_ignore_ascii_case("true"),
        "style" => {
            let style: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
            style.contains("display:none") || style.contains("visibility:hidden")
        }
        _ => false,
    })
}

/// Whether a start tag (its whole text) opens a page's comments, by its `id` or a class: `comments`,
/// `comment-list`, `disqus_thread`… Readers' comments are not the article, nor their dates its date.
fn comments(tag: &str) -> bool {
    let has = |word: &str| find_ignoring_case(tag.as_bytes(), word).is_some();
    if !has("comment") && !has("disqus") {
        return false;
    }
    let marks = |name: &str| {
        let name = name.to_ascii_lowercase();
        name.contains("disqus")
            || ["comment", "comments"]
                .iter()
                .any(|w| name == *w || name.starts_with(&format!("{w}-")) || name.starts_with(&format!("{w}_")))
    };
    attributes(tag).iter().any(|(key, value)| match key.as_str() {
        "id" => marks(value),
        "class" => value.split_ascii_whitespace().any(marks),
        _ => false,
    })
}

/// Where a line of text stands: outside the main elements, in a main element but in none of its
/// `<article>`s (a `<main>`'s headline), or in the article numbered so (the innermost).
#[derive(Clone, Copy, PartialEq)]
enum Place {
    Outside,
    Main,
    Article(u32),
}

/// Where a publication date was given, in the order they are preferred.
#[derive(Clone, Copy, PartialEq)]
enum Dated {
    /// A `<meta>` of the head.
    Head,
    /// The article of the page's JSON-LD.
    JsonLd,
    /// A `<meta>` or `<time>` of the body, where it stands.
    Body(Place),
}

#[derive(Default)]
struct Extractor {
    title: Option<String>,
    /// The publication dates given, where and in the order they were.
    dates: Vec<(Dated, String)>,
    /// Whether the `<body>` has begun.
    in_body: bool,
    canonical: Option<String>,
    url: Option<String>,
    lines: Vec<(String, Place)>,
    line: String,
    /// The furniture element being skipped and how deeply it is nested in itself.
    skip: Option<(String, usize)>,
    /// The main elements open, each with its article number (`None` for `<main>`), and how many articles
    /// were opened.
    mains: Vec<Option<u32>>,
    articles: u32,
}

impl Extractor {
    /// Skips an element hidden from readers, as furniture is skipped.
    fn hide(&mut self, name: &str) {
        if self.skip.is_none() {
            self.skip = Some((name.to_string(), 1));
            self.end_line();
        } else {
            self.open(name, false);
        }
    }

    fn place(&self) -> Place {
        match self.mains.iter().rev().find_map(|m| *m) {
            Some(article) => Place::Article(article),
            None if self.mains.is_empty() => Place::Outside,
            None => Place::Main,
        }
    }

    fn open(&mut self, name: &str, self_closing: bool) {
        if let Some((skipped, depth)) = &mut self.skip {
            if skipped == name && !self_closing {
                *depth += 1;
            }
            return;
        }
        if SKIP.contains(&name) && !self_closing {
            self.skip = Some((name.to_string(), 1));
            self.end_line();
            return;
        }
        if BLOCK.contains(&name) {
            self.end_line();
        }
        if MAIN.contains(&name) && !self_closing {
            self.end_line();
            let article = (name == "article").then(|| {
                self.articles += 1;
                self.articles
            });
            self.mains.push(article);
        }
    }

    fn close(&mut self, name: &str) {
        if let Some((skipped, depth)) = &mut self.skip {
            if skipped == name {
                *depth -= 1;
                if *depth == 0 {
                    self.skip = None;
                }
            }
            return;
        }
        if BLOCK.contains(&name) {
            self.end_line();
        }
        if MAIN.contains(&name) {
            self.end_line();
            // The innermost open element of that name closes (a stray closing tag closes nothing).
            if let Some(k) = self.mains.iter().rposition(|m| m.is_some() == (name == "article")) {
                self.mains.remove(k);
            }
        }
    }

    fn text(&mut self, raw: &str) {
        if self.skip.is_some() || raw.is_empty() {
            return;
        }
        let decoded = decode_entities(raw);
        for (k, word) in decoded.split(char::is_whitespace).enumerate() {
            if k > 0 && !self.line.ends_with(' ') {
                self.line.push(' ');
            }
            self.line.push_str(word);
        }
    }

    fn end_line(&mut self) {
        let line = self.line.trim();
        if !line.is_empty() {
            self.lines.push((line.to_string(), self.place()));
        }
        self.line.clear();
    }

    /// The page's main text: the lines in its main elements when it marks any, else all of them. Of its
    /// `<article>`s, those with a quarter of the largest's text or more: a story's page lists other
    /// stories as `<article>` cards (a headline and a sentence), which are not its text; entries of a live
    /// page are articles of like size.
    fn finish(mut self) -> Page {
        self.end_line();
        let mut sizes = vec![0usize; self.articles as usize + 1];
        for (line, place) in &self.lines {
            if let Place::Article(k) = place {
                sizes[*k as usize] += line.len();
            }
        }
        let largest = sizes.iter().copied().max().unwrap_or(0);
        let any_main = self.lines.iter().any(|(_, place)| *place != Place::Outside);
        let kept = |place: &Place| match place {
            Place::Outside => !any_main,
            Place::Main => true,
            Place::Article(k) => 4 * sizes[*k as usize] >= largest,
        };
        let lines: Vec<&str> = self.lines.iter().filter(|(_, p)| kept(p)).map(|(l, _)| l.as_str()).collect();
        let text = lines.join("\n");
        // A body's date counts where its text would: in the story, not in a card beside it.
        let counts = |from: &Dated| if let Dated::Body(place) = from { kept(place) } else { true };
        let rank = |from: &Dated| match from {
            Dated::Head => 0,
            Dated::JsonLd => 1,
            Dated::Body(_) => 2,
        };
        let dates = self.dates.iter().filter(|(from, _)| counts(from));
        // The first of the most preferred.
        let published = dates.min_by_key(|(from, _)| rank(from)).map(|(_, date)| date.clone());
        Page { title: self.title, text, published, canonical: self.canonical, url: self.url }
    }
}

struct Tag<'a> {
    name: &'a str,
    closing: bool,
    self_closing: bool,
    /// Byte of its `<`.
    start: usize,
    /// Byte just past the tag.
    end: usize,
}

/// The publication date a `<meta>` or `<time>` tag (by its attributes) gives, if it gives one that reads
/// as a date.
fn published(name: &str, attributes: &[(String, String)]) -> Option<String> {
    let get = |key| attribute(attributes, key);
    let value = if name == "meta" {
        let label = get("property").or_else(|| get("name")).or_else(|| get("itemprop"))?.to_ascii_lowercase();
        PUBLISHED_META.contains(&label.as_str()).then(|| get("content")).flatten()?
    } else if name == "time" {
        // Marked by HTML5's pubdate, schema.org's itemprop, or the classes WordPress themes and h-entry
        // microformats give the publication time (`entry-date published`, `dt-published`).
        let class = |c: &str| ["published", "dt-published"].contains(&c.to_ascii_lowercase().as_str());
        let marked = get("pubdate").is_some()
            || get("itemprop").is_some_and(|v| v.eq_ignore_ascii_case("datepublished"))
            || get("class").is_some_and(|v| v.split_ascii_whitespace().any(class));
        marked.then(|| get("datetime")).flatten()?
    } else {
        return None;
    };
    super::parse_day(value).map(|_| value.to_string())
}

/// The address of a `<link rel="canonical" href>` (by its attributes), as written: absolute or relative
/// ([`resolve`]d once the page's address is known).
fn canonical(attributes: &[(String, String)]) -> Option<String> {
    let get = |key| attribute(attributes, key);
    let rel = get("rel")?;
    let href = get("href")?.trim();
    (rel.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("canonical")) && !href.is_empty())
        .then(|| href.to_string())
}

/// `href` as an absolute web address: itself when absolute, else resolved against `base` (the page's own
/// address) by the WHATWG URL rules (the `url` crate); `None` when neither gives an http(s) address.
fn resolve(base: Option<&str>, href: &str) -> Option<String> {
    let web = |u: url::Url| matches!(u.scheme(), "http" | "https").then(|| u.to_string());
    if href.contains("://") {
        return Some(href.to_string());
    }
    url::Url::parse(base?).ok()?.join(href).ok().and_then(web)
}

/// The address of a `<meta property="og:url" content>` (by its attributes): an absolute URL, or none.
fn own_url(attributes: &[(String, String)]) -> Option<String> {
    let get = |key| attribute(attributes, key);
    let content = get("content")?;
    (get("property")?.eq_ignore_ascii_case("og:url") && content.contains("://")).then(|| content.to_string())
}

/// The `"datePublished"` of the article a script's JSON-LD describes (see [`Page::published`]), if it
/// reads as a date. JSON-LD written loosely (trailing commas, line breaks inside strings, a CDATA or
/// comment wrapper) is read too; what still does not parse as JSON gives its first `"datePublished"`
/// when that is the only one.
fn json_ld_published(script: &str) -> Option<String> {
    let script = script.trim();
    let script = script.strip_prefix("<![CDATA[").and_then(|s| s.strip_suffix("]]>")).unwrap_or(script);
    let script = script.strip_prefix("<!--").and_then(|s| s.strip_suffix("-->")).unwrap_or(script).trim();
    let parsed = serde_json::from_str::<Value>(script).or_else(|_| serde_json::from_str(&loosened(script)));
    let Ok(value) = parsed else {
        let mut found = script.match_indices("\"datePublished\"");
        let (at, key) = found.next().filter(|_| found.next().is_none())?;
        let rest = script[at + key.len()..].trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
        let value = &rest[..rest.find('"')?];
        return super::parse_day(value).map(|_| value.to_string());
    };
    // The items described: the top ones, those of a `@graph`, and each one's `mainEntity`.
    let mut items: Vec<&Value> = match &value {
        Value::Array(all) => all.iter().collect(),
        one => vec![one],
    };
    let graphs: Vec<&Value> = items.iter().filter_map(|i| i.get("@graph")?.as_array()).flatten().collect();
    items.extend(graphs);
    let main: Vec<&Value> = items.iter().filter_map(|i| i.get("mainEntity")).collect();
    items.extend(main);
    let date = |item: &&Value| {
        let value = item.get("datePublished")?.as_str()?.trim();
        super::parse_day(value).map(|_| value.to_string())
    };
    let typed = |item: &&Value, kind: fn(&str) -> bool| {
        let name = |t: &Value| t.as_str().map(|t| t.rsplit(['/', ':']).next().unwrap_or(t).to_string());
        match item.get("@type") {
            Some(Value::Array(types)) => types.iter().filter_map(name).any(|t| kind(&t)),
            Some(t) => name(t).is_some_and(|t| kind(&t)),
            None => false,
        }
    };
    let article = |t: &str| t.ends_with("Article") || t.ends_with("BlogPosting") || t == "Report";
    let page = |t: &str| t.ends_with("WebPage");
    let of = |kind: fn(&str) -> bool| items.iter().filter(|i| typed(i, kind)).find_map(date);
    // An item that says not what it is comes last.
    of(article).or_else(|| of(page)).or_else(|| items.iter().filter(|i| i.get("@type").is_none()).find_map(date))
}

/// JSON written loosely made strict where it is simply done: line breaks and tabs inside strings
/// escaped, commas before a closing bracket dropped.
fn loosened(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                '\n' | '\r' | '\t' => {
                    out.push(' ');
                    continue;
                }
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if matches!(c, '}' | ']') {
            let kept = out.trim_end().len();
            if out[..kept].ends_with(',') {
                out.truncate(kept - 1);
            }
        }
        out.push(c);
    }
    out
}

/// The trimmed value of attribute `key` (lower case) among a tag's `attributes`.
fn attribute<'a>(attributes: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim())
}

/// A tag's attributes, names lower-cased, values with entities decoded (`""` for one without a value).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let inner = tag.trim_start_matches('<').trim_end_matches('>').trim_end_matches('/');
    let b = inner.as_bytes();
    // Past the tag name.
    let mut k = b.iter().position(u8::is_ascii_whitespace).unwrap_or(b.len());
    let mut out = Vec::new();
    loop {
        while k < b.len() && b[k].is_ascii_whitespace() {
            k += 1;
        }
        let start = k;
        while k < b.len() && !b[k].is_ascii_whitespace() && b[k] != b'=' {
            k += 1;
        }
        if k == start {
            return out;
        }
        let name = inner[start..k].to_ascii_lowercase();
        while k < b.len() && b[k].is_ascii_whitespace() {
            k += 1;
        }
        let mut value = String::new();
        if k < b.len() && b[k] == b'=' {
            k += 1;
            while k < b.len() && b[k].is_ascii_whitespace() {
                k += 1;
            }
            let (from, to) = match b.get(k) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = inner[k + 1..].find(q as char).map_or(b.len(), |e| k + 1 + e);
                    (k + 1, end)
                }
                _ => (k, k + b[k..].iter().position(u8::is_ascii_whitespace).unwrap_or(b.len() - k)),
            };
            value = decode_attribute(&inner[from..to]).into_owned();
            k = (to + 1).min(b.len());
        }
        out.push((name, value));
    }
}

/// Parses the tag, comment or declaration starting at `start` (a `<`). `None` when the `<` is text.
fn parse_tag(html: &str, start: usize) -> Option<Tag<'static>> {
    let rest = &html[start + 1..];
    let b = rest.as_bytes();
    let first = *b.first()?;
    if let Some(comment) = rest.strip_prefix("!--") {
        let end = comment.find("-->").map_or(html.len(), |k| start + 1 + 3 + k + 3);
        return Some(Tag { name: "", closing: false, self_closing: true, start, end });
    }
    if first == b'!' || first == b'?' {
        let end = rest.find('>').map_or(html.len(), |k| start + 1 + k + 1);
        return Some(Tag { name: "", closing: false, self_closing: true, start, end });
    }
    let closing = first == b'/';
    let name_start = usize::from(closing);
    if !b.get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let name_len =
        b[name_start..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b':').count();
    let name = intern(&rest[name_start..name_start + name_len]);
    // Find the closing `>` outside quoted attribute values.
    let mut quote = None;
    let mut k = name_start + name_len;
    while k < b.len() {
        match (quote, b[k]) {
            (None, b'"' | b'\'') => quote = Some(b[k]),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => break,
            _ => {}
        }
        k += 1;
    }
    let self_closing = k > 0 && b.get(k - 1) == Some(&b'/');
    Some(Tag { name, closing, self_closing, start, end: (start + 1 + k + 1).min(html.len()) })
}

/// The tag names the extractor acts on, lower-cased and static; every other name is just `"?"`.
fn intern(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    SKIP.iter().chain(RAW).chain(BLOCK).chain(METADATA).find(|n| **n == lower).copied().unwrap_or("?")
}

/// Where the closing tag of raw-text element `name` starts (or the end of the page).
fn find_closing(html: &str, from: usize, name: &str) -> usize {
    find_ignoring_case(&html.as_bytes()[from..], &format!("</{name}")).map_or(html.len(), |k| from + k)
}

/// Where `needle` (ASCII) first is in `hay`, in any case.
fn find_ignoring_case(hay: &[u8], needle: &str) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes character references in text: numeric ones and all the named ones of HTML5 (`&oacute;`,
/// `&hellip;`, `&NotEqualTilde;`), with the standard's rules for those written without a semicolon, by
/// `htmlize`, which holds the standard's table of 2,231 entities.
fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return s.into();
    }
    htmlize::unescape(s)
}

/// Decodes character references in an attribute's value, by the standard's rules for attributes (a
/// reference without a semicolon followed by a letter, digit or `=` is left as it is: `?a=1&copy=2`).
fn decode_attribute(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return s.into();
    }
    htmlize::unescape_attribute(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_text_without_furniture() {
        let html = r#"<!DOCTYPE html><html><head><title>Big &amp; news</title>
<style>p { color: red }</style><script>var s = "<p>not text</p>";</script></head>
<body><header><nav><a href="/">Home</a> | <a href="/w">World</a></nav></header>
<article><h1>Headline here</h1><p class="x">First <b>bold</b> paragraph,
 split over lines.</p><!-- comment <p>hidden</p> --><p>Second&nbsp;one &#8212; with &#x41;&lt;tags&gt; &bogus; & more</p>
<aside><p>Related: other story</p></aside><ul><li>Item one</li><li>Item two</li></ul></article>
<footer>Copyright</footer></body></html>"#;
        let page = extract(html);
        assert_eq!(page.title.as_deref(), Some("Big & news"));
        assert_eq!(
            page.text,
            "Headline here\nFirst bold paragraph, split over lines.\n\
             Second one — with A<tags> &bogus; & more\nItem one\nItem two"
        );
    }

    #[test]
    fn publication_dates_from_meta_time_and_json_ld() {
        let date =
            |head: &str| extract(&format!("<html><head>{head}</head><body><p>Text.</p></body></html>")).published;
        let cases = [
            (
                r#"<meta property="article:published_time" content="2025-05-24T10:00:00Z">"#,
                Some("2025-05-24T10:00:00Z"),
            ),
            (r#"<META NAME='date' CONTENT='2025-05-24'>"#, Some("2025-05-24")),
            (r#"<meta itemprop="datePublished" content="May 24, 2025">"#, Some("May 24, 2025")),
            (r#"<meta name=pubdate content=2025-05-24>"#, Some("2025-05-24")),
            (r#"<time pubdate datetime="2025-05-24">24 May</time>"#, Some("2025-05-24")),
            (r#"<time itemprop="datePublished" datetime="2025-05-24">x</time>"#, Some("2025-05-24")),
            (r#"<time class="entry-date published" datetime="2025-05-24">x</time>"#, Some("2025-05-24")),
            (r#"<time class="dt-published" datetime="2025-05-24">x</time>"#, Some("2025-05-24")),
            (r#"<time class="updated" datetime="2025-05-24">x</time>"#, None),
            (
                r#"<script type="application/ld+json">{"@type": "NewsArticle", "datePublished" : "2025-05-24"}</script>"#,
                Some("2025-05-24"),
            ),
            // The first one counts; dates that do not read as one, other names and unmarked times do not.
            (r#"<meta name="date" content="2025-05-24"><meta name="date" content="2025-06-01">"#, Some("2025-05-24")),
            (
                r#"<meta name="date" content="yesterday"><meta property="og:published_time" content="2025-05-25">"#,
                Some("2025-05-25"),
            ),
            (r#"<meta name="article:modified_time" content="2025-05-24">"#, None),
            (r#"<meta data-name="date" content="2025-05-24">"#, None),
            (r#"<time datetime="2025-05-24">x</time>"#, None),
        ];
        for (head, want) in cases {
            assert_eq!(date(head).as_deref(), want, "{head}");
        }
    }

    /// The page's own date, not one of its furniture, of a story card beside it, of a comment or of a
    /// script's state: each page holds a decoy dated 2024-11-28 before its own date of 2024-12-06.
    #[test]
    fn publication_date_is_the_storys_not_a_decoys() {
        let story = "<p>The story itself, long enough to be the article of its page and more.</p>".repeat(4);
        let own =
            r#"<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-12-06"}</script>"#;
        let decoy_time = r#"<time itemprop="datePublished" datetime="2024-11-28">Earlier</time>"#;
        let decoys = [
            format!("<body><aside class=related>{decoy_time}</aside><main>{story}</main>{own}</body>"),
            format!(
                "<body><section id=comments><footer>{decoy_time}</footer></section><main>{story}</main>{own}</body>"
            ),
            format!(
                "<body><main><article>{story}</article><article><a href=/x>Card</a>{decoy_time}</article></main>{own}</body>"
            ),
            format!("<body><template>{decoy_time}</template><noscript>{decoy_time}</noscript>{story}{own}</body>"),
            format!(
                "<body><article>{story}<section id=comments><p>Me too {decoy_time}</p></section></article>{own}</body>"
            ),
            format!(
                r#"<body>{story}<script type="application/ld+json">{{"@graph": [{{"@type": "WebPage", "datePublished": "2024-11-28"}},
                {{"@type": ["NewsArticle"], "datePublished": "2024-12-06", "comment": {{"@type": "Comment", "datePublished": "2024-11-28"}}}}]}}</script></body>"#
            ),
            format!(
                r#"<body>{story}<script type="application/ld+json">[{{"@type": "ItemList", "itemListElement": [{{"@type": "NewsArticle", "datePublished": "2024-11-28"}}]}},
                {{"@type": "WebSite", "datePublished": "2024-11-28"}}, {{"@type": "schema:ReportageNewsArticle", "datePublished": "2024-12-06",}}]</script></body>"#
            ),
            format!(
                r#"<body><script id="__NEXT_DATA__" type="application/json">{{"datePublished": "2024-11-28"}}</script>
                <script>window.state = {{"datePublished": "2024-11-28"}}</script>{story}{own}</body>"#
            ),
            format!(
                r#"<body>{story}<script type="application/ld+json"><!--{{"@type": "WebPage", "mainEntity": {{"@type": "Article",
                "headline": "Two
                lines", "datePublished": "2024-12-06"}}, "datePublished": "2024-11-28"}}--></script></body>"#
            ),
            format!(r#"<head><meta name="date" content="2024-12-06"></head><body>{decoy_time}{story}</body>"#),
        ];
        for page in decoys {
            assert_eq!(extract(&page).published.as_deref(), Some("2024-12-06"), "{page}");
        }
        // A story without a head's or JSON-LD's date has its own marked time.
        let page = format!(
            "<body><aside>{decoy_time}</aside><article><time pubdate datetime=2024-12-06>6 Dec</time>{story}</article></body>"
        );
        assert_eq!(extract(&page).published.as_deref(), Some("2024-12-06"));
        // The canonical link and og:url of the head only, as browsers read them.
        let page = extract(
            r#"<head></head><body><link rel="canonical" href="https://x.example/a"><meta property="og:url" content="https://x.example/b"><p>T.</p></body>"#,
        );
        assert_eq!((page.canonical, page.url), (None, None));
    }

    #[test]
    fn hidden_elements_are_not_text() {
        let page = extract(
            r#"<div><p>The story itself.</p></div><div hidden><p>The story itself, for print.</p></div>
            <div style="display: none"><p>Another copy.</p></div><span aria-hidden="true">Icon text</span>
            <div style="color: red"><p>Shown.</p></div><div aria-hidden="false"><p>Shown too.</p></div>"#,
        );
        assert_eq!(page.text, "The story itself.\nShown.\nShown too.");
    }

    #[test]
    fn article_cards_beside_the_story_are_not_its_text() {
        let story = "The finance minister said the budget would be balanced by next year. ".repeat(6);
        let page = extract(&format!(
            "<main><h1>Budget</h1><article><p>{story}</p></article><section><h2>More stories</h2>\
             <article><h3>Card one</h3><p>A line.</p></article><article><h3>Card two</h3><p>Another.</p></article>\
             </section></main><article><p>Outside card.</p></article>"
        ));
        assert_eq!(page.text, format!("Budget\n{}\nMore stories", story.trim()));
        // Entries of a live page, articles of like size, are all kept.
        let live = extract(
            "<article><p>First entry of some length.</p></article><article><p>Second entry, as long.</p></article>",
        );
        assert_eq!(live.text, "First entry of some length.\nSecond entry, as long.");
    }

    #[test]
    fn canonical_link_and_own_address() {
        let page = extract(
            r#"<head><link rel="stylesheet" href="http://x/s.css"><LINK REL="Canonical" HREF="https://news.example/story">
            <meta property="og:url" content="https://copies.example/a"></head><p>Text.</p>"#,
        );
        assert_eq!(page.canonical.as_deref(), Some("https://news.example/story"));
        assert_eq!(page.url.as_deref(), Some("https://copies.example/a"));
        // A relative address names no page this side of the crawl.
        // A relative link is resolved against the page's address; without one it names nothing.
        let fields = |html: &str, url: Option<&str>| {
            let mut fields = Map::new();
            if let Some(url) = url {
                fields.insert("url".into(), Value::String(url.into()));
            }
            extract(html).add_head_fields(&mut fields);
            fields.get("canonical").and_then(Value::as_str).map(str::to_string)
        };
        let relative = r#"<link rel="canonical" href="/story/001"><p>Text.</p>"#;
        assert_eq!(
            fields(relative, Some("https://copies.example/a/b")).as_deref(),
            Some("https://copies.example/story/001")
        );
        assert_eq!(fields(relative, None), None);
        let scheme_relative = r#"<link rel="canonical" href="//news.example/story/001"><p>Text.</p>"#;
        assert_eq!(
            fields(scheme_relative, Some("http://copies.example/")).as_deref(),
            Some("http://news.example/story/001")
        );
        let og =
            r#"<meta property="og:url" content="https://copies.example/x/y"><link rel="canonical" href="z"><p>T.</p>"#;
        assert_eq!(fields(og, None).as_deref(), Some("https://copies.example/x/z"));
        assert_eq!(
            fields(r#"<link rel="canonical" href="javascript:void(0)"><p>T.</p>"#, Some("http://a.example/")),
            None
        );
    }

    #[test]
    fn pages_are_decoded_by_their_charset() {
        let decode = |bytes: &[u8], header: Option<&str>| decode_page(bytes, header.map(str::to_string));
        // Declared in a <meta>, by charset= or inside http-equiv content; or by the HTTP header.
        let w1252 = b"<meta charset=windows-1252><p>\x93It\x92s\x94 5 \x80";
        assert_eq!(decode(w1252, None), ("<meta charset=windows-1252><p>“It’s” 5 €".into(), None));
        let w1251 = b"<meta http-equiv=Content-Type content='text/html; charset=windows-1251'>\xcc\xe8\xf0";
        assert!(decode(w1251, None).0.ends_with("Мир"));
        assert_eq!(decode(b"\xcc\xe8\xf0", Some("koi8-r")).0, "лХП");
        // A header's label the standard does not know gives way to the page's <meta>, as in a browser.
        assert_eq!(decode(w1251, Some("bogus-xyz")), decode(w1251, None));
        let (_, note) = decode(b"<meta charset=nonsense>caf\xe9", Some("bogus-xyz"));
        assert!(note.unwrap().starts_with("unknown charset \"bogus-xyz\" and \"nonsense\" and not UTF-8"));
        // A byte-order mark wins; a <meta> cannot declare UTF-16 in ASCII.
        assert_eq!(decode(b"\xff\xfeh\0i\0", Some("windows-1252")).0, "hi");
        assert_eq!(decode("<meta charset=utf-16>é".as_bytes(), None).0, "<meta charset=utf-16>é");
        // Nothing declared: UTF-8 when it is, else Windows-1252, said.
        assert_eq!(decode("café".as_bytes(), None), ("café".into(), None));
        let (text, note) = decode(b"caf\xe9", None);
        assert_eq!(text, "café");
        assert!(note.unwrap().contains("read as windows-1252"));
        // Declared UTF-8 but not: replacement characters, said.
        let (text, note) = decode(b"<meta charset=utf-8>caf\xe9", None);
        assert!(text.ends_with('\u{fffd}') && note.unwrap().contains("invalid UTF-8"));
        // A <meta> after the first kilobyte counts when the page is not UTF-8.
        let late = [b"<!--".as_slice(), &[b'x'; 1100], b"--><meta charset=windows-1251>\xcc\xe8\xf0"].concat();
        let (text, note) = decode(&late, None);
        assert!(text.ends_with("Мир") && note.is_none(), "{text}");
        // A charset the standard replaces wholesale (ISO-2022-KR) is read as an unknown one, not emptied.
        assert_eq!(decode(b"<meta charset=iso-2022-kr><p>plain", None).0, "<meta charset=iso-2022-kr><p>plain");
        let (text, note) = decode(b"<meta charset=iso-2022-kr><p>caf\xe9", None);
        assert!(text.ends_with("café") && note.unwrap().contains("unknown charset"), "{text}");
    }

    #[test]
    fn every_named_entity_is_decoded() {
        let page =
            extract("<title>L&oacute;pez &NotEqualTilde; &frac12;</title><p>&Scaron;koda &copy 2025 &bogus; AT&T</p>");
        assert_eq!(page.title.as_deref(), Some("López ≂̸ ½"));
        assert_eq!(page.text, "Škoda © 2025 &bogus; AT&T");
        // In an attribute, a reference without a semicolon before '=' or a letter stays as it is.
        let page = extract("<link rel=canonical href='http://x/?a=1&copy=2&amp;b=3'><p>t</p>");
        assert_eq!(page.canonical.as_deref(), Some("http://x/?a=1&copy=2&b=3"));
    }

    #[test]
    fn pages_without_article_keep_all_body_text() {
        let page = extract("<body><div>One</div><div>Two<br>Three</div><footer>F</footer></body>");
        assert_eq!(page.text, "One\nTwo\nThree");
        assert_eq!(page.title, None);
    }

    #[test]
    fn broken_markup_never_fails() {
        for html in [
            "",
            "<",
            "<p",
            "<p>unclosed",
            "</div>stray",
            "a < b and c > d",
            "<script>never closed",
            "<nav><nav>x</nav>",
            "&#99999999;",
            "&",
            "<a href='>'>q</a>",
            "<!--",
            "<p>é&eacute;",
        ] {
            let _ = extract(html);
        }
        assert_eq!(extract("a < b and c > d").text, "a < b and c > d");
        assert_eq!(extract("<nav><nav>x</nav>y</nav>z").text, "z");
        assert_eq!(extract("<a href='>'>q</a>").text, "q");
    }
}
