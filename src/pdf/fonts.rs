//! Font preparation: subset DejaVu Sans once to a Latin character set, keep
//! per-character advance widths for layout, and give each document a program
//! that holds only the outlines it draws.
//!
//! Why: printpdf (without its `text_layout` feature) embeds whatever font
//! program it is given, and its `optimize` save option re-deflates every stream
//! (with `Compression::best()`) on every save. Handing it the full 750 KB
//! DejaVu face cost ~50 ms and ~390 KB per invoice. Here the face is cut down
//! to a fixed Latin character set at start-up (~60 KB per face); each render
//! then empties the outlines of the glyphs the invoice does not draw (glyph
//! ids, metrics and the cmap stay, so nothing printpdf read changes), deflates
//! what is left (a few KB) and `render` swaps it into the font stream (see
//! `mod.rs`), so a save only compresses the small page content streams.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{subset, CmapTarget, SubsetProfile};
use allsorts::tables::cmap::Cmap;
use allsorts::tables::FontTableProvider;
use allsorts::tag;
use printpdf::ParsedFont;

use super::Error;

/// Character ranges kept in the subset (inclusive). Everything an East African
/// workshop is likely to type in a Latin-script name, address or description,
/// plus typographic punctuation and currency signs.
pub(crate) const CHARSET: &[(u32, u32)] = &[
    (0x0020, 0x007E), // Basic Latin
    (0x00A0, 0x00FF), // Latin-1 Supplement
    (0x0100, 0x017F), // Latin Extended-A (Ł, Ō, ũ, ĩ ...)
    (0x0180, 0x024F), // Latin Extended-B
    (0x0300, 0x036F), // combining diacritics (for text that arrives decomposed)
    (0x1E00, 0x1EFF), // Latin Extended Additional (ẽ, ỹ, Vietnamese ...)
    (0x2000, 0x206F), // General Punctuation (– — ‘ ’ “ ” • … ‰)
    (0x20A0, 0x20CF), // Currency Symbols (€ ₦ ₹ ...)
    (0x2116, 0x2116), // №
    (0x2122, 0x2122), // ™
    (0x2212, 0x2212), // − minus sign
    (0xFFFD, 0xFFFD), // replacement character (if the face has it)
];

/// How hard each document's font program is deflated: once per render, so
/// the fastest level (the benchmark measured the size and the time).
const PROGRAM_DEFLATE_LEVEL: u32 = 1;

/// Characters below this code point are looked up in a flat table.
const DENSE_LIMIT: usize = 0x0250;

/// One embedded face, ready to be attached to every document.
pub(crate) struct PreparedFont {
    /// printpdf's view of the *subset* face (cmap, advances, metrics). Its
    /// `original_bytes` is replaced by [`PreparedFont::marker`]: printpdf
    /// copies those bytes into the `/FontFile2` stream (and clones them several
    /// times per save), so a 16-byte placeholder is cheaper, and it is what
    /// `InvoiceRenderer::finish` looks for to swap in `program_deflated`.
    pub parsed: ParsedFont,
    /// Unique placeholder printpdf writes as the font program.
    pub marker: Vec<u8>,
    /// The program each document's is cut from (subset, hinting, glyph
    /// names and long names stripped), uncompressed.
    embedded: Vec<u8>,
    /// Advance widths in 1/1000 em, exactly as printpdf writes them into /W.
    dense: Vec<u16>,
    sparse: HashMap<char, u16>,
}

impl PreparedFont {
    /// Subset `full` (a TrueType face) to [`CHARSET`].
    pub fn new(full: &[u8], postscript_name: &str, tag6: &str) -> Result<Self, Error> {
        let font_file = ReadScope::new(full)
            .read::<FontData<'_>>()
            .map_err(|e| Error::Font(format!("{postscript_name}: {e}")))?;
        let provider = font_file
            .table_provider(0)
            .map_err(|e| Error::Font(format!("{postscript_name}: {e}")))?;

        // Which glyphs does the character set need?
        let cmap_data = provider
            .read_table_data(tag::CMAP)
            .map_err(|e| Error::Font(format!("{postscript_name}: cmap: {e}")))?;
        let cmap = ReadScope::new(&cmap_data)
            .read::<Cmap<'_>>()
            .map_err(|e| Error::Font(format!("{postscript_name}: cmap: {e}")))?;
        let (_, subtable) = allsorts::font::read_cmap_subtable(&cmap)
            .map_err(|e| Error::Font(format!("{postscript_name}: cmap: {e}")))?
            .ok_or_else(|| Error::Font(format!("{postscript_name}: no Unicode cmap")))?;
        let mut gids: Vec<u16> = Vec::new();
        for &(lo, hi) in CHARSET {
            for cp in lo..=hi {
                if let Ok(Some(gid)) = subtable.map_glyph(cp) {
                    if gid != 0 {
                        gids.push(gid);
                    }
                }
            }
        }
        gids.sort_unstable();
        gids.dedup();
        // allsorts requires .notdef first and no duplicates.
        let ids: Vec<u16> = std::iter::once(0).chain(gids).collect();

        let program = subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| Error::Font(format!("{postscript_name}: subset: {e}")))?;

        let mut warnings = Vec::new();
        let mut parsed = ParsedFont::from_bytes(&program, 0, &mut warnings).ok_or_else(|| {
            Error::Font(format!(
                "{postscript_name}: subset does not parse: {warnings:?}"
            ))
        })?;
        // printpdf uses `font_name` verbatim as /BaseFont and /FontName; the
        // `XXXXXX+` tag marks the program as a subset (ISO 32000-1, 9.6.4).
        parsed.font_name = Some(format!("{tag6}+{postscript_name}"));
        let marker = format!("KRKN-FONT-PROGRAM:{tag6}").into_bytes();
        parsed.original_bytes = marker.clone();

        let upm = f32::from(parsed.pdf_font_metrics.units_per_em.max(1));
        let mut dense = vec![0u16; DENSE_LIMIT];
        let mut sparse = HashMap::new();
        for (&cp, &gid) in parsed.codepoint_to_glyph.iter() {
            let Some(ch) = char::from_u32(cp) else {
                continue;
            };
            if gid == 0 {
                continue;
            }
            // Same arithmetic as printpdf's `get_scaled_glyph_width`, so our
            // measurements agree with the /W array the viewer uses.
            let w = parsed
                .glyph_widths
                .get(&gid)
                .map(|&w| (f32::from(w) * 1000.0 / upm) as u16)
                .unwrap_or(0);
            if (cp as usize) < DENSE_LIMIT {
                dense[cp as usize] = w;
            }
            sparse.insert(ch, w);
        }

        let embedded = sfnt::strip_for_pdf(&program)
            .map_err(|e| Error::Font(format!("{postscript_name}: strip: {e}")))?;

        Ok(Self {
            parsed,
            marker,
            embedded,
            dense,
            sparse,
        })
    }

    /// The program one document embeds: the outlines of the characters it
    /// draws (with `.notdef` and the parts of composite glyphs), every other
    /// glyph left empty; `None`: every character of the subset. Returns its
    /// length (`/Length1`) and the program deflated.
    pub fn program_for(&self, drawn: Option<&BTreeSet<char>>) -> Result<(usize, Vec<u8>), Error> {
        let glyphs: Vec<u16> = match drawn {
            Some(drawn) => drawn
                .iter()
                .filter_map(|c| self.parsed.codepoint_to_glyph.get(&u32::from(*c)).copied())
                .collect(),
            None => self.parsed.codepoint_to_glyph.values().copied().collect(),
        };
        let program = sfnt::keep_glyphs(&self.embedded, &glyphs).map_err(Error::Font)?;
        let mut enc = flate2::write::ZlibEncoder::new(
            Vec::with_capacity(program.len() / 2),
            flate2::Compression::new(PROGRAM_DEFLATE_LEVEL),
        );
        enc.write_all(&program)
            .map_err(|e| Error::Font(e.to_string()))?;
        let deflated = enc.finish().map_err(|e| Error::Font(e.to_string()))?;
        Ok((program.len(), deflated))
    }

    /// Whether the subset has a glyph for `c`.
    #[inline]
    pub fn has(&self, c: char) -> bool {
        self.sparse.contains_key(&c)
    }

    /// Advance of `c` in 1/1000 em (0 for characters not in the subset).
    #[inline]
    pub fn advance(&self, c: char) -> u16 {
        let cp = c as usize;
        if cp < DENSE_LIMIT {
            self.dense[cp]
        } else {
            self.sparse.get(&c).copied().unwrap_or(0)
        }
    }

    /// Visible width of `text` in points at `size`, with `tracking` points of
    /// extra character spacing (PDF `Tc`) between glyphs.
    pub fn width(&self, text: &str, size: f32, tracking: f32) -> f32 {
        let mut units: u32 = 0;
        let mut n = 0u32;
        for c in text.chars() {
            units += u32::from(self.advance(c));
            n += 1;
        }
        units as f32 * size / 1000.0 + tracking * n.saturating_sub(1) as f32
    }
}

/// Byte-level TrueType surgery for the embedded copy of the subset.
///
/// A PDF viewer draws an embedded CIDFontType2 through `/W`, Identity-H glyph
/// ids and `/ToUnicode`; it needs the outlines and metrics, not TrueType
/// hinting bytecode (DejaVu's is about a third of `glyf`) nor the `name` table's
/// licence text. This drops both, keeping the Windows-platform name records
/// 0-6 (copyright, family, style, unique id, full name, version, PostScript
/// name). Glyph ids are untouched, so the program stays consistent with the
/// cmap/`hmtx` printpdf read from the unstripped subset.
mod sfnt {
    type Res<T> = Result<T, String>;

    fn u16_at(d: &[u8], o: usize) -> Res<u16> {
        d.get(o..o + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| format!("read past end at {o}"))
    }

    fn u32_at(d: &[u8], o: usize) -> Res<u32> {
        d.get(o..o + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| format!("read past end at {o}"))
    }

    fn tables(font: &[u8]) -> Res<Vec<([u8; 4], &[u8])>> {
        let n = usize::from(u16_at(font, 4)?);
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let rec = 12 + 16 * i;
            let tag: [u8; 4] = font
                .get(rec..rec + 4)
                .ok_or("truncated table directory")?
                .try_into()
                .map_err(|_| "bad tag")?;
            let off = u32_at(font, rec + 8)? as usize;
            let len = u32_at(font, rec + 12)? as usize;
            let data = font.get(off..off + len).ok_or("table out of bounds")?;
            out.push((tag, data));
        }
        Ok(out)
    }

    /// One glyph without its instructions.
    fn strip_glyph(g: &[u8], out: &mut Vec<u8>) -> Res<()> {
        if g.is_empty() {
            return Ok(());
        }
        let contours = u16_at(g, 0)? as i16;
        if contours >= 0 {
            let at = 10 + 2 * contours as usize;
            let points = if contours == 0 {
                0
            } else {
                usize::from(u16_at(g, at - 2)?) + 1
            };
            let ilen = usize::from(u16_at(g, at)?);
            // Walk the flags to find where the coordinates end, so that the
            // source's own padding is not carried over.
            let flags_at = at + 2 + ilen;
            let (mut p, mut n, mut coord_bytes) = (flags_at, 0usize, 0usize);
            while n < points {
                let flag = *g.get(p).ok_or("truncated glyph flags")?;
                p += 1;
                let mut repeat = 1usize;
                if flag & 0x08 != 0 {
                    repeat += usize::from(*g.get(p).ok_or("truncated glyph flags")?);
                    p += 1;
                }
                let x = if flag & 0x02 != 0 {
                    1
                } else if flag & 0x10 != 0 {
                    0
                } else {
                    2
                };
                let y = if flag & 0x04 != 0 {
                    1
                } else if flag & 0x20 != 0 {
                    0
                } else {
                    2
                };
                coord_bytes += (x + y) * repeat;
                n += repeat;
            }
            let rest = g
                .get(flags_at..p + coord_bytes)
                .ok_or("truncated glyph coordinates")?;
            out.extend_from_slice(&g[..at]);
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(rest);
        } else {
            const HAVE_INSTRUCTIONS: u16 = 0x0100;
            let (records, end) = composite(g)?;
            let start = out.len();
            out.extend_from_slice(&g[..end]);
            // Clear WE_HAVE_INSTRUCTIONS on every component.
            for (at, flags) in records {
                let q = start + at;
                out[q..q + 2].copy_from_slice(&(flags & !HAVE_INSTRUCTIONS).to_be_bytes());
            }
        }
        while !out.len().is_multiple_of(4) {
            out.push(0);
        }
        Ok(())
    }

    /// Windows-platform name records 0..=6 only.
    fn small_name(name: &[u8]) -> Res<Vec<u8>> {
        let count = usize::from(u16_at(name, 2)?);
        let strings = usize::from(u16_at(name, 4)?);
        let mut recs: Vec<([u16; 4], &[u8])> = Vec::new();
        for i in 0..count {
            let r = 6 + 12 * i;
            let (platform, encoding, language, id) = (
                u16_at(name, r)?,
                u16_at(name, r + 2)?,
                u16_at(name, r + 4)?,
                u16_at(name, r + 6)?,
            );
            let len = usize::from(u16_at(name, r + 8)?);
            let off = strings + usize::from(u16_at(name, r + 10)?);
            if platform == 3 && id <= 6 {
                let s = name
                    .get(off..off + len)
                    .ok_or("name string out of bounds")?;
                recs.push(([platform, encoding, language, id], s));
            }
        }
        let mut out = Vec::new();
        out.extend_from_slice(&0u16.to_be_bytes());
        out.extend_from_slice(&(recs.len() as u16).to_be_bytes());
        out.extend_from_slice(&((6 + 12 * recs.len()) as u16).to_be_bytes());
        let mut offset = 0usize;
        for (ids, s) in &recs {
            for v in ids {
                out.extend_from_slice(&v.to_be_bytes());
            }
            out.extend_from_slice(&(s.len() as u16).to_be_bytes());
            out.extend_from_slice(&(offset as u16).to_be_bytes());
            offset += s.len();
        }
        for (_, s) in &recs {
            out.extend_from_slice(s);
        }
        Ok(out)
    }

    fn checksum(data: &[u8]) -> u32 {
        data.chunks(4).fold(0u32, |acc, c| {
            let mut b = [0u8; 4];
            b[..c.len()].copy_from_slice(c);
            acc.wrapping_add(u32::from_be_bytes(b))
        })
    }

    fn assemble(mut tables: Vec<([u8; 4], Vec<u8>)>) -> Vec<u8> {
        tables.sort_by_key(|t| t.0);
        let n = tables.len();
        let pow2 = (n as u32 + 1).next_power_of_two() / 2; // largest power of two <= n
        let search_range = (pow2 * 16) as u16;
        let entry_selector = pow2.trailing_zeros() as u16;
        let range_shift = (n as u16) * 16 - search_range;
        let mut out = Vec::new();
        out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
        for v in [n as u16, search_range, entry_selector, range_shift] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        let mut offset = 12 + 16 * n;
        let mut head_at = None;
        for (tag, data) in &tables {
            out.extend_from_slice(tag);
            out.extend_from_slice(&checksum(data).to_be_bytes());
            out.extend_from_slice(&(offset as u32).to_be_bytes());
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            offset += (data.len() + 3) & !3;
        }
        for (tag, data) in &tables {
            if tag == b"head" {
                head_at = Some(out.len());
            }
            out.extend_from_slice(data);
            while !out.len().is_multiple_of(4) {
                out.push(0);
            }
        }
        if let Some(h) = head_at {
            let adj = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
            out[h + 8..h + 12].copy_from_slice(&adj.to_be_bytes());
        }
        out
    }

    pub(super) fn strip_for_pdf(font: &[u8]) -> Res<Vec<u8>> {
        let tables = tables(font)?;
        let get = |tag: &[u8; 4]| table(&tables, tag);
        let head = get(b"head")?;
        let maxp = get(b"maxp")?;
        let loca = get(b"loca")?;
        let glyf = get(b"glyf")?;
        let num_glyphs = usize::from(u16_at(maxp, 4)?);
        let long_loca = u16_at(head, 50)? == 1;
        let offset = |i: usize| -> Res<usize> {
            Ok(if long_loca {
                u32_at(loca, 4 * i)? as usize
            } else {
                2 * usize::from(u16_at(loca, 2 * i)?)
            })
        };

        let mut new_glyf = Vec::with_capacity(glyf.len());
        let mut new_loca = Vec::with_capacity(4 * (num_glyphs + 1));
        for i in 0..num_glyphs {
            new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
            let (a, b) = (offset(i)?, offset(i + 1)?);
            let g = glyf.get(a..b).ok_or("glyph out of bounds")?;
            strip_glyph(g, &mut new_glyf)?;
        }
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());

        let mut new_head = head.to_vec();
        new_head[8..12].copy_from_slice(&[0; 4]); // checkSumAdjustment, set in assemble
        new_head[50..52].copy_from_slice(&1u16.to_be_bytes()); // long loca

        let mut out: Vec<([u8; 4], Vec<u8>)> = vec![
            (*b"head", new_head),
            (*b"glyf", new_glyf),
            (*b"loca", new_loca),
        ];
        for (tag, data) in &tables {
            match tag {
                b"hhea" | b"hmtx" | b"maxp" | b"cmap" => out.push((*tag, data.to_vec())),
                b"post" => out.push((*tag, post_without_names(data)?)),
                b"name" => out.push((*tag, small_name(data)?)),
                _ => {} // cvt, fpgm, prep (hinting), old head/glyf/loca
            }
        }
        Ok(assemble(out))
    }

    /// A `post` table of format 3: the same metrics, no glyph names (a
    /// viewer names nothing by them; they were a third of the program).
    fn post_without_names(post: &[u8]) -> Res<Vec<u8>> {
        let mut out = post.get(..32).ok_or("truncated post table")?.to_vec();
        out[..4].copy_from_slice(&0x0003_0000u32.to_be_bytes());
        Ok(out)
    }

    /// A composite glyph's component records (where each starts, its
    /// flags) and where the last one ends.
    fn composite(g: &[u8]) -> Res<(Vec<(usize, u16)>, usize)> {
        const ARGS_ARE_WORDS: u16 = 0x0001;
        const HAVE_SCALE: u16 = 0x0008;
        const MORE: u16 = 0x0020;
        const XY_SCALE: u16 = 0x0040;
        const TWO_BY_TWO: u16 = 0x0080;
        let mut records = Vec::new();
        let mut p = 10;
        loop {
            let flags = u16_at(g, p)?;
            records.push((p, flags));
            let mut len = 4 + if flags & ARGS_ARE_WORDS != 0 { 4 } else { 2 };
            len += if flags & HAVE_SCALE != 0 {
                2
            } else if flags & XY_SCALE != 0 {
                4
            } else if flags & TWO_BY_TWO != 0 {
                8
            } else {
                0
            };
            if g.len() < p + len {
                return Err("truncated composite glyph".into());
            }
            p += len;
            if flags & MORE == 0 {
                return Ok((records, p));
            }
        }
    }

    /// The glyph ids a composite glyph is made of (none for a simple one).
    fn components(g: &[u8]) -> Res<Vec<u16>> {
        if g.is_empty() || (u16_at(g, 0)? as i16) >= 0 {
            return Ok(Vec::new());
        }
        composite(g)?
            .0
            .into_iter()
            .map(|(at, _)| u16_at(g, at + 2))
            .collect()
    }

    /// A table of `tables` by its tag.
    fn table<'a>(tables: &[([u8; 4], &'a [u8])], tag: &[u8; 4]) -> Res<&'a [u8]> {
        tables
            .iter()
            .find(|(t, _)| t == tag)
            .map(|(_, data)| *data)
            .ok_or_else(|| format!("missing {} table", String::from_utf8_lossy(tag)))
    }

    /// `font` (as [`strip_for_pdf`] made it: long `loca`) with the outlines
    /// of `drawn`, `.notdef` and their composites' parts, and every other
    /// glyph empty. Glyph ids, `hmtx` and `cmap` are untouched.
    pub(super) fn keep_glyphs(font: &[u8], drawn: &[u16]) -> Res<Vec<u8>> {
        let tables = tables(font)?;
        let get = |tag: &[u8; 4]| table(&tables, tag);
        let (head, maxp, loca, glyf) = (get(b"head")?, get(b"maxp")?, get(b"loca")?, get(b"glyf")?);
        let num_glyphs = usize::from(u16_at(maxp, 4)?);
        let glyph = |i: usize| -> Res<&[u8]> {
            let (a, b) = (
                u32_at(loca, 4 * i)? as usize,
                u32_at(loca, 4 * i + 4)? as usize,
            );
            glyf.get(a..b)
                .ok_or_else(|| "glyph out of bounds".to_string())
        };
        let mut keep = vec![false; num_glyphs];
        let mut pending: Vec<u16> = std::iter::once(0).chain(drawn.iter().copied()).collect();
        while let Some(id) = pending.pop() {
            let i = usize::from(id);
            if i >= num_glyphs || keep[i] {
                continue;
            }
            keep[i] = true;
            pending.extend(components(glyph(i)?)?);
        }
        let mut new_glyf = Vec::new();
        let mut offsets = Vec::with_capacity(num_glyphs + 1);
        for (i, kept) in keep.iter().enumerate() {
            offsets.push(new_glyf.len());
            if *kept {
                // Each glyph is already padded to 4 bytes by `strip_glyph`.
                new_glyf.extend_from_slice(glyph(i)?);
            }
        }
        offsets.push(new_glyf.len());
        // A document's outlines fit the short `loca` (half offsets, under
        // 128 KB): half the bytes to deflate.
        let short = new_glyf.len() < 0x2_0000;
        let mut new_loca = Vec::with_capacity(4 * offsets.len());
        for offset in offsets {
            if short {
                new_loca.extend_from_slice(&((offset / 2) as u16).to_be_bytes());
            } else {
                new_loca.extend_from_slice(&(offset as u32).to_be_bytes());
            }
        }
        let mut new_head = head.to_vec();
        new_head[8..12].copy_from_slice(&[0; 4]);
        new_head[50..52].copy_from_slice(&u16::from(!short).to_be_bytes());
        let mut out: Vec<([u8; 4], Vec<u8>)> = vec![
            (*b"head", new_head),
            (*b"glyf", new_glyf),
            (*b"loca", new_loca),
        ];
        for (tag, data) in &tables {
            if !matches!(tag, b"head" | b"glyf" | b"loca") {
                out.push((*tag, data.to_vec()));
            }
        }
        Ok(assemble(out))
    }
}
