//! Page layout: turns an [`InvoiceDocument`] into printpdf page operations.
//!
//! Coordinates here are in points measured from the TOP of the page (y grows
//! downwards); they are flipped to PDF space only when an op is emitted.
//! Every text run is placed with an absolute text matrix (`Tm`), never with
//! printpdf's `SetTextCursor` (`Td`), which moves relative to the previous run.

use printpdf::{
    Color, ExtendedGraphicsStateId, FontId, LinePoint, Op, PaintMode, PdfFontHandle, Point,
    Polygon, PolygonRing, Pt, Rect, Rgb, TextItem, TextMatrix, WindingOrder,
};
use unicode_normalization::UnicodeNormalization;

use super::fonts::PreparedFont;
use super::words::Words;
use super::{InvoiceDocument, InvoiceRenderer, FONT_BOLD_ID, FONT_REGULAR_ID, WATERMARK_GS_ID};

// ---- page geometry (A4, points) ----------------------------------------------
const PAGE_W: f32 = 595.2756;
const PAGE_H: f32 = 841.8898;
const MX: f32 = 42.0; // left/right margin
const TOP: f32 = 44.0; // top margin
const RIGHT: f32 = PAGE_W - MX;
const CONTENT_W: f32 = PAGE_W - 2.0 * MX;
/// Nothing but the footer may go below this line.
const BOTTOM: f32 = PAGE_H - 58.0;

// ---- palette -------------------------------------------------------------------
type Rgb3 = [f32; 3];
const INK: Rgb3 = [0.11, 0.14, 0.19];
const BODY: Rgb3 = [0.22, 0.25, 0.31];
const MUTED: Rgb3 = [0.42, 0.45, 0.50];
const RULE: Rgb3 = [0.87, 0.89, 0.92];
const HEADER_FILL: Rgb3 = [0.95, 0.96, 0.97];
const PANEL_FILL: Rgb3 = [0.975, 0.98, 0.985];
const ACCENT: Rgb3 = [0.06, 0.30, 0.51];
const WHITE: Rgb3 = [1.0, 1.0, 1.0];
const GREEN: Rgb3 = [0.08, 0.50, 0.24];
const RED: Rgb3 = [0.73, 0.11, 0.11];
const RED_TINT: Rgb3 = [0.996, 0.95, 0.95];
const AMBER: Rgb3 = [0.71, 0.33, 0.04];
const SLATE: Rgb3 = [0.28, 0.33, 0.41];

// ---- table columns -----------------------------------------------------------
const CELL_PAD: f32 = 7.0;
const QTY_W: f32 = 52.0;
const UNIT_W: f32 = 96.0;
const AMOUNT_W: f32 = 104.0;
const DESC_W: f32 = CONTENT_W - QTY_W - UNIT_W - AMOUNT_W;
/// Right edges of the (right-aligned) number columns' text.
const AMOUNT_RIGHT: f32 = RIGHT - CELL_PAD;
const UNIT_RIGHT: f32 = AMOUNT_RIGHT - AMOUNT_W;
const QTY_RIGHT: f32 = UNIT_RIGHT - UNIT_W;
const ROW_SIZE: f32 = 9.0;
const ROW_LH: f32 = 12.0;
const ROW_PAD: f32 = 7.5;
const TABLE_HEAD_H: f32 = 22.0;
/// A description longer than this many wrapped lines is cut with an ellipsis,
/// so one absurd line item can never be taller than a page.
const MAX_DESC_LINES: usize = 40;

// ---- totals / payment block ---------------------------------------------------
const TOTALS_W: f32 = 236.0;
const TOTALS_ROW: f32 = 17.0;
const BALANCE_H: f32 = 28.0;
const PAY_W: f32 = CONTENT_W - TOTALS_W - 26.0;

#[derive(Clone, Copy)]
struct Style {
    bold: bool,
    size: f32,
    color: Rgb3,
    /// Extra space between glyphs in points (PDF `Tc`).
    tracking: f32,
}

const fn style(bold: bool, size: f32, color: Rgb3) -> Style {
    Style {
        bold,
        size,
        color,
        tracking: 0.0,
    }
}

const fn tracked(bold: bool, size: f32, color: Rgb3, tracking: f32) -> Style {
    Style {
        bold,
        size,
        color,
        tracking,
    }
}

const LABEL: Style = tracked(true, 7.0, MUTED, 0.5);

/// Round to 1/100 pt: plenty for print, and keeps the content stream short
/// (f32 coordinates otherwise print as e.g. `723.85175`).
#[inline]
fn r2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

fn rgb(c: Rgb3) -> Color {
    Color::Rgb(Rgb {
        r: c[0],
        g: c[1],
        b: c[2],
        icc_profile: None,
    })
}

/// Cap height of DejaVu Sans as a fraction of the em (729/1000).
const CAP: f32 = 0.729;

/// The ops of one page, kept in three layers that are concatenated at the end:
/// all graphics, then one text object with all text, then the (multiply-blended)
/// status watermark, which therefore tints fills and text alike like a stamp.
struct Page {
    over: Vec<Op>,
    gfx: Vec<Op>,
    text: Vec<Op>,
    // Current text state inside `text`, to avoid redundant Tf/rg/Tc operators.
    font: Option<(bool, f32)>,
    color: Option<Rgb3>,
    tracking: f32,
}

impl Page {
    fn new() -> Self {
        Self {
            over: Vec::new(),
            gfx: Vec::with_capacity(64),
            text: Vec::with_capacity(256),
            font: None,
            color: None,
            tracking: 0.0,
        }
    }

    fn into_ops(self) -> Vec<Op> {
        let mut ops = self.gfx;
        ops.reserve(self.text.len() + self.over.len() + 2);
        if !self.text.is_empty() {
            ops.push(Op::StartTextSection);
            ops.extend(self.text);
            ops.push(Op::EndTextSection);
        }
        ops.extend(self.over);
        ops
    }

    fn fill_rect(&mut self, x: f32, top: f32, w: f32, h: f32, color: Rgb3) {
        self.gfx.push(Op::SetFillColor { col: rgb(color) });
        self.gfx.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(r2(x)),
                y: Pt(r2(PAGE_H - top - h)),
                width: Pt(r2(w)),
                height: Pt(r2(h)),
                mode: Some(PaintMode::Fill),
                winding_order: None,
            },
        });
    }

    /// Horizontal rule centred on `y`.
    fn hrule(&mut self, x: f32, y: f32, w: f32, thickness: f32, color: Rgb3) {
        self.fill_rect(x, y - thickness / 2.0, w, thickness, color);
    }

    /// Filled (and optionally stroked) rectangle with rounded corners.
    #[allow(clippy::too_many_arguments)]
    fn rounded_rect(
        &mut self,
        x: f32,
        top: f32,
        w: f32,
        h: f32,
        r: f32,
        fill: Rgb3,
        stroke: Option<(Rgb3, f32)>,
    ) {
        let r = r.min(w / 2.0).min(h / 2.0);
        let k = r * 0.5523; // bezier circle constant
        let (x0, x1) = (x, x + w);
        let (y0, y1) = (PAGE_H - top - h, PAGE_H - top); // PDF space, y0 < y1
        let p = |x: f32, y: f32, bezier: bool| LinePoint {
            p: Point {
                x: Pt(r2(x)),
                y: Pt(r2(y)),
            },
            bezier,
        };
        let points = vec![
            p(x0 + r, y0, false),
            p(x1 - r, y0, false),
            p(x1 - r + k, y0, true),
            p(x1, y0 + r - k, true),
            p(x1, y0 + r, false),
            p(x1, y1 - r, false),
            p(x1, y1 - r + k, true),
            p(x1 - r + k, y1, true),
            p(x1 - r, y1, false),
            p(x0 + r, y1, false),
            p(x0 + r - k, y1, true),
            p(x0, y1 - r + k, true),
            p(x0, y1 - r, false),
            p(x0, y0 + r, false),
            p(x0, y0 + r - k, true),
            p(x0 + r - k, y0, true),
            p(x0 + r, y0, false),
        ];
        self.gfx.push(Op::SetFillColor { col: rgb(fill) });
        let mode = match stroke {
            Some((color, width)) => {
                self.gfx.push(Op::SetOutlineColor { col: rgb(color) });
                self.gfx.push(Op::SetOutlineThickness { pt: Pt(width) });
                PaintMode::FillStroke
            }
            None => PaintMode::Fill,
        };
        self.gfx.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![PolygonRing { points }],
                mode,
                winding_order: WindingOrder::NonZero,
            },
        });
    }

    /// Draw `s` with its baseline at `baseline` and its left edge at `x`.
    fn text(&mut self, x: f32, baseline: f32, st: Style, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.font != Some((st.bold, st.size)) {
            let id = if st.bold {
                FONT_BOLD_ID
            } else {
                FONT_REGULAR_ID
            };
            self.text.push(Op::SetFont {
                font: PdfFontHandle::External(FontId(id.to_string())),
                size: Pt(r2(st.size)),
            });
            self.font = Some((st.bold, st.size));
        }
        if self.color != Some(st.color) {
            self.text.push(Op::SetFillColor { col: rgb(st.color) });
            self.color = Some(st.color);
        }
        if self.tracking != st.tracking {
            self.text.push(Op::SetCharacterSpacing {
                multiplier: st.tracking,
            });
            self.tracking = st.tracking;
        }
        self.text.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(r2(x)), Pt(r2(PAGE_H - baseline))),
        });
        self.text.push(Op::ShowText {
            items: vec![TextItem::Text(s.to_string())],
        });
    }
}

/// Layout context: the fonts plus helpers that measure with them.
struct Ctx<'a> {
    r: &'a InvoiceRenderer,
    doc: &'a InvoiceDocument,
    words: &'static Words,
}

impl<'a> Ctx<'a> {
    fn font(&self, st: Style) -> &PreparedFont {
        self.r.font(st.bold)
    }

    fn width(&self, st: Style, s: &str) -> f32 {
        self.font(st).width(s, st.size, st.tracking)
    }

    /// NFC-normalise, flatten control characters, and replace anything the
    /// subset cannot draw with '?', so that what is drawn is also what
    /// `ToUnicode` maps back (missing glyphs would otherwise vanish from the
    /// extracted text). With `keep_newlines`, '\n' survives for `wrap`.
    fn clean(&self, s: &str, keep_newlines: bool) -> String {
        let reg = self.r.font(false);
        let bold = self.r.font(true);
        let mut out = String::with_capacity(s.len());
        for c in s.trim().nfc() {
            let c = match c {
                '\n' if keep_newlines => '\n',
                '\r' => continue,
                c if c.is_control() || c.is_whitespace() => ' ',
                c if reg.has(c) && bold.has(c) => c,
                _ => '?',
            };
            out.push(c);
        }
        out
    }

    fn clean_line(&self, s: &str) -> String {
        self.clean(s, false)
    }

    /// Greedy word wrap to `max_w` points; '\n' forces a break and words wider
    /// than the line are split between characters.
    fn wrap(&self, st: Style, s: &str, max_w: f32) -> Vec<String> {
        let font = self.font(st);
        let space = font.width(" ", st.size, 0.0) + st.tracking;
        let mut lines = Vec::new();
        for para in s.split('\n') {
            let mut line = String::new();
            let mut line_w = 0.0f32;
            for word in para.split(' ').filter(|w| !w.is_empty()) {
                let ww = font.width(word, st.size, st.tracking);
                if !line.is_empty() && line_w + space + ww <= max_w {
                    line.push(' ');
                    line.push_str(word);
                    line_w += space + ww;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if ww <= max_w {
                    line.push_str(word);
                    line_w = ww;
                    continue;
                }
                // Break an over-long word (part numbers, VINs, URLs).
                line_w = 0.0;
                for c in word.chars() {
                    let cw = font.advance(c) as f32 * st.size / 1000.0 + st.tracking;
                    if !line.is_empty() && line_w + cw > max_w {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += cw;
                }
            }
            if !line.is_empty() || lines.is_empty() {
                lines.push(line);
            }
        }
        lines
    }

    /// Shrink `st` until `s` fits in `max_w` (down to 6 pt); for number cells.
    fn fit(&self, mut st: Style, s: &str, max_w: f32) -> Style {
        let w = self.width(st, s);
        if w > max_w && w > 0.0 {
            st.size = (st.size * max_w / w).max(6.0);
        }
        st
    }

    fn text_right(&self, page: &mut Page, right: f32, baseline: f32, st: Style, s: &str) {
        let w = self.width(st, s);
        page.text(right - w, baseline, st, s);
    }

    fn money(&self, amount: &str) -> String {
        let cur = self.clean_line(&self.doc.currency);
        let amount = self.clean_line(amount);
        if cur.is_empty() {
            amount
        } else {
            format!("{cur} {amount}")
        }
    }

    /// Lines drawn with `st`, each `lh` apart, first baseline at `baseline`.
    /// Returns the baseline after the last line.
    fn lines(
        &self,
        page: &mut Page,
        x: f32,
        baseline: f32,
        lh: f32,
        st: Style,
        lines: &[String],
    ) -> f32 {
        let mut b = baseline;
        for l in lines {
            page.text(x, b, st, l);
            b += lh;
        }
        b
    }
}

struct StatusLook {
    label: &'static str,
    color: Rgb3,
}

/// The badge under the number: the status, or OVERDUE for an open invoice
/// past its due day.
fn status_look(doc: &InvoiceDocument, words: &'static Words) -> Option<StatusLook> {
    Some(match doc.status.as_str() {
        "issued" | "partially_paid" if doc.overdue => StatusLook {
            label: &words.status_overdue,
            color: RED,
        },
        "paid" => StatusLook {
            label: &words.status_paid,
            color: GREEN,
        },
        "void" => StatusLook {
            label: &words.status_void,
            color: RED,
        },
        "partially_paid" => StatusLook {
            label: &words.status_partially_paid,
            color: AMBER,
        },
        "issued" => StatusLook {
            label: &words.status_issued,
            color: SLATE,
        },
        _ => return None,
    })
}

/// Lay the invoice out; one `Vec<Op>` per page.
pub(crate) fn layout(r: &InvoiceRenderer, doc: &InvoiceDocument) -> Vec<Vec<Op>> {
    let cx = Ctx {
        r,
        doc,
        words: Words::of(doc.language),
    };
    let mut pages: Vec<Page> = Vec::new();
    let mut page = new_page(&cx);

    let mut y = first_page_header(&cx, &mut page);
    y = parties(&cx, &mut page, y + 20.0);

    // ---- line items ----
    y += 22.0;
    y = table_header(&cx, &mut page, y);
    let desc_style = style(false, ROW_SIZE, INK);
    let num_style = style(false, ROW_SIZE, INK);
    let desc_text_w = DESC_W - 2.0 * CELL_PAD;
    for line in &doc.lines {
        let mut desc = cx.wrap(desc_style, &cx.clean(&line.description, true), desc_text_w);
        if desc.len() > MAX_DESC_LINES {
            desc.truncate(MAX_DESC_LINES);
            if let Some(last) = desc.last_mut() {
                last.push('…');
            }
        }
        let row_h = 2.0 * ROW_PAD + (desc.len() as f32 - 1.0) * ROW_LH + ROW_SIZE * CAP;
        if y + row_h > BOTTOM {
            pages.push(page);
            page = new_page(&cx);
            y = continuation_header(&cx, &mut page);
            y = table_header(&cx, &mut page, y);
        }
        let baseline = y + ROW_PAD + ROW_SIZE * CAP;
        cx.lines(
            &mut page,
            MX + CELL_PAD,
            baseline,
            ROW_LH,
            desc_style,
            &desc,
        );
        // Left to right, so that extracted text reads in row order.
        for (value, right, col_w) in [
            (&line.quantity, QTY_RIGHT, QTY_W),
            (&line.unit_price, UNIT_RIGHT, UNIT_W),
            (&line.amount, AMOUNT_RIGHT, AMOUNT_W),
        ] {
            let v = cx.clean_line(value);
            let st = cx.fit(num_style, &v, col_w - 2.0 * CELL_PAD);
            cx.text_right(&mut page, right, baseline, st, &v);
        }
        y += row_h;
        page.hrule(MX, y, CONTENT_W, 0.6, RULE);
    }
    if doc.lines.is_empty() {
        let row_h = 2.0 * ROW_PAD + ROW_SIZE * CAP;
        page.text(
            MX + CELL_PAD,
            y + ROW_PAD + ROW_SIZE * CAP,
            style(false, ROW_SIZE, MUTED),
            &cx.words.no_items,
        );
        y += row_h;
        page.hrule(MX, y, CONTENT_W, 0.6, RULE);
    }

    // ---- totals + payment instructions (always together, on the last page) ----
    let block = summary_block(&cx);
    if y + 22.0 + block.height > BOTTOM {
        pages.push(page);
        page = new_page(&cx);
        y = continuation_header(&cx, &mut page);
    }
    draw_summary(&cx, &mut page, y + 22.0, &block);
    pages.push(page);

    // ---- footers, now that the page count is known ----
    let n = pages.len();
    pages
        .into_iter()
        .enumerate()
        .map(|(i, mut p)| {
            footer(&cx, &mut p, i + 1, n);
            p.into_ops()
        })
        .collect()
}

fn new_page(cx: &Ctx) -> Page {
    let mut page = Page::new();
    let mark = match cx.doc.status.as_str() {
        "void" => Some((cx.words.status_void.as_str(), [0.99, 0.86, 0.86])),
        "paid" => Some((cx.words.status_paid.as_str(), [0.88, 0.96, 0.90])),
        _ => None,
    };
    if let Some((word, color)) = mark {
        watermark(cx, &mut page, word, color);
    }
    page
}

/// Large diagonal word across the page, multiplied onto what is below it.
fn watermark(cx: &Ctx, page: &mut Page, word: &str, color: Rgb3) {
    let st = tracked(true, 120.0, color, 10.0);
    let w = cx.width(st, word);
    let h = st.size * CAP;
    let angle = 35.0f32.to_radians();
    let (sin, cos) = angle.sin_cos();
    // Centre of the text box at the centre of the page.
    let (cxp, cyp) = (PAGE_W / 2.0, PAGE_H / 2.0);
    let x = cxp - cos * w / 2.0 + sin * h / 2.0;
    let y = cyp - sin * w / 2.0 - cos * h / 2.0;
    let id = FontId(FONT_BOLD_ID.to_string());
    page.over.extend([
        Op::SaveGraphicsState,
        Op::LoadGraphicsState {
            gs: ExtendedGraphicsStateId(WATERMARK_GS_ID.to_string()),
        },
        Op::StartTextSection,
        Op::SetFont {
            font: PdfFontHandle::External(id),
            size: Pt(st.size),
        },
        Op::SetFillColor { col: rgb(color) },
        Op::SetCharacterSpacing {
            multiplier: st.tracking,
        },
        Op::SetTextMatrix {
            matrix: TextMatrix::Raw([cos, sin, -sin, cos, x, y]),
        },
        Op::ShowText {
            items: vec![TextItem::Text(word.to_string())],
        },
        Op::EndTextSection,
        Op::RestoreGraphicsState,
    ]);
}

/// Site block (left), INVOICE block (right), accent rule, void notice.
/// Returns the y below it.
fn first_page_header(cx: &Ctx, page: &mut Page) -> f32 {
    let d = cx.doc;

    // Left: who issued the invoice.
    let name_st = style(true, 17.0, INK);
    let left_w = CONTENT_W - 200.0;
    let name_lines = cx.wrap(name_st, &cx.clean_line(&d.site_name), left_w);
    let mut b = cx.lines(page, MX, TOP + 17.0 * CAP, 21.0, name_st, &name_lines) - 21.0;
    let small = style(false, 8.5, BODY);
    b += 8.0;
    if let Some(addr) = d.site_address.as_deref().filter(|s| !s.trim().is_empty()) {
        let lines = cx.wrap(small, &cx.clean(addr, true), left_w);
        b = cx.lines(page, MX, b + 8.5, 12.0, small, &lines) - 8.5;
    }
    let contact: Vec<String> = [d.site_phone.as_deref(), d.site_email.as_deref()]
        .into_iter()
        .flatten()
        .map(|s| cx.clean_line(s))
        .filter(|s| !s.is_empty())
        .collect();
    if !contact.is_empty() {
        let lines = cx.wrap(small, &contact.join("  ·  "), left_w);
        b = cx.lines(page, MX, b + 8.5, 12.0, small, &lines) - 8.5;
    }
    // The business behind the branch, and its tax number.
    let business: Vec<String> = [d.business_name.as_deref(), d.tax_number.as_deref()]
        .into_iter()
        .flatten()
        .map(|s| cx.clean_line(s))
        .filter(|s| !s.is_empty())
        .collect();
    if !business.is_empty() {
        let lines = cx.wrap(style(true, 8.5, BODY), &business.join("  ·  "), left_w);
        b = cx.lines(
            page,
            MX,
            b + 8.5 + 4.0,
            12.0,
            style(true, 8.5, BODY),
            &lines,
        ) - 8.5;
    }
    let left_bottom = b;

    // Right: INVOICE, number, date, status badge.
    let title = tracked(true, 22.0, ACCENT, 2.0);
    let mut rb = TOP + 22.0 * CAP;
    cx.text_right(page, RIGHT, rb, title, &cx.words.invoice);
    rb += 19.0;
    let number = cx.clean_line(&d.number);
    let num_st = cx.fit(style(true, 10.5, INK), &number, 200.0);
    cx.text_right(page, RIGHT, rb, num_st, &number);
    rb += 14.0;
    let issued_on = cx.clean_line(&d.issued_on);
    if !issued_on.is_empty() {
        cx.text_right(
            page,
            RIGHT,
            rb,
            style(false, 8.5, BODY),
            &format!("{} {issued_on}", cx.words.issued),
        );
    }
    if d.status != "void" && d.status != "paid" {
        rb += 12.0;
        let due = match d.due_on.as_deref().map(|day| cx.clean_line(day)) {
            Some(day) if !day.is_empty() => format!("{} {day}", cx.words.due),
            _ => cx.words.due_on_receipt.clone(),
        };
        let color = if d.overdue { RED } else { INK };
        cx.text_right(page, RIGHT, rb, style(true, 8.5, color), &due);
    }
    let mut right_bottom = rb;
    if let Some(look) = status_look(d, cx.words) {
        let badge = tracked(true, 7.5, WHITE, 0.9);
        let tw = cx.width(badge, look.label);
        let (bw, bh) = (tw + 16.0, 16.0);
        let top = rb + 9.0;
        page.rounded_rect(RIGHT - bw, top, bw, bh, 3.0, look.color, None);
        page.text(
            RIGHT - bw + 8.0,
            top + (bh + 7.5 * CAP) / 2.0,
            badge,
            look.label,
        );
        right_bottom = top + bh;
    }

    let mut y = left_bottom.max(right_bottom) + 16.0;
    page.hrule(MX, y, CONTENT_W, 1.5, ACCENT);

    if d.status == "void" {
        y += 14.0;
        let reason = d
            .void_reason
            .as_deref()
            .map(|s| cx.clean(s, true))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| cx.words.no_reason.clone());
        let head = style(true, 9.5, RED);
        let body = style(false, 9.0, INK);
        let text_x = MX + 16.0;
        let text_w = CONTENT_W - 28.0;
        let reason_lines = cx.wrap(body, &format!("{}: {reason}", cx.words.reason), text_w);
        let h = 12.0 + 9.5 * CAP + 8.0 + reason_lines.len() as f32 * 12.5 + 4.0;
        page.fill_rect(MX, y, CONTENT_W, h, RED_TINT);
        page.fill_rect(MX, y, 3.0, h, RED);
        let b = y + 12.0 + 9.5 * CAP;
        page.text(text_x, b, head, &cx.words.void_notice);
        cx.lines(page, text_x, b + 15.0, 12.5, body, &reason_lines);
        y += h;
    }
    y
}

/// "Bill to" and "Vehicle" columns. Returns the y below them.
fn parties(cx: &Ctx, page: &mut Page, top: f32) -> f32 {
    let d = cx.doc;
    let col_w = CONTENT_W / 2.0 - 16.0;
    let right_x = MX + CONTENT_W / 2.0 + 8.0;
    let strong = style(true, 10.5, INK);
    let body = style(false, 8.5, BODY);

    // Bill to
    page.text(MX, top + 7.0 * CAP, LABEL, &cx.words.bill_to);
    let name = cx.wrap(strong, &cx.clean_line(&d.customer_name), col_w);
    let mut b = cx.lines(page, MX, top + 20.0, 14.0, strong, &name) - 14.0;
    for v in [d.customer_phone.as_deref(), d.customer_email.as_deref()]
        .into_iter()
        .flatten()
    {
        let v = cx.clean_line(v);
        if v.is_empty() {
            continue;
        }
        let lines = cx.wrap(body, &v, col_w);
        b = cx.lines(page, MX, b + 13.0, 12.0, body, &lines) - 12.0;
    }
    let left_bottom = b;

    // Vehicle
    page.text(right_x, top + 7.0 * CAP, LABEL, &cx.words.vehicle);
    let vehicle = cx.wrap(strong, &cx.clean_line(&d.vehicle), col_w);
    let mut b = cx.lines(page, right_x, top + 20.0, 14.0, strong, &vehicle) - 14.0;
    let label = style(false, 8.5, MUTED);
    let label_w = cx
        .width(label, &cx.words.odometer)
        .max(cx.width(label, &cx.words.order))
        + 10.0;
    for (k, v) in [
        (cx.words.odometer.as_str(), d.odometer.as_deref()),
        (cx.words.order.as_str(), d.order_ref.as_deref()),
    ] {
        let Some(v) = v.map(|v| cx.clean(v, true)).filter(|v| !v.is_empty()) else {
            continue;
        };
        let lines = cx.wrap(body, &v, col_w - label_w);
        b += 13.0;
        page.text(right_x, b, label, k);
        b = cx.lines(page, right_x + label_w, b, 12.0, body, &lines) - 12.0;
    }
    left_bottom.max(b)
}

/// Column header row. Returns the y below it.
fn table_header(cx: &Ctx, page: &mut Page, top: f32) -> f32 {
    page.fill_rect(MX, top, CONTENT_W, TABLE_HEAD_H, HEADER_FILL);
    page.hrule(MX, top + TABLE_HEAD_H, CONTENT_W, 0.8, [0.78, 0.81, 0.85]);
    let st = tracked(true, 7.0, BODY, 0.5);
    let b = top + (TABLE_HEAD_H + 7.0 * CAP) / 2.0;
    let w = cx.words;
    page.text(MX + CELL_PAD, b, st, &w.description);
    let amount = match cx.clean_line(&cx.doc.currency) {
        c if c.is_empty() => w.amount.clone(),
        c => format!("{} ({c})", w.amount),
    };
    for (h, right) in [
        (w.qty.as_str(), QTY_RIGHT),
        (w.unit_price.as_str(), UNIT_RIGHT),
        (amount.as_str(), AMOUNT_RIGHT),
    ] {
        cx.text_right(page, right, b, st, h);
    }
    top + TABLE_HEAD_H
}

/// Compact header for pages after the first. Returns the y below it.
fn continuation_header(cx: &Ctx, page: &mut Page) -> f32 {
    let b = TOP + 11.0 * CAP;
    let site = cx.clean_line(&cx.doc.site_name);
    let right = format!(
        "{} {} ({})",
        cx.words.invoice,
        cx.clean_line(&cx.doc.number),
        cx.words.continued
    );
    let right_st = style(false, 8.5, BODY);
    let right_w = cx.width(right_st, &right);
    let site_st = cx.fit(style(true, 11.0, INK), &site, CONTENT_W - right_w - 20.0);
    page.text(MX, b, site_st, &site);
    cx.text_right(page, RIGHT, b, right_st, &right);
    let y = TOP + 16.0;
    page.hrule(MX, y, CONTENT_W, 1.0, ACCENT);
    y + 18.0
}

struct Summary {
    height: f32,
    pay_lines: Vec<String>,
}

fn summary_block(cx: &Ctx) -> Summary {
    let body = style(false, 8.5, INK);
    let mut pay_lines = Vec::new();
    for l in &cx.doc.payment_instructions {
        pay_lines.extend(cx.wrap(body, &cx.clean(l, true), PAY_W - 24.0));
    }
    let totals_h = 5.0 * TOTALS_ROW + 10.0 + BALANCE_H;
    let pay_h = if pay_lines.is_empty() {
        0.0
    } else {
        pay_box_height(pay_lines.len())
    };
    Summary {
        height: totals_h.max(pay_h) + 30.0,
        pay_lines,
    }
}

fn pay_box_height(n: usize) -> f32 {
    // padding, label, lines, reference line, padding
    14.0 + 7.0 * CAP + 10.0 + n as f32 * 12.5 + 16.0 + 6.0
}

fn draw_summary(cx: &Ctx, page: &mut Page, top: f32, s: &Summary) {
    let d = cx.doc;

    // Payment instructions (left).
    if !s.pay_lines.is_empty() {
        let h = pay_box_height(s.pay_lines.len());
        page.rounded_rect(MX, top, PAY_W, h, 4.0, PANEL_FILL, Some((RULE, 0.8)));
        let x = MX + 12.0;
        let mut b = top + 14.0 + 7.0 * CAP;
        page.text(x, b, LABEL, &cx.words.payment_instructions);
        b += 16.0;
        b = cx.lines(page, x, b, 12.5, style(false, 8.5, INK), &s.pay_lines);
        let reference = format!(
            "{} {} {}",
            cx.words.quote_before,
            cx.clean_line(&d.number),
            cx.words.quote_after
        );
        let ref_st = cx.fit(style(false, 7.5, MUTED), &reference, PAY_W - 24.0);
        page.text(x, b + 3.0, ref_st, &reference);
    }

    // Totals (right).
    let x0 = RIGHT - TOTALS_W;
    let label = style(false, 8.5, BODY);
    let value = style(false, 8.5, INK);
    let mut b = top + 8.5 * CAP + 2.0;
    let row = |page: &mut Page, b: &mut f32, k: &str, v: &str, lst: Style, vst: Style| {
        let v = cx.money(v);
        let vst = cx.fit(vst, &v, TOTALS_W - 100.0);
        page.text(x0 + CELL_PAD + 1.0, *b, lst, k);
        cx.text_right(page, RIGHT - CELL_PAD, *b, vst, &v);
        *b += TOTALS_ROW;
    };
    let w = cx.words;
    row(page, &mut b, &w.subtotal, &d.subtotal, label, value);
    let tax_label = match cx.clean_line(&d.tax_label) {
        l if l.is_empty() => w.tax.clone(),
        l => l,
    };
    row(page, &mut b, &tax_label, &d.tax, label, value);
    let rule_y = b - TOTALS_ROW + 6.5;
    page.hrule(x0, rule_y, TOTALS_W, 0.8, [0.78, 0.81, 0.85]);
    b += 5.0;
    row(
        page,
        &mut b,
        &w.total,
        &d.total,
        style(true, 9.5, INK),
        style(true, 9.5, INK),
    );
    row(page, &mut b, &w.paid, &d.amount_paid, label, value);

    // Balance due band.
    let band_top = b - 8.5 * CAP - 1.0;
    let (fill, caption) = match d.status.as_str() {
        "void" => ([0.55, 0.57, 0.60], w.balance_due_void.as_str()),
        "paid" => (GREEN, w.balance_due.as_str()),
        _ if d.overdue => (RED, w.balance_due.as_str()),
        _ => (ACCENT, w.balance_due.as_str()),
    };
    page.rounded_rect(x0, band_top, TOTALS_W, BALANCE_H, 3.0, fill, None);
    let bb = band_top + (BALANCE_H + 10.5 * CAP) / 2.0;
    let bal = cx.money(&d.balance);
    let bal_st = cx.fit(style(true, 10.5, WHITE), &bal, TOTALS_W - 110.0);
    page.text(x0 + CELL_PAD + 1.0, bb, style(true, 9.5, WHITE), caption);
    cx.text_right(page, RIGHT - CELL_PAD, bb, bal_st, &bal);
    let _ = b;
}

fn footer(cx: &Ctx, page: &mut Page, n: usize, of: usize) {
    let y = PAGE_H - 40.0;
    page.hrule(MX, y, CONTENT_W, 0.6, RULE);
    let st = style(false, 7.5, MUTED);
    let left = format!(
        "{}  ·  {} {}",
        cx.clean_line(&cx.doc.site_name),
        cx.words.invoice,
        cx.clean_line(&cx.doc.number)
    );
    let right = format!("{} {n} {} {of}", cx.words.page, cx.words.of);
    let left_st = cx.fit(st, &left, CONTENT_W - 80.0);
    page.text(MX, y + 14.0, left_st, &left);
    cx.text_right(page, RIGHT, y + 14.0, st, &right);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_respects_width_and_keeps_every_word() {
        let r = InvoiceRenderer::new().unwrap();
        let doc = InvoiceDocument::default();
        let cx = Ctx {
            r: &r,
            doc: &doc,
            words: Words::of(doc.language),
        };
        let st = style(false, ROW_SIZE, INK);
        let text = "Front brake pads (set), Bosch 0 986 494, including fitting and bedding-in \
                    VIN-JTDBR32E720123456789012345678901234567890 Ngũgĩ";
        let max_w = 120.0;
        let lines = cx.wrap(st, text, max_w);
        assert!(lines.len() > 3);
        for l in &lines {
            assert!(
                cx.width(st, l) <= max_w + 0.01,
                "{l:?} is {} wide",
                cx.width(st, l)
            );
        }
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }

    #[test]
    fn clean_replaces_what_the_subset_cannot_draw() {
        let r = InvoiceRenderer::new().unwrap();
        let doc = InvoiceDocument::default();
        let cx = Ctx {
            r: &r,
            doc: &doc,
            words: Words::of(doc.language),
        };
        // Decomposed u + combining tilde becomes the precomposed ũ (NFC).
        assert_eq!(cx.clean_line(" Ngu\u{303}gi\u{303}\tX\n"), "Ngũgĩ X");
        assert_eq!(cx.clean_line("李 €"), "? €");
        assert_eq!(cx.clean("a\nb", true), "a\nb");
    }
}
