//! The report as a PDF: A4 pages of real, searchable text in Helvetica (a standard-14
//! font, so nothing is embedded but the views), streams compressed with Deflate.

use miniz_oxide::deflate::{CompressionLevel, compress_to_vec_zlib};
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::content::{INK, blocks};
use super::input::ReportInput;
use super::layout::{A4, Item, Layout, footer_y, lay_out_on_a4};
use super::pdf_font::{encode, text_width};

const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");
const VIEWS: Name<'static> = Name(b"Im1");
/// Pixel width of the embedded views: about 155 dpi across the page, as on the PNG page;
/// the box captions are drawn at a fixed pixel size, so more pixels would shrink them.
const VIEWS_PIXELS: u32 = 1100;
/// Helvetica's ascent (718/1000 em): the baseline below a line box's top.
const ASCENT: f32 = 0.718;

/// Fixed object numbers; pages and their contents follow from `FIRST_PAGE` on.
const CATALOG: Ref = Ref::new(1);
const PAGE_TREE: Ref = Ref::new(2);
const FONT_REGULAR: Ref = Ref::new(3);
const FONT_BOLD: Ref = Ref::new(4);
const VIEWS_IMAGE: Ref = Ref::new(5);
const INFO: Ref = Ref::new(6);
const FIRST_PAGE: i32 = 10;

/// The report as PDF bytes.
#[must_use]
pub fn render_pdf(input: &ReportInput) -> Vec<u8> {
    let layout = lay_out_on_a4(&blocks(input), &text_width, input.views_aspect(), true);
    let mut pdf = Pdf::new();
    let pages = page_refs(layout.pages.len());
    pdf.catalog(CATALOG).pages(PAGE_TREE);
    pdf.pages(PAGE_TREE)
        .kids(pages.iter().map(|(page, _)| *page))
        .count(i32::try_from(pages.len()).unwrap_or(i32::MAX));
    write_fonts(&mut pdf);
    write_info(&mut pdf, input);
    let has_views = layout
        .pages
        .iter()
        .flatten()
        .any(|i| matches!(i, Item::Views { .. }));
    if has_views {
        write_views(&mut pdf, input);
    }
    write_pages(
        &mut pdf,
        &layout,
        &pages,
        &input.date.to_string(),
        has_views,
    );
    pdf.finish()
}

fn page_refs(count: usize) -> Vec<(Ref, Ref)> {
    (0..count)
        .map(|i| {
            let n = FIRST_PAGE + 2 * i32::try_from(i).unwrap_or(0);
            (Ref::new(n), Ref::new(n + 1))
        })
        .collect()
}

fn write_fonts(pdf: &mut Pdf) {
    for (id, name) in [(FONT_REGULAR, "Helvetica"), (FONT_BOLD, "Helvetica-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
}

/// Title, producer and date; never a patient identifier (readers show these fields in
/// file lists and search indexes).
fn write_info(pdf: &mut Pdf, input: &ReportInput) {
    let d = input.date;
    pdf.document_info(INFO)
        .title(TextStr("ScrewID report"))
        .producer(TextStr(&input.report.generator))
        .creation_date(Date::new(d.year).month(d.month).day(d.day));
}

fn write_views(pdf: &mut Pdf, input: &ReportInput) {
    let views = input.views(VIEWS_PIXELS);
    let data = compress_to_vec_zlib(views.as_raw(), CompressionLevel::DefaultLevel as u8);
    let mut image = pdf.image_xobject(VIEWS_IMAGE, &data);
    image.filter(Filter::FlateDecode);
    image.width(i32::try_from(views.width()).unwrap_or(1));
    image.height(i32::try_from(views.height()).unwrap_or(1));
    image.color_space().device_rgb();
    image.bits_per_component(8);
    image.finish();
}

fn write_pages(pdf: &mut Pdf, layout: &Layout, refs: &[(Ref, Ref)], date: &str, views: bool) {
    let total = refs.len();
    for (n, (items, (page_id, content_id))) in layout.pages.iter().zip(refs).enumerate() {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, A4[0], A4[1]));
        page.parent(PAGE_TREE);
        page.contents(*content_id);
        let mut resources = page.resources();
        resources
            .fonts()
            .pair(REGULAR, FONT_REGULAR)
            .pair(BOLD, FONT_BOLD);
        if views {
            resources.x_objects().pair(VIEWS, VIEWS_IMAGE);
        }
        resources.finish();
        page.finish();
        let footer = format!("ScrewID report, exported {date}: page {} of {total}", n + 1);
        let content = page_content(items, &footer);
        let packed = compress_to_vec_zlib(&content, CompressionLevel::DefaultLevel as u8);
        pdf.stream(*content_id, &packed).filter(Filter::FlateDecode);
    }
}

fn page_content(items: &[Item], footer: &str) -> Vec<u8> {
    let mut c = Content::new();
    for item in items {
        match item {
            Item::Text {
                x,
                y,
                size,
                bold,
                colour,
                text,
            } => {
                let cells = [(*x, text.clone())];
                show_line(&mut c, *y, *size, *bold, *colour, &cells);
            }
            Item::Row {
                y,
                size,
                bold,
                colour,
                cells,
            } => show_line(&mut c, *y, *size, *bold, *colour, cells),
            Item::Rule { x, y, width } => {
                c.set_stroke_rgb(0.5, 0.5, 0.5);
                c.set_line_width(0.5);
                c.move_to(*x, A4[1] - y);
                c.line_to(x + width, A4[1] - y);
                c.stroke();
            }
            Item::Views {
                x,
                y,
                width,
                height,
            } => {
                c.save_state();
                c.transform([*width, 0.0, 0.0, *height, *x, A4[1] - y - height]);
                c.x_object(VIEWS);
                c.restore_state();
            }
        }
    }
    let footer_cells = [(42.0, footer.to_owned())];
    show_line(&mut c, footer_y(A4[1]), 7.0, false, INK, &footer_cells);
    c.finish().to_vec()
}

/// One line of text objects: each cell at its x, all on the line whose box top is `top`.
fn show_line(
    content: &mut Content,
    top: f32,
    size: f32,
    bold: bool,
    colour: [u8; 3],
    cells: &[(f32, String)],
) {
    let c = content;
    let baseline = A4[1] - top - size * ASCENT;
    let [red, green, blue] = colour.map(|v| f32::from(v) / 255.0);
    c.begin_text();
    c.set_font(if bold { BOLD } else { REGULAR }, size);
    c.set_fill_rgb(red, green, blue);
    let mut previous_x = 0.0;
    for (i, (x, text)) in cells.iter().enumerate() {
        let dy = if i == 0 { baseline } else { 0.0 };
        c.next_line(x - previous_x, dy);
        previous_x = *x;
        // A trailing space between cells keeps them apart when the text is extracted.
        let shown = if i + 1 < cells.len() {
            format!("{text} ")
        } else {
            text.clone()
        };
        c.show(Str(&encode(&shown)));
    }
    c.end_text();
}
