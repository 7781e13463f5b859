//! Owns how a file path is shown in a message: on one line, whatever the file is called.
//! A name may hold a newline, a tab or other control characters (POSIX allows every byte
//! but `/` and NUL); shown raw they would break a message in two, or let a crafted name
//! rewrite a terminal line. They are written as escapes instead (`\n`, `\t`, `\u{1b}`),
//! and so are the Unicode line / paragraph separators and the bidirectional controls,
//! which reorder or split what is displayed. Everything else, accents included, is kept.

use std::fmt::Write as _;
use std::path::Path;

/// `path` for a one-line message: lossy UTF-8, control characters escaped.
#[must_use]
pub fn shown_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if must_escape(c) {
            let _ = write!(out, "{}", c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Control characters (Cc), line and paragraph separators, bidirectional controls.
fn must_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(shown_path(Path::new("/x/a\nb.dcm")), "/x/a\\nb.dcm");
        assert_eq!(shown_path(Path::new("a\tb\rc")), "a\\tb\\rc");
        assert_eq!(shown_path(Path::new("a\u{1b}[2Kb")), "a\\u{1b}[2Kb");
        assert_eq!(
            shown_path(Path::new("a\u{2028}b\u{202E}c")),
            "a\\u{2028}b\\u{202e}c"
        );
    }

    #[test]
    fn ordinary_names_are_unchanged() {
        let name = "/home/dr/Radiographies/Ébauche 2 (copie)/ap.dcm";
        assert_eq!(shown_path(Path::new(name)), name);
    }
}
