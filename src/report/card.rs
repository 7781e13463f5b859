//! The short summary of a pack's model card (`MODEL_CARD.md`) printed on a report, and
//! where in the card it came from.

use std::path::Path;

/// The card's file name inside a pack folder.
pub const CARD_FILE: &str = "MODEL_CARD.md";

/// A few sentences of the model card and the place they were taken from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardSummary {
    pub text: String,
    /// E.g. `MODEL_CARD.md, section "What it was trained on"`.
    pub source: String,
}

impl CardSummary {
    /// Reads the card of the pack in `pack_dir`; `None` when the pack has none.
    #[must_use]
    pub fn read(pack_dir: &Path, trained_on: &str) -> Option<Self> {
        let text = std::fs::read_to_string(pack_dir.join(CARD_FILE)).ok()?;
        Self::from_markdown(&text, trained_on)
    }

    /// The paragraphs of the card's first section, emphasis marks removed.
    ///
    /// A paragraph equal to `trained_on` is left out: the report prints the manifest's
    /// text already, and the card usually opens with the same words. If that leaves
    /// nothing, the section is kept whole.
    #[must_use]
    pub fn from_markdown(markdown: &str, trained_on: &str) -> Option<Self> {
        let (title, paragraphs) = first_section(markdown)?;
        let kept: Vec<&String> = paragraphs
            .iter()
            .filter(|p| p.trim() != trained_on.trim())
            .collect();
        let chosen: Vec<&String> = if kept.is_empty() {
            paragraphs.iter().collect()
        } else {
            kept
        };
        let text = chosen
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Some(Self {
            text,
            source: format!("{CARD_FILE}, section \"{title}\""),
        })
    }
}

/// The title and paragraphs of the first `##` section (or, without one, the text after
/// the `#` title).
fn first_section(markdown: &str) -> Option<(String, Vec<String>)> {
    let mut title = None;
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    for line in markdown.lines() {
        let trimmed = line.trim();
        if let Some(heading) = trimmed.strip_prefix('#') {
            if title.is_some() && (!paragraphs.is_empty() || !current.is_empty()) {
                break;
            }
            if heading.starts_with('#') || title.is_none() {
                title = Some(heading.trim_start_matches('#').trim().to_owned());
            }
            continue;
        }
        if trimmed.is_empty() {
            push_paragraph(&mut paragraphs, &mut current);
        } else if !trimmed.starts_with('|') && !trimmed.starts_with("![") {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(&trimmed.replace("**", "").replace('`', ""));
        }
    }
    push_paragraph(&mut paragraphs, &mut current);
    let title = title?;
    (!paragraphs.is_empty()).then_some((title, paragraphs))
}

fn push_paragraph(paragraphs: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        paragraphs.push(std::mem::take(current));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = "# Pack `demo`\n\n## What it was trained on\n\nPhantoms only.\n\n\
                        **Not for clinical use.** Never saw a real film.\n\n## Models\n\nTables.\n";

    #[test]
    fn the_first_section_is_summarised_without_the_manifest_text() {
        let card = CardSummary::from_markdown(CARD, "Phantoms only.").unwrap();
        assert_eq!(card.text, "Not for clinical use. Never saw a real film.");
        assert_eq!(
            card.source,
            "MODEL_CARD.md, section \"What it was trained on\""
        );
    }

    #[test]
    fn a_section_that_only_repeats_the_manifest_is_kept_whole() {
        let card = CardSummary::from_markdown("## Data\n\nPhantoms only.\n", "Phantoms only.");
        assert_eq!(card.unwrap().text, "Phantoms only.");
        assert_eq!(CardSummary::from_markdown("no headings here", ""), None);
    }
}
