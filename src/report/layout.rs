//! Places a report's blocks on pages: positions in points from the page's top-left corner,
//! for the PNG painter and the PDF writer alike. Only text widths differ between the two
//! (their fonts differ), so each passes its own measure.

use super::content::{Block, INK, Paragraph, Row, Table};
use super::wrap::{column_lefts, truncate, wrap};

/// A4 in points.
pub const A4: [f32; 2] = [595.0, 842.0];
const MARGIN: f32 = 42.0;
const TITLE_SIZE: f32 = 16.0;
const HEADING_SIZE: f32 = 11.0;
const BODY_SIZE: f32 = 8.5;
const TABLE_SIZE: f32 = 7.5;
/// Line height over font size.
const LEADING: f32 = 1.25;
/// Room kept at the bottom of each page for its footer.
const FOOTER: f32 = 16.0;
/// The views take at most this share of the page height.
pub const VIEWS_SHARE: f32 = 0.42;
/// The lowest the PNG sheet shrinks its views to stay on one A4 page.
pub const VIEWS_MIN_HEIGHT: f32 = 150.0;

/// How wide a text is, in points, at a size in points, bold or not.
pub type Measure<'a> = &'a dyn Fn(&str, f32, bool) -> f32;

/// One thing placed on a page; `y` is the top of its line box.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        colour: [u8; 3],
        text: String,
    },
    /// A table row: its cells share one line, so text extraction reads a row as a row.
    Row {
        y: f32,
        size: f32,
        bold: bool,
        colour: [u8; 3],
        cells: Vec<(f32, String)>,
    },
    /// A thin line under a table header.
    Rule { x: f32, y: f32, width: f32 },
    Views {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
}

/// The placed pages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub pages: Vec<Vec<Item>>,
    /// How far down the last page the content reaches.
    pub end: f32,
}

/// How the views are sized: width over height, and the most height they may take.
#[derive(Clone, Copy, Debug)]
pub struct ViewsFit {
    pub aspect: f32,
    pub max_height: f32,
}

impl ViewsFit {
    /// The usual fit: at most [`VIEWS_SHARE`] of an A4 page.
    #[must_use]
    pub fn a4(aspect: f32) -> Self {
        Self {
            aspect,
            max_height: A4[1] * VIEWS_SHARE,
        }
    }
}

/// The lowest a page's content may reach.
#[must_use]
pub fn content_bottom() -> f32 {
    A4[1] - MARGIN - FOOTER
}

/// Lays `blocks` out on A4 pages. With `paginate` false everything goes on one page that
/// grows past A4 when it must (the PNG sheet).
#[must_use]
pub fn lay_out(blocks: &[Block], measure: Measure<'_>, views: ViewsFit, paginate: bool) -> Layout {
    let mut flow = Flow {
        measure,
        paginate,
        layout: Layout {
            pages: vec![Vec::new()],
            end: MARGIN,
        },
        y: MARGIN,
    };
    for block in blocks {
        flow.block(block, views);
    }
    flow.layout.end = flow.y;
    flow.layout
}

/// Lays `blocks` out with the views shrunk (down to [`VIEWS_MIN_HEIGHT`]) so that the
/// whole report fits on one A4 page when it can; a report that cannot fit keeps full-size
/// views and flows onto more pages (or a taller sheet).
#[must_use]
pub fn lay_out_on_a4(
    blocks: &[Block],
    measure: Measure<'_>,
    aspect: f32,
    paginate: bool,
) -> Layout {
    let full = ViewsFit::a4(aspect);
    let one_sheet = lay_out(blocks, measure, full, false);
    let over = one_sheet.end - content_bottom();
    let views_height = one_sheet
        .pages
        .iter()
        .flatten()
        .find_map(|item| match item {
            Item::Views { height, .. } => Some(*height),
            _ => None,
        });
    let fit = match views_height {
        Some(height) if over > 0.0 && height - over >= VIEWS_MIN_HEIGHT => ViewsFit {
            aspect,
            max_height: height - over,
        },
        _ => full,
    };
    lay_out(blocks, measure, fit, paginate)
}

/// The width of a line of text.
#[must_use]
pub fn content_width() -> f32 {
    A4[0] - 2.0 * MARGIN
}

/// Where each page's footer line goes.
#[must_use]
pub fn footer_y(page_height: f32) -> f32 {
    page_height - MARGIN + 4.0
}

struct Flow<'a> {
    measure: Measure<'a>,
    paginate: bool,
    layout: Layout,
    y: f32,
}

impl Flow<'_> {
    fn block(&mut self, block: &Block, views: ViewsFit) {
        match block {
            Block::Title(t) => self.line(t, TITLE_SIZE, true, INK, 4.0),
            Block::Heading(t) => {
                self.y += 4.0;
                // A heading never ends a page alone: keep room for a line after it.
                self.room(HEADING_SIZE * LEADING + BODY_SIZE * LEADING * 2.0);
                self.line(t, HEADING_SIZE, true, INK, 1.0);
            }
            Block::Paragraph(p) => self.paragraph(p),
            Block::Table(t) => self.table(t),
            Block::Views => self.views(views),
        }
    }

    /// Starts a new page when `height` does not fit below the cursor.
    fn room(&mut self, height: f32) {
        if self.paginate && self.y + height > content_bottom() {
            self.layout.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.layout.pages.last_mut() {
            page.push(item);
        }
    }

    fn line(&mut self, text: &str, size: f32, bold: bool, colour: [u8; 3], after: f32) {
        self.room(size * LEADING);
        self.push(Item::Text {
            x: MARGIN,
            y: self.y,
            size,
            bold,
            colour,
            text: text.to_owned(),
        });
        self.y += size * LEADING + after;
    }

    fn paragraph(&mut self, p: &Paragraph) {
        let measure = self.measure;
        let width = |s: &str| measure(s, BODY_SIZE, p.bold);
        for line in wrap(&p.text, content_width(), &width) {
            self.line(&line, BODY_SIZE, p.bold, p.colour, 0.0);
        }
        self.y += 2.0;
    }

    fn table(&mut self, table: &Table) {
        let lefts = column_lefts(&table.weights, MARGIN, content_width());
        let header = Row {
            cells: table.header.clone(),
            colour: INK,
            bold: true,
        };
        self.row(&header, &lefts);
        self.push(Item::Rule {
            x: MARGIN,
            y: self.y,
            width: content_width(),
        });
        self.y += 2.0;
        for row in &table.rows {
            self.row(row, &lefts);
        }
        self.y += 4.0;
    }

    fn row(&mut self, row: &Row, lefts: &[f32]) {
        self.room(TABLE_SIZE * LEADING);
        let measure = self.measure;
        let width = |s: &str| measure(s, TABLE_SIZE, row.bold);
        let rights = lefts
            .iter()
            .skip(1)
            .copied()
            .chain([MARGIN + content_width()]);
        let cells = row
            .cells
            .iter()
            .zip(lefts.iter().zip(rights))
            .map(|(cell, (&left, right))| (left, truncate(cell, right - left - 3.0, &width)))
            .collect();
        self.push(Item::Row {
            y: self.y,
            size: TABLE_SIZE,
            bold: row.bold,
            colour: row.colour,
            cells,
        });
        self.y += TABLE_SIZE * LEADING;
    }

    fn views(&mut self, fit: ViewsFit) {
        let aspect = fit.aspect.max(0.01);
        let mut width = content_width();
        let mut height = width / aspect;
        if height > fit.max_height {
            height = fit.max_height;
            width = height * aspect;
        }
        self.room(height);
        self.push(Item::Views {
            x: MARGIN + (content_width() - width) / 2.0,
            y: self.y,
            width,
            height,
        });
        self.y += height + 4.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character half its font size wide, as a rough proportional font.
    #[expect(clippy::cast_precision_loss, reason = "short test strings")]
    fn half(s: &str, size: f32, _bold: bool) -> f32 {
        s.chars().count() as f32 * size * 0.5
    }

    fn paragraphs(n: usize) -> Vec<Block> {
        (0..n)
            .map(|i| {
                Block::Paragraph(Paragraph {
                    text: format!("line {i}"),
                    colour: INK,
                    bold: false,
                })
            })
            .collect()
    }

    #[test]
    fn long_content_flows_onto_more_pages_or_one_tall_sheet() {
        // Each paragraph takes 8.5 * 1.25 + 2 = 12.625 pt; an A4 page's last line box
        // must end by 842 - 42 - 16 = 784, so a page holds 58 (42 + 57 * 12.625 + 10.625
        // = 772.3), and 120 need three pages.
        let blocks = paragraphs(120);
        let fit = ViewsFit::a4(1.0);
        assert_eq!(lay_out(&blocks, &half, fit, true).pages.len(), 3);
        let sheet = lay_out(&blocks, &half, fit, false);
        assert_eq!(sheet.pages.len(), 1);
        assert!(
            (sheet.end - (42.0 + 120.0 * 12.625)).abs() < 0.01,
            "{}",
            sheet.end
        );
    }

    #[test]
    fn views_shrink_to_keep_a_report_on_one_page() {
        // 50 paragraphs reach 42 + 50 * 12.625 = 673.25 pt; with views 255.5 pt high
        // (aspect 2 across 511 pt) plus 4 pt below them, the sheet ends at 932.75, 148.75
        // past 784: views of 106.75 pt would fit, but that is under the 150 pt minimum.
        let mut blocks = vec![Block::Views];
        blocks.extend(paragraphs(50));
        let kept = lay_out_on_a4(&blocks, &half, 2.0, true);
        assert_eq!(
            kept.pages.len(),
            2,
            "too little room: full-size views, two pages"
        );
        // With 40 paragraphs the overflow is 22.5 pt: views of 233 pt fit one page.
        let blocks = &blocks[..41];
        let fitted = lay_out_on_a4(blocks, &half, 2.0, true);
        assert_eq!(fitted.pages.len(), 1);
        let Item::Views { height, .. } = fitted.pages[0][0] else {
            panic!("no views item");
        };
        assert!((height - 233.0).abs() < 0.01, "{height}");
        assert!(
            (fitted.end - content_bottom()).abs() < 0.01,
            "{}",
            fitted.end
        );
    }

    #[test]
    fn wide_views_fill_the_width_and_tall_ones_are_capped() {
        let wide = lay_out(&[Block::Views], &half, ViewsFit::a4(2.0), true);
        let Item::Views { width, height, .. } = wide.pages[0][0] else {
            panic!("no views item");
        };
        assert!((width - 511.0).abs() < 0.01 && (height - 255.5).abs() < 0.01);
        let tall = lay_out(&[Block::Views], &half, ViewsFit::a4(0.5), true);
        let Item::Views { width, height, .. } = tall.pages[0][0] else {
            panic!("no views item");
        };
        assert!((height - 842.0 * 0.42).abs() < 0.01 && (width - height * 0.5).abs() < 0.01);
    }
}
