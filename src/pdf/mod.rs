//! PDF invoices, drawn directly with printpdf (no HTML engine).
//!
//! Build one [`InvoiceRenderer`] at start-up and share it (it is `Send + Sync`);
//! [`InvoiceRenderer::invoice`] renders a stored invoice (the download and
//! the mail both call it), [`InvoiceRenderer::render`] an already-formatted
//! [`InvoiceDocument`].
//!
//! Fonts: DejaVu Sans regular and bold (from Debian's fonts-dejavu-core,
//! vendored under `assets/fonts/`) are subset ONCE to a fixed Latin character
//! set in [`InvoiceRenderer::new`]. Each render gives printpdf the subset's
//! cmap/metrics (with a placeholder font program), takes printpdf's lopdf
//! document (`to_lopdf_document`), swaps into each `/FontFile2` stream a
//! program holding only the outlines of the characters this invoice draws
//! (`fonts::PreparedFont::program_for`), and deflates the small per-page
//! streams. printpdf's own `save` with `optimize: true` takes ~14 ms, because
//! it re-deflates the whole font program with `Compression::best()` on every
//! save; the figures of this way are in BENCHMARKS.md.
//!
//! Characters outside the subset (see `fonts::CHARSET`: Latin, Latin-1,
//! Latin Extended-A/B and Additional, combining marks, punctuation, currency)
//! are printed as '?'. Text is NFC-normalised first.

mod fonts;
mod invoice;
mod layout;
/// Demo invoices, for the tests, the previews and the PDF benchmark.
#[doc(hidden)]
pub mod samples;
pub mod words;

use std::collections::BTreeSet;
use std::fmt;
use std::io::Write;

use printpdf::{
    BlendMode, ExtendedGraphicsState, ExtendedGraphicsStateId, FontId, Mm, Op, PdfDocument,
    PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, TextItem,
};

use fonts::PreparedFont;

/// DejaVu Sans, Bitstream Vera licence (see assets/fonts/LICENSE-DejaVu.txt).
const DEJAVU_SANS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));
const DEJAVU_SANS_BOLD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans-Bold.ttf"
));

/// PDF resource names of the two faces (short: they appear before every run).
const FONT_REGULAR_ID: &str = "FR";
const FONT_BOLD_ID: &str = "FB";
/// ExtGState (multiply blend) used by the PAID / VOID watermark.
const WATERMARK_GS_ID: &str = "GSmul";

/// Deflate level for the per-invoice streams (page content, ToUnicode, /W).
/// They are small (~10 KB per page); level 2 costs ~0.5% in file size against
/// level 6 and saves a noticeable share of the render time (lopdf's own
/// `compress` uses `best`).
const CONTENT_DEFLATE_LEVEL: u32 = 2;

/// One invoice line; every value is already formatted for display.
#[derive(Debug, Clone, Default)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub amount: String,
}

/// Everything printed on an invoice, already formatted as strings (the money
/// arithmetic happens elsewhere).
#[derive(Debug, Clone, Default)]
pub struct InvoiceDocument {
    /// The language its words are printed in: the customer's.
    pub language: crate::i18n::Language,
    /// The business that issues it: its legal name.
    pub business_name: Option<String>,
    /// Its tax number with the authority's name, e.g. "KRA PIN P051234567X".
    pub tax_number: Option<String>,
    pub site_name: String,
    pub site_address: Option<String>,
    pub site_phone: Option<String>,
    pub site_email: Option<String>,
    /// e.g. "NBO-2026-000042"
    pub number: String,
    /// "issued" | "partially_paid" | "paid" | "void"
    pub status: String,
    /// e.g. "22 Nov 2026"
    pub issued_on: String,
    /// e.g. "6 Dec 2026"; `None`: due on receipt.
    pub due_on: Option<String>,
    /// A balance still owed after the due day: marked OVERDUE.
    pub overdue: bool,
    pub void_reason: Option<String>,
    pub customer_name: String,
    pub customer_phone: Option<String>,
    pub customer_email: Option<String>,
    /// e.g. "KDA 123A · Toyota Probox"
    pub vehicle: String,
    /// e.g. "120,000 km"
    pub odometer: Option<String>,
    /// Short repair-order description.
    pub order_ref: Option<String>,
    /// e.g. "KES"
    pub currency: String,
    pub lines: Vec<InvoiceLine>,
    pub subtotal: String,
    /// e.g. "VAT 16%"
    pub tax_label: String,
    pub tax: String,
    pub total: String,
    pub amount_paid: String,
    pub balance: String,
    /// e.g. ["M-Pesa Till 123456", "Bank: KCB A/C 1234567890"]
    pub payment_instructions: Vec<String>,
}

#[derive(Debug)]
pub enum Error {
    /// The embedded fonts could not be parsed or subset.
    Font(String),
    /// printpdf/lopdf failed to produce the document.
    Pdf(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Font(m) => write!(f, "invoice pdf font error: {m}"),
            Error::Pdf(m) => write!(f, "invoice pdf error: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// The characters each face draws on `pages` (regular, bold): what each
/// face's program in this document must hold.
fn drawn(pages: &[Vec<Op>]) -> [BTreeSet<char>; 2] {
    let mut drawn = [BTreeSet::new(), BTreeSet::new()];
    let mut face = 0;
    for op in pages.iter().flatten() {
        match op {
            Op::SetFont {
                font: PdfFontHandle::External(FontId(id)),
                ..
            } => face = usize::from(id == FONT_BOLD_ID),
            Op::ShowText { items } => {
                for item in items {
                    if let TextItem::Text(text) = item {
                        drawn[face].extend(text.chars());
                    }
                }
            }
            _ => {}
        }
    }
    drawn
}

/// Renders invoices. Expensive to build (font subsetting + compression, a few
/// tens of milliseconds), cheap to use; build once and share across threads.
pub struct InvoiceRenderer {
    regular: PreparedFont,
    bold: PreparedFont,
    /// An empty document with both faces registered, cloned per render.
    template: PdfDocument,
}

impl InvoiceRenderer {
    /// Renderer with the vendored DejaVu Sans faces.
    pub fn new() -> Result<Self, Error> {
        Self::from_font_bytes(DEJAVU_SANS, DEJAVU_SANS_BOLD)
    }

    /// Renderer with other TrueType faces (regular, bold).
    pub fn from_font_bytes(regular: &[u8], bold: &[u8]) -> Result<Self, Error> {
        let regular = PreparedFont::new(regular, "DejaVuSans", "KRKNRA")?;
        let bold = PreparedFont::new(bold, "DejaVuSans-Bold", "KRKNBA")?;

        let mut template = PdfDocument::new("Invoice");
        template.metadata.info.producer = "Karakana".into();
        template.metadata.info.creator = "Karakana".into();
        template.resources.fonts.map.insert(
            FontId(FONT_REGULAR_ID.into()),
            PdfFont::new(regular.parsed.clone()),
        );
        template.resources.fonts.map.insert(
            FontId(FONT_BOLD_ID.into()),
            PdfFont::new(bold.parsed.clone()),
        );

        template.resources.extgstates.map.insert(
            ExtendedGraphicsStateId(WATERMARK_GS_ID.into()),
            ExtendedGraphicsState::default().with_blend_mode(BlendMode::multiply()),
        );

        Ok(Self {
            regular,
            bold,
            template,
        })
    }

    /// Render one invoice to PDF bytes.
    pub fn render(&self, doc: &InvoiceDocument) -> Result<Vec<u8>, Error> {
        self.render_keeping(doc, false)
    }

    /// `render` with every glyph of the subset in each face's program, as
    /// before programs were cut per document: for the test that the two
    /// draw the same pixels.
    #[doc(hidden)]
    pub fn render_with_whole_fonts(&self, doc: &InvoiceDocument) -> Result<Vec<u8>, Error> {
        self.render_keeping(doc, true)
    }

    fn render_keeping(&self, doc: &InvoiceDocument, whole: bool) -> Result<Vec<u8>, Error> {
        let pages = layout::layout(self, doc);
        let drawn = (!whole).then(|| drawn(&pages));

        let mut pdf = self.template.clone();
        pdf.metadata.info.document_title = format!("Invoice {}", doc.number);
        pdf.pages = pages
            .into_iter()
            .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
            .collect();

        // `optimize` only matters for `save`; we take the lopdf document and
        // finish it ourselves. `subset_fonts` is a no-op without printpdf's
        // `text_layout` feature: the (already subset) program is embedded as is.
        let opts = PdfSaveOptions {
            optimize: false,
            subset_fonts: false,
            secure: true,
            image_optimization: None,
        };
        let mut warnings = Vec::new();
        let mut lo = pdf.to_lopdf_document(&opts, &mut warnings);
        if let Some(w) = warnings
            .iter()
            .find(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
        {
            return Err(Error::Pdf(w.msg.clone()));
        }

        self.finish(&mut lo, drawn.as_ref())?;

        let mut out = Vec::with_capacity(64 * 1024);
        lo.save_to(&mut out)
            .map_err(|e| Error::Pdf(e.to_string()))?;
        Ok(out)
    }

    /// Swap in each face's program for this document (`drawn`: the
    /// characters it draws, regular then bold; `None`: the whole subset) and
    /// deflate everything else.
    fn finish(
        &self,
        lo: &mut lopdf::Document,
        drawn: Option<&[BTreeSet<char>; 2]>,
    ) -> Result<(), Error> {
        use lopdf::Object;

        // Blend modes are PDF 1.4; printpdf declares 1.3.
        lo.version = "1.4".to_string();

        let mut swapped = 0;
        for obj in lo.objects.values_mut() {
            let Object::Stream(stream) = obj else {
                continue;
            };
            if stream.dict.get(b"Filter").is_ok() {
                continue;
            }
            // The /FontFile2 streams hold our placeholder (see PreparedFont::marker).
            let font = [&self.regular, &self.bold]
                .into_iter()
                .enumerate()
                .find(|(_, f)| f.marker == stream.content);
            if let Some((face, font)) = font {
                let (length, program) = font.program_for(drawn.map(|drawn| &drawn[face]))?;
                stream.dict.set("Length1", length as i64);
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(program);
                stream.allows_compression = false;
                swapped += 1;
                continue;
            }
            if !stream.allows_compression || stream.content.len() < 64 {
                continue;
            }
            let mut enc = flate2::write::ZlibEncoder::new(
                Vec::with_capacity(stream.content.len() / 3),
                flate2::Compression::new(CONTENT_DEFLATE_LEVEL),
            );
            enc.write_all(&stream.content)
                .map_err(|e| Error::Pdf(e.to_string()))?;
            let deflated = enc.finish().map_err(|e| Error::Pdf(e.to_string()))?;
            if deflated.len() < stream.content.len() {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(deflated);
            }
        }

        // printpdf only embeds fonts that are used; every invoice uses both.
        if swapped != 2 {
            return Err(Error::Pdf(format!(
                "expected 2 embedded font programs, found {swapped}"
            )));
        }

        // printpdf writes a long Info dictionary of empty strings and 1970
        // dates; keep only what is meaningful.
        if let Ok(info_id) = lo.trailer.get(b"Info").and_then(Object::as_reference) {
            if let Ok(Object::Dictionary(info)) = lo.get_object_mut(info_id) {
                for key in [
                    "Trapped",
                    "CreationDate",
                    "ModDate",
                    "GTS_PDFXVersion",
                    "Author",
                    "Subject",
                    "Identifier",
                    "Keywords",
                ] {
                    info.remove(key.as_bytes());
                }
            }
        }
        Ok(())
    }

    pub(crate) fn font(&self, bold: bool) -> &PreparedFont {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(lines: usize) -> InvoiceDocument {
        InvoiceDocument {
            site_name: "Karakana Motors".into(),
            number: "NBO-2026-000001".into(),
            status: "issued".into(),
            issued_on: "1 Jan 2026".into(),
            customer_name: "Wanjiru Kamau".into(),
            vehicle: "KDA 123A · Toyota Probox".into(),
            currency: "KES".into(),
            lines: (0..lines)
                .map(|i| InvoiceLine {
                    description: format!(
                        "Part number {i} with a fairly long description that wraps"
                    ),
                    quantity: "1".into(),
                    unit_price: "1,000.00".into(),
                    amount: "1,000.00".into(),
                })
                .collect(),
            total: "1,000.00".into(),
            ..Default::default()
        }
    }

    #[test]
    fn renders_small_pdf_with_both_fonts_precompressed() {
        let r = InvoiceRenderer::new().unwrap();
        let pdf = r.render(&doc(5)).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.len() < 100_000, "{} bytes", pdf.len());
        let text = String::from_utf8_lossy(&pdf);
        assert_eq!(text.matches("/FontFile2").count(), 2);
        assert!(
            !text.contains("KRKN-FONT-PROGRAM"),
            "placeholder left in the PDF"
        );
        // Many lines: more pages, same two fonts.
        let pdf = r.render(&doc(80)).unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.matches("/Type/Page/").count() >= 2,
            "expected several pages"
        );
        assert_eq!(text.matches("/FontFile2").count(), 2);
    }
}
