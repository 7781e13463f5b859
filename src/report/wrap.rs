//! Layout helpers shared by the PNG page and the PDF: breaking text into lines, cutting a
//! table cell to its column, placing columns.

/// `text` broken at spaces into lines no wider than `max` (by `width`); a word wider than
/// a line is broken between characters.
#[must_use]
pub fn wrap(text: &str, max: f32, width: &dyn Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        line = break_long_word(word, max, width, &mut lines);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Pushes full-width pieces of `word` to `lines`; returns the last, shorter piece.
fn break_long_word(
    word: &str,
    max: f32,
    width: &dyn Fn(&str) -> f32,
    lines: &mut Vec<String>,
) -> String {
    let mut piece = String::new();
    for c in word.chars() {
        piece.push(c);
        if width(&piece) > max && piece.chars().count() > 1 {
            piece.pop();
            lines.push(std::mem::replace(&mut piece, c.to_string()));
        }
    }
    piece
}

/// `text`, or as much of it as fits in `max` followed by "...".
#[must_use]
pub fn truncate(text: &str, max: f32, width: &dyn Fn(&str) -> f32) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    let mut cut: String = text.to_owned();
    while !cut.is_empty() && width(&format!("{cut}...")) > max {
        cut.pop();
    }
    format!("{cut}...")
}

/// The left edge of each column when `total` is shared in proportion to `weights`,
/// starting at `left`.
#[must_use]
pub fn column_lefts(weights: &[f32], left: f32, total: f32) -> Vec<f32> {
    let sum: f32 = weights.iter().sum::<f32>().max(f32::EPSILON);
    let mut x = left;
    weights
        .iter()
        .map(|w| {
            let here = x;
            x += total * w / sum;
            here
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character one unit wide, so widths are character counts.
    #[expect(clippy::cast_precision_loss, reason = "short test strings")]
    fn chars(s: &str) -> f32 {
        s.chars().count() as f32
    }

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        assert_eq!(
            wrap("the quick brown fox jumps", 10.0, &chars),
            ["the quick", "brown fox", "jumps"]
        );
        assert_eq!(wrap("", 10.0, &chars), [""]);
    }

    #[test]
    fn wrap_breaks_a_word_longer_than_the_line() {
        assert_eq!(wrap("ab abcdefgh", 4.0, &chars), ["ab", "abcd", "efgh"]);
    }

    #[test]
    fn truncate_marks_what_it_cut() {
        assert_eq!(truncate("Stryker", 10.0, &chars), "Stryker");
        assert_eq!(
            truncate("overruled by the surgeon", 10.0, &chars),
            "overrul..."
        );
    }

    #[test]
    fn columns_share_the_width_in_proportion() {
        assert_eq!(
            column_lefts(&[1.0, 2.0, 1.0], 10.0, 100.0),
            [10.0, 35.0, 85.0]
        );
    }
}
