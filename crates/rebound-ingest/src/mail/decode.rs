//! Content-Transfer-Encoding decoders (RFC 2045 section 6: base64 and quoted-printable), the
//! charset step that turns decoded bytes into text (every WHATWG encoding, through
//! `encoding_rs`), and RFC 2047 encoded words in header fields. Every decoder is total: bytes
//! that do not belong to the encoding are skipped or replaced, never an error, because bounce
//! bodies are often damaged in transit.
//!
//! # Charset policy
//!
//! - A label is looked up as the WHATWG Encoding Standard names it (`Encoding::for_label`,
//!   which knows `cp1252`, `x-sjis`, `shift-jis`, `ks_c_5601-1987`, `gb2312`, `latin2`, …),
//!   then in [`ALIASES`], the names outside that list that mail software writes (`cp932`,
//!   `cp936`, `cp949`, `iso-2022-jp-2`, …). A label that names the WHATWG "replacement"
//!   encoding (`iso-2022-kr`, `hz-gb-2312`) counts as unknown.
//! - A body that is valid UTF-8 (pure ASCII included) is read as UTF-8 whatever its label:
//!   mislabelled UTF-8 is common in bounces, while legacy text of more than a few characters
//!   that happens to be valid UTF-8 is vanishingly rare. This is also the fast path: one
//!   validation pass and no copy.
//! - 7-bit text holding ISO-2022-JP escape sequences (`ESC $ B`, RFC 1468) is decoded as
//!   ISO-2022-JP whatever its label (Japanese notices are often labelled `us-ascii` or
//!   `EUC-JP`); UTF-16 is decoded when labelled so (a BOM decides the byte order, else
//!   big-endian for the plain `utf-16` label, RFC 2781 4.3).
//! - Otherwise the declared encoding decodes, with U+FFFD for bytes it does not define. A
//!   part labelled ISO-2022-JP that holds 8-bit bytes is tried as Shift_JIS, then EUC-JP.
//! - An unknown or missing label: UTF-8 if valid, else windows-1252 (every byte is a
//!   character, and it is what unlabelled Western European mail is).
//! - Encoded words (RFC 2047) decode in their declared charset without the UTF-8 preference
//!   (they are short); an unknown charset there falls back as above.

use encoding_rs::{
    BIG5, EUC_JP, EUC_KR, Encoding, GBK, ISO_2022_JP, SHIFT_JIS, UTF_16BE, UTF_16LE, WINDOWS_874,
    WINDOWS_1252,
};
use std::borrow::Cow;

/// Decodes a body according to its `Content-Transfer-Encoding` (lower-cased name); 7bit,
/// 8bit, binary and unknown encodings are returned as they are.
pub fn transfer_decode<'a>(encoding: &str, body: &'a [u8]) -> Cow<'a, [u8]> {
    match encoding {
        "base64" => Cow::Owned(base64(body)),
        "quoted-printable" => Cow::Owned(quoted_printable(body)),
        _ => Cow::Borrowed(body),
    }
}

/// The value of one base64 digit, or `None` for anything else.
fn b64_value(b: u8) -> Option<u32> {
    match b {
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'a'..=b'z' => Some(u32::from(b - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(b - b'0') + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Decodes base64, skipping white space and junk, stopping at the first `=` pad.
pub fn base64(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 3);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &b in input {
        if b == b'=' {
            break;
        }
        let Some(v) = b64_value(b) else { continue };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes quoted-printable (RFC 2045 6.7): `=XX` escapes and `=` soft line breaks; a
/// malformed escape is kept literally.
pub fn quoted_printable(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        // Copy the plain run up to the next `=` whole.
        let Some(eq) = memchr::memchr(b'=', &input[i..]) else {
            out.extend_from_slice(&input[i..]);
            break;
        };
        out.extend_from_slice(&input[i..i + eq]);
        i += eq;
        match (input.get(i + 1), input.get(i + 2)) {
            (Some(b'\n'), _) => i += 2,
            (Some(b'\r'), Some(b'\n')) => i += 3,
            (Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) << 4) | hex(l).unwrap_or(0));
                i += 3;
            }
            _ => {
                // Trailing white space before a soft break: `=  \n`.
                let rest = &input[i + 1..];
                let ws = rest
                    .iter()
                    .take_while(|c| matches!(c, b' ' | b'\t'))
                    .count();
                if rest.get(ws) == Some(&b'\n') {
                    i += 2 + ws;
                } else {
                    out.push(b'=');
                    i += 1;
                }
            }
        }
    }
    out
}

/// Charset names that mail software writes and the WHATWG list does not know, lower-case,
/// with the encoding each means.
#[rustfmt::skip]
pub const ALIASES: &[(&str, &Encoding)] = &[
    ("cp932", SHIFT_JIS), ("windows-932", SHIFT_JIS), ("x-ms-cp932", SHIFT_JIS),
    ("shift_jisx0213", SHIFT_JIS), ("sjis-open", SHIFT_JIS), ("sjis-win", SHIFT_JIS),
    ("eucjp", EUC_JP), ("eucjp-ms", EUC_JP), ("euc-jp-ms", EUC_JP), ("cp51932", EUC_JP),
    ("iso-2022-jp-1", ISO_2022_JP), ("iso-2022-jp-2", ISO_2022_JP),
    ("iso-2022-jp-3", ISO_2022_JP), ("csiso2022jp2", ISO_2022_JP), ("jis", ISO_2022_JP),
    ("cp936", GBK), ("ms936", GBK), ("windows-936", GBK), ("euc-cn", GBK),
    ("x-euc-cn", GBK), ("euccn", GBK), ("gb_2312", GBK), ("gbk2312", GBK),
    ("cp949", EUC_KR), ("ms949", EUC_KR), ("uhc", EUC_KR), ("ks_c_5601", EUC_KR),
    ("euckr", EUC_KR), ("x-windows-949", EUC_KR),
    ("cp950", BIG5), ("ms950", BIG5), ("windows-950", BIG5), ("big5hkscs", BIG5),
    ("x-big5", BIG5),
    ("cp874", WINDOWS_874), ("tis620", WINDOWS_874),
    ("latin-1", WINDOWS_1252), ("iso8859_1", WINDOWS_1252), ("8859-1", WINDOWS_1252),
    ("ucs-2", UTF_16BE), ("ucs2", UTF_16BE), ("utf16", UTF_16BE), ("cp1200", UTF_16LE),
];

/// The encoding a MIME charset label names, or `None` when it names none that can be
/// decoded. Quotes, white space and an RFC 2231 language suffix (`utf-8*en`) are ignored;
/// the plain `utf-16` label means big-endian (RFC 2781 4.3; a BOM still decides).
pub fn encoding_for(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().trim_matches('"').trim();
    let label = label.split_once('*').map_or(label, |(name, _)| name);
    if label.eq_ignore_ascii_case("utf-16") {
        return Some(UTF_16BE);
    }
    Encoding::for_label_no_replacement(label.as_bytes()).or_else(|| {
        ALIASES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(label))
            .map(|(_, e)| *e)
    })
}

/// Whether UTF-8 bytes in a charset need no charset step: no escape byte (ISO-2022-JP, which
/// is decoded whatever the label says) and a label that cannot name UTF-16 (whose text of
/// ASCII characters is valid UTF-8 with NULs). One byte search and a look at the label.
fn plain_utf8(charset: &str, bytes: &[u8]) -> bool {
    memchr::memchr(0x1b, bytes).is_none() && !maybe_utf16(charset)
}

/// Whether a label may name UTF-16 (`utf-16*`, `ucs-2`, `unicode*`, `cp1200`): a cheap
/// test before any lookup.
fn maybe_utf16(label: &str) -> bool {
    let l = label.trim_start_matches([' ', '"']).as_bytes();
    let starts = |p: &[u8]| l.len() >= p.len() && l[..p.len()].eq_ignore_ascii_case(p);
    (starts(b"utf") && memchr::memmem::find(l, b"16").is_some())
        || starts(b"ucs")
        || starts(b"unicode")
        || starts(b"cp1200")
}

/// Whether an encoding is one of the UTF-16s.
fn is_utf16(e: &'static Encoding) -> bool {
    e == UTF_16BE || e == UTF_16LE
}

/// Turns bytes in a declared charset (a body's `charset` parameter) into text, following the
/// policy in the module documentation. Borrowed when the bytes are valid UTF-8 as they are.
pub fn to_text<'a>(charset: &str, bytes: &'a [u8]) -> Cow<'a, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) if plain_utf8(charset, bytes) => Cow::Borrowed(text),
        Ok(text) => match encoding_for(charset) {
            Some(e) if is_utf16(e) => decode_in(e, bytes),
            _ => iso_2022_jp_runs(text),
        },
        Err(_) => match encoding_for(charset) {
            None => decode_in(WINDOWS_1252, bytes),
            Some(e) if e == ISO_2022_JP => [SHIFT_JIS, EUC_JP]
                .iter()
                .find_map(|e| e.decode_without_bom_handling_and_without_replacement(bytes))
                .unwrap_or_else(|| decode_in(ISO_2022_JP, bytes)),
            Some(e) => decode_in(e, bytes),
        },
    }
}

/// [`to_text`] of bytes already owned (a decoded body): plain UTF-8 becomes the text
/// without a copy.
pub fn into_text(charset: &str, bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) if plain_utf8(charset, text.as_bytes()) => text,
        Ok(text) => to_text(charset, text.as_bytes()).into_owned(),
        Err(invalid) => to_text(charset, invalid.as_bytes()).into_owned(),
    }
}

/// Bytes in one encoding as text, U+FFFD for what it does not define. UTF-16 looks for a
/// byte order mark first; the others do not (a UTF-8 BOM is kept as U+FEFF).
fn decode_in<'a>(e: &'static Encoding, bytes: &'a [u8]) -> Cow<'a, str> {
    if is_utf16(e) {
        e.decode(bytes).0
    } else {
        e.decode_without_bom_handling(bytes).0
    }
}

/// The ISO-2022-JP runs (RFC 1468) of a text decoded: each stretch of ASCII that holds an
/// escape sequence, within one line (a JIS run ends at the line's end, as RFC 1468 requires),
/// is decoded as ISO-2022-JP; everything else stays as it is. Text without an escape is
/// borrowed.
pub fn iso_2022_jp_runs(text: &str) -> Cow<'_, str> {
    if memchr::memchr(0x1b, text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let mut rest = line;
        while !rest.is_empty() {
            // ASCII stretches and the others alternate; each cut is a char boundary.
            let ascii = rest.as_bytes()[0].is_ascii();
            let end = rest
                .bytes()
                .position(|b| b.is_ascii() != ascii)
                .unwrap_or(rest.len());
            let (run, after) = rest.split_at(end);
            if ascii && run.contains('\u{1b}') {
                out.push_str(&ISO_2022_JP.decode_without_bom_handling(run.as_bytes()).0);
            } else {
                out.push_str(run);
            }
            rest = after;
        }
    }
    Cow::Owned(out)
}

/// Bytes in the charset an encoded word or an RFC 2231 parameter declares, decoded strictly
/// in it (no UTF-8 preference: these texts are short); an unknown charset falls back to
/// UTF-8 if valid, else windows-1252.
pub fn charset_text(charset: &str, bytes: &[u8]) -> String {
    match encoding_for(charset) {
        Some(e) => decode_in(e, bytes).into_owned(),
        None => match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            Err(_) => decode_in(WINDOWS_1252, bytes).into_owned(),
        },
    }
}

/// One RFC 2047 encoded word at the start of `s` (`=?charset?B|Q?text?=`, an RFC 2231
/// language after `*` allowed): its decoded text and its length. `None` when `s` does not
/// start with a well-formed word (then it is left as it is).
fn encoded_word(s: &str) -> Option<(String, usize)> {
    // RFC 2047 2 allows 75 characters; real mail writes longer words, but none this long.
    // The bound keeps a value full of `=?` starts that never end linear.
    const MAX_WORD: usize = 1024;
    let mut end = s.len().min(MAX_WORD);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let rest = s[..end].strip_prefix("=?")?;
    let (charset, rest) = rest.split_once('?')?;
    let (enc, rest) = rest.split_once('?')?;
    let end = rest.find("?=")?;
    let payload = &rest[..end];
    let ok = |c: char| !c.is_ascii_whitespace() && c != '?';
    if charset.is_empty() || !charset.chars().all(ok) || payload.contains([' ', '\t', '\n']) {
        return None;
    }
    let bytes = match enc {
        "B" | "b" => base64(payload.as_bytes()),
        "Q" | "q" => q_decode(payload.as_bytes()),
        _ => return None,
    };
    let len = 2 + charset.len() + 1 + enc.len() + 1 + end + 2;
    Some((charset_text(charset, &bytes), len))
}

/// The `Q` encoding (RFC 2047 4.2): quoted-printable where `_` is a space.
fn q_decode(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len());
    let mut i = 0;
    while i < payload.len() {
        match payload[i] {
            b'_' => out.push(b' '),
            b'=' => match (
                payload.get(i + 1).copied().and_then(hex),
                payload.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'='),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// A header value with its RFC 2047 encoded words decoded (B and Q, in any charset
/// `encoding_rs` knows). White space between two adjacent encoded words is dropped
/// (RFC 2047 6.2); malformed words are left as they are. Values without `=?` (nearly all)
/// are borrowed without further work.
pub fn decode_words(value: &str) -> Cow<'_, str> {
    let Some(first) = word_start(value.as_bytes()) else {
        return Cow::Borrowed(value);
    };
    let mut out = String::with_capacity(value.len());
    out.push_str(&value[..first]);
    let mut rest = &value[first..];
    // Where the output stood after the last encoded word, when only white space followed it.
    let mut after_word: Option<usize> = None;
    let mut changed = false;
    while !rest.is_empty() {
        if rest.starts_with("=?")
            && let Some((text, len)) = encoded_word(rest)
        {
            if let Some(at) = after_word {
                out.truncate(at);
            }
            out.push_str(&text);
            after_word = Some(out.len());
            rest = &rest[len..];
            changed = true;
            continue;
        }
        // Up to the next possible word; a run of white space keeps `after_word`.
        let next = word_start(&rest.as_bytes()[1..]).map_or(rest.len(), |i| i + 1);
        let chunk = &rest[..next];
        if !chunk.chars().all(char::is_whitespace) {
            after_word = None;
        }
        out.push_str(chunk);
        rest = &rest[next..];
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(value)
    }
}

/// Where the first `=?` is: a byte search for `=` (header values are short, and building a
/// substring searcher for each would cost more than the search).
fn word_start(b: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'=', b).find(|&i| b.get(i + 1) == Some(&b'?'))
}

/// `%XX` escapes decoded; a malformed one is kept.
pub fn percent_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%'
            && let (Some(h), Some(l)) = (
                s.get(i + 1).copied().and_then(hex),
                s.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_skips_junk() {
        assert_eq!(base64(b"aGVs\nbG8=\n"), b"hello");
        assert_eq!(base64(b"aGV*sbG8"), b"hello");
        assert_eq!(base64(b""), b"");
    }

    #[test]
    fn qp_soft_breaks_and_bad_escapes() {
        assert_eq!(quoted_printable(b"a=3Db=\nc"), b"a=bc");
        assert_eq!(quoted_printable(b"x=zz=  \ny="), b"x=zzy=");
    }

    /// Each charset of the WHATWG set that bounces come in, by the label mail writes.
    #[test]
    #[rustfmt::skip]
    fn every_charset() {
        let cases: &[(&str, &[u8], &str)] = &[
            ("Shift_JIS", b"\x83\x86\x81\x5b\x83\x55\x82\xaa\x91\xb6\x8d\xdd\x82\xb5\x82\xdc\x82\xb9\x82\xf1", "ユーザが存在しません"),
            ("x-sjis", b"\x88\xb6\x90\xe6", "宛先"),
            ("shift-jis", b"\x88\xb6\x90\xe6", "宛先"),
            ("cp932", b"\x88\xb6\x90\xe6", "宛先"),
            ("EUC-JP", b"\xb0\xb8\xc0\xe8\xc9\xd4\xcc\xc0", "宛先不明"),
            ("ISO-2022-JP", b"\x1b$B08@h\x1b(B ok", "宛先 ok"),
            ("GB2312", b"\xd3\xc3\xbb\xa7\xb2\xbb\xb4\xe6\xd4\xda", "用户不存在"),
            ("GBK", b"\xd3\xc3\xbb\xa7", "用户"),
            ("GB18030", b"\xd3\xc3\xbb\xa7", "用户"),
            ("Big5", b"\xab\x48\xbd\x63\xa4\x77\xba\xa1", "信箱已滿"),
            ("EUC-KR", b"\xbb\xe7\xbf\xeb\xc0\xda", "사용자"),
            ("ks_c_5601-1987", b"\xbb\xe7\xbf\xeb\xc0\xda", "사용자"),
            ("KOI8-R", b"\xf0\xcf\xcc\xd8\xda\xcf\xd7\xc1\xd4\xc5\xcc\xd8", "Пользователь"),
            ("KOI8-U", b"\xa4", "є"),
            ("windows-1251", b"\xcf\xee\xeb\xfc\xe7\xee\xe2\xe0\xf2\xe5\xeb\xfc", "Пользователь"),
            ("cp1251", b"\xff", "я"),
            ("ISO-8859-2", b"U\xbfytkownik", "Użytkownik"),
            ("latin2", b"p\xf8\xedjemce", "příjemce"),
            ("windows-1250", b"\x9a", "š"),
            ("windows-1252", b"n\x92existe \x96 caf\xe9", "n’existe – café"),
            ("cp1252", b"\x80", "€"),
            ("iso-8859-1", b"caf\xe9", "café"),
            ("ISO-8859-15", b"\xa4", "€"),
            ("iso-8859-7", b"\xe1", "α"),
            ("windows-1256", b"\xc7", "ا"),
            ("windows-1255", b"\xe0", "א"),
            ("windows-874", b"\xa1", "ก"),
            ("UTF-16", b"\x00h\x00i", "hi"),
            ("UTF-16", b"\xff\xfeh\x00i\x00", "hi"),
            ("UTF-16LE", b"h\x00i\x00", "hi"),
            ("utf-8", b"d\xc3\xa9j\xc3\xa0", "déjà"),
        ];
        for (label, bytes, want) in cases {
            assert_eq!(to_text(label, bytes), *want, "{label}");
            assert_eq!(into_text(label, bytes.to_vec()), *want, "{label}");
        }
    }

    #[test]
    fn fallbacks() {
        // Valid UTF-8 wins over a wrong label, and costs no copy.
        assert!(matches!(
            to_text("iso-8859-1", "café".as_bytes()),
            Cow::Borrowed("café")
        ));
        // Unknown labels: UTF-8 if valid, else windows-1252.
        assert_eq!(to_text("x-unknown", b"ok"), "ok");
        assert_eq!(to_text("x-klingon-9", b"\x92\xff"), "’ÿ");
        assert_eq!(to_text("iso-2022-kr", b"caf\xe9"), "café");
        // Declared UTF-8 that is not: replacement characters.
        assert_eq!(to_text("utf-8", b"a\xffb"), "a\u{fffd}b");
        // ISO-2022-JP escapes under another label, and 8-bit bytes under that label.
        assert_eq!(to_text("us-ascii", b"\x1b$B%f!<%6\x1b(B"), "ユーザ");
        assert_eq!(to_text("iso-2022-jp", b"\x88\xb6\x90\xe6"), "宛先");
        // A kanji run inside otherwise UTF-8 text.
        assert_eq!(to_text("utf-8", "é \x1b$B08@h\x1b(B".as_bytes()), "é 宛先");
        assert_eq!(encoding_for("\"utf-8\""), Some(encoding_rs::UTF_8));
        assert_eq!(encoding_for("UTF-8*en"), Some(encoding_rs::UTF_8));
        assert_eq!(encoding_for("x-unknown"), None);
    }

    #[test]
    fn encoded_words() {
        // Q, with `_` for space, in UTF-8; the auto-reply subject of a French mailbox.
        assert_eq!(
            decode_words("=?UTF-8?Q?R=C3=A9ponse_automatique?="),
            "Réponse automatique"
        );
        // B, lower-case markers, and text around the word.
        assert_eq!(decode_words("Re: =?utf-8?b?ZMOpasOg?= vu"), "Re: déjà vu");
        // Adjacent words: the white space (even folded) between them goes (RFC 2047 6.2).
        assert_eq!(
            decode_words("=?ISO-2022-JP?B?GyRCMDhAaBsoQg==?=\n =?ISO-2022-JP?B?GyRCSVRMQBsoQg==?="),
            "宛先不明"
        );
        assert_eq!(decode_words("=?UTF-8?Q?a?= =?UTF-8?Q?b?="), "ab");
        // Words separated by other text keep it.
        assert_eq!(decode_words("=?UTF-8?Q?a?= - =?UTF-8?Q?b?="), "a - b");
        // Legacy charsets through encoding_rs.
        assert_eq!(
            decode_words("=?Shift_JIS?B?g4aBW4NVgqqRto3dgrWC3IK5gvE=?="),
            "ユーザが存在しません"
        );
        assert_eq!(decode_words("=?KOI8-R?Q?=F0=CF=DE=D4=C1?="), "Почта");
        assert_eq!(
            decode_words("=?ks_c_5601-1987?B?u+e/68DaX8DM?="),
            "사용자_이"
        );
        assert_eq!(decode_words("=?windows-1252?Q?n=92existe?="), "n’existe");
        assert_eq!(decode_words("=?ISO-8859-2?Q?wiadomo=B6=E6?="), "wiadomość");
        // RFC 2231 language suffix.
        assert_eq!(decode_words("=?UTF-8*fr?Q?caf=C3=A9?="), "café");
        // Unknown charset: UTF-8 if valid, else windows-1252.
        assert_eq!(decode_words("=?x-klingon?Q?caf=E9?="), "café");
        assert_eq!(decode_words("=?x-klingon?B?AAAA?="), "\0\0\0");
    }

    #[test]
    fn malformed_words_stay() {
        for s in [
            "plain subject",
            "=?",
            "=?UTF-8?",
            "=?UTF-8?Q?",
            "=?UTF-8?X?abc?=",
            "=??Q?abc?=",
            "=?UTF-8?Q?a b?=",
            "price =? 5",
            "=?UTF-8?Q?unterminated",
        ] {
            assert!(
                matches!(decode_words(s), Cow::Borrowed(b) if b == s),
                "{s:?}"
            );
        }
        // A bad word beside a good one: the good one decodes, the bad one stays.
        assert_eq!(
            decode_words("=?UTF-8?X?x?= =?UTF-8?Q?ok?="),
            "=?UTF-8?X?x?= ok"
        );
        // Many starts of words that never end: linear, left as written.
        let junk = "=?a?Q?b".repeat(40_000);
        assert!(matches!(decode_words(&junk), Cow::Borrowed(_)));
        // Q escapes that are not hex stay literal.
        assert_eq!(decode_words("=?UTF-8?Q?a=ZZb?="), "a=ZZb");
    }

    #[test]
    fn rfc2231_values() {}
}
