//! The PDF's two standard-14 fonts, Helvetica and Helvetica-Bold: their `WinAnsiEncoding`
//! (a character they cannot show becomes `?`) and their advance widths (Adobe's AFM
//! files), so text can be wrapped without embedding a font.

/// Helvetica widths in 1/1000 em of the printable ASCII characters, space to `~`.
const REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0..?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P.._
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `..o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p..~
];

/// Helvetica-Bold widths, as [`REGULAR`].
const BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0..?
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // P.._
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // `..o
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, // p..~
];

/// `WinAnsiEncoding` codes 0x80–0x9F and the characters they show (the rest of 0xA0–0xFF is
/// Latin-1).
const WIN_ANSI_HIGH: [(char, u8); 27] = [
    ('€', 0x80),
    ('‚', 0x82),
    ('ƒ', 0x83),
    ('„', 0x84),
    ('…', 0x85),
    ('†', 0x86),
    ('‡', 0x87),
    ('ˆ', 0x88),
    ('‰', 0x89),
    ('Š', 0x8A),
    ('‹', 0x8B),
    ('Œ', 0x8C),
    ('Ž', 0x8E),
    ('\u{2018}', 0x91),
    ('\u{2019}', 0x92),
    ('\u{201C}', 0x93),
    ('\u{201D}', 0x94),
    ('•', 0x95),
    ('–', 0x96),
    ('—', 0x97),
    ('˜', 0x98),
    ('™', 0x99),
    ('š', 0x9A),
    ('›', 0x9B),
    ('œ', 0x9C),
    ('ž', 0x9E),
    ('Ÿ', 0x9F),
];

/// `text` in `WinAnsiEncoding`; characters outside it become `?`.
#[must_use]
pub fn encode(text: &str) -> Vec<u8> {
    text.chars().map(encode_char).collect()
}

fn encode_char(c: char) -> u8 {
    match u32::from(c) {
        0x20..=0x7E | 0xA0..=0xFF => u8::try_from(u32::from(c)).unwrap_or(b'?'),
        _ => WIN_ANSI_HIGH
            .iter()
            .find(|(k, _)| *k == c)
            .map_or(b'?', |(_, code)| *code),
    }
}

/// The width of `text` in points at `size` points.
#[must_use]
pub fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    let table = if bold { &BOLD } else { &REGULAR };
    let units: u32 = encode(text)
        .into_iter()
        .map(|b| u32::from(width_of(table, b)))
        .sum();
    #[expect(clippy::cast_precision_loss, reason = "line widths are far below 2^24")]
    let units = units as f32;
    units * size / 1000.0
}

/// Widths outside printable ASCII are not in the tables: an en space's worth is close
/// enough for wrapping (dashes and accented letters are about that wide).
fn width_of(table: &[u16; 95], code: u8) -> u16 {
    match code {
        0x20..=0x7E => table[usize::from(code - 0x20)],
        0x85 | 0x97 => 1000,
        _ => 556,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_outside_win_ansi_become_question_marks() {
        assert_eq!(encode("PHANTOM^P001"), b"PHANTOM^P001");
        assert_eq!(encode("é – ok"), [0xE9, b' ', 0x96, b' ', b'o', b'k']);
        assert_eq!(encode("漢 x"), b"? x");
    }

    #[test]
    fn widths_follow_the_afm_tables() {
        // Helvetica: "A" 667, "i" 222; at 10 pt that is 6.67 + 2.22 points.
        assert!((text_width("Ai", 10.0, false) - 8.89).abs() < 1e-4);
        // Helvetica-Bold: "A" 722, "i" 278.
        assert!((text_width("Ai", 10.0, true) - 10.0).abs() < 1e-4);
    }
}
