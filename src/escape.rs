//! Text from the input made safe to show on a terminal: the one place that decides how the human-facing
//! outputs (the text report, `--explain`'s quotations, the messages on stderr) show ids, titles, file
//! names, URLs and article text. A control character (C0, DEL, C1: ESC starting a colour or window-title
//! sequence, BEL, a carriage return or newline that would forge a report line), a Unicode line or paragraph
//! separator, or an invisible format character (a bidirectional override, a zero-width space) is written
//! as a visible escape (`\n`, `\r`, `\t`, `\u{1b}`), so
//! what is printed is what the input holds and nothing else. The JSON formats are exact and need none of
//! this (serde escapes them); the CSV report has its own rule (`report::csv`).

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

/// Whether `c` must not reach a terminal as it is: a control character, a line or paragraph separator, an
/// invisible format character (Unicode's category Cf: bidirectional marks, overrides and isolates, the
/// zero-width space, word joiner and byte-order mark, the soft hyphen, tag characters…) or another
/// character that is ignored when shown (Unicode's default-ignorable code points: the combining grapheme
/// joiner, the Hangul fillers, Khmer's inherent vowels, Mongolian's variation selectors), which would make
/// two different ids print the same or reorder what follows. The zero-width joiner and non-joiner and the
/// variation selectors are left as they are: they shape ordinary Persian, Indic, CJK and emoji text
/// (`❤️` is a heart and a variation selector). The HTML report's script holds the same set (`HIDDEN` in
/// `report/html/page.js`, checked by a test).
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{ad}' | '\u{34f}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{890}' | '\u{891}'
            | '\u{8e2}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}' | '\u{180b}'..='\u{180f}' | '\u{200b}'
            | '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{feff}'
            | '\u{ffa0}' | '\u{fff0}'..='\u{fffb}' | '\u{110bd}' | '\u{110cd}' | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}' | '\u{e0000}'..='\u{e00ff}'
            | '\u{e01f0}'..='\u{e0fff}')
}

/// `s` in double quotes as it is, for a message that quotes the input (a field's name, a value that does
/// not read): the message keeps the exact value, as the JSON reports show it, and is escaped once where
/// it is shown ([`escape_controls`]). (`{:?}` escaped it first, and the terminal's escaping escaped that
/// escape again: an ESC in a date showed as `\\u{1b}`.)
pub fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

/// `s` with every control character, line separator and bidirectional override escaped (`\n`, `\r`,
/// `\t`, else `\u{hex}`), and a backslash doubled, so that an escape cannot be forged (an id holding a
/// backslash and a `t` does not print as one holding a tab); borrowed when there is none, the common case.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c == '\\' || hidden(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Shows a value through [`escape_controls`]: `format!("{}", Escaped(path.display()))`.
pub struct Escaped<T>(pub T);

impl<T: fmt::Display> fmt::Display for Escaped<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.0.to_string();
        f.write_str(&escape_controls(&shown))
    }
}

/// A path as text, for ids, reports and messages: as it is when it is UTF-8 (nearly always); a byte that
/// is not (a file named in Latin-1 on a Unix system) is written `\xE9`, so two such names stay apart and
/// the name shown leads back to the file, where the replacement character would make `caf\xE9.txt` and
/// `caf\xE8.txt` both `caf�.txt`. (A UTF-8 name that holds `\xE9` itself would be shown the same: two
/// such files in one run get ids apart by the `#2` of repeated ids.)
pub fn path_text(path: &Path) -> Cow<'_, str> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        if let Ok(text) = std::str::from_utf8(bytes) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(bytes.len() + 8);
        for chunk in bytes.utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
        Cow::Owned(out)
    }
    #[cfg(not(unix))]
    path.to_string_lossy()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_escaped_and_the_rest_as_it_is() {
        let cases = [
            ("plain café — “quoted” 東京", "plain café — “quoted” 東京"),
            ("a\nb\r\tc", "a\\nb\\r\\tc"),
            ("\u{1b}]0;title\u{7}\u{1b}[31mred", "\\u{1b}]0;title\\u{7}\\u{1b}[31mred"),
            ("\u{0}\u{7f}\u{85}\u{9b}", "\\u{0}\\u{7f}\\u{85}\\u{9b}"),
            ("left\u{202e}thgir\u{2028}", "left\\u{202e}thgir\\u{2028}"),
            (
                "ok\u{200b}\u{feff}\u{61c}\u{ad}\u{2060}\u{e0041}",
                "ok\\u{200b}\\u{feff}\\u{61c}\\u{ad}\\u{2060}\\u{e0041}",
            ),
            ("می\u{200c}خواهم 👩\u{200d}💻 ❤\u{fe0f}", "می\u{200c}خواهم 👩\u{200d}💻 ❤\u{fe0f}"),
            // Characters shown as nothing: a look-alike id.
            ("r-1\u{34f}\u{3164}\u{ffa0}\u{115f}\u{2065}", "r-1\\u{34f}\\u{3164}\\u{ffa0}\\u{115f}\\u{2065}"),
            // A backslash doubled: a tab and a backslash before a "t" print apart.
            ("back\\slash", "back\\\\slash"),
            ("wire\\tA", "wire\\\\tA"),
            ("wire\tA", "wire\\tA"),
        ];
        for (raw, shown) in cases {
            assert_eq!(escape_controls(raw), shown);
            assert_eq!(Escaped(raw).to_string(), shown);
        }
        assert!(matches!(escape_controls("nothing to do"), Cow::Borrowed(_)));
    }

    /// The HTML report's script escapes the same characters (its `HIDDEN` class, read here).
    #[test]
    fn the_html_reports_script_hides_the_same_characters() {
        let script = include_str!("report/html/page.js");
        let start = script.find("const HIDDEN = /[").unwrap() + "const HIDDEN = /[".len();
        let class = &script[start..start + script[start..].find("]/gu").unwrap()];
        let mut rest = class.strip_prefix("\\\\\\p{Cc}").expect("a backslash and the controls first");
        fn escape(s: &str) -> (u32, &str) {
            let s = s.strip_prefix("\\u").expect("\\u escapes");
            let (hex, rest) = match s.strip_prefix('{') {
                Some(braced) => braced.split_once('}').unwrap(),
                None => s.split_at(4),
            };
            (u32::from_str_radix(hex, 16).unwrap(), rest)
        }
        let mut ranges = Vec::new();
        while !rest.is_empty() {
            let (lo, after) = escape(rest);
            let (hi, after) = after.strip_prefix('-').map_or((lo, after), escape);
            ranges.push(lo..=hi);
            rest = after;
        }
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let in_script = c.is_control() || ranges.iter().any(|r| r.contains(&(c as u32)));
            assert_eq!(in_script, hidden(c), "U+{:04X}", c as u32);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_file_name_that_is_not_utf8_is_shown_by_its_bytes() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let shown = |bytes: &[u8]| path_text(Path::new(OsStr::from_bytes(bytes))).into_owned();
        assert_eq!(shown(b"d/caf\xe9.txt"), r"d/caf\xE9.txt");
        assert_ne!(shown(b"caf\xe9"), shown(b"caf\xe8"));
        // A character cut short is its bytes; the whole ones around it stay as they are.
        assert_eq!(shown(b"\xe6\x9d\xb1\xe4\xba.txt"), r"東\xE4\xBA.txt");
        assert!(matches!(path_text(Path::new("東京/café.txt")), Cow::Borrowed("東京/café.txt")));
    }
}
