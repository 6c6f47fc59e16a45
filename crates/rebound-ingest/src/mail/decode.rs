//! Content-Transfer-Encoding decoders (RFC 2045 section 6: base64 and quoted-printable) and
//! the charset step that turns a decoded body into text. Every decoder is total: bytes that do
//! not belong to the encoding are skipped, never an error, because bounce bodies are often
//! damaged in transit.

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

/// Turns bytes in a declared charset into text. UTF-8 and ASCII are read as UTF-8, the
/// ISO-8859 / Windows single-byte families as Latin-1, ISO-2022-JP stays its 7-bit self;
/// anything else (or an unknown name) is read as UTF-8 with U+FFFD for invalid sequences.
/// The words that matter for classification are ASCII in every real bounce.
pub fn to_text<'a>(charset: &str, bytes: &'a [u8]) -> Cow<'a, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let cs = charset.trim_matches('"');
    let latin = ["iso-8859", "latin", "windows-12", "cp12", "us-ascii"];
    if latin.iter().any(|p| starts_with_ignore_case(cs, p)) {
        return Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect());
    }
    String::from_utf8_lossy(bytes)
}

/// [`to_text`] of bytes already owned (a decoded body): valid UTF-8 becomes the text
/// without a copy.
pub fn into_text(charset: &str, bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(invalid) => to_text(charset, invalid.as_bytes()).into_owned(),
    }
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
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

    #[test]
    fn charsets() {
        assert_eq!(to_text("iso-8859-1", b"caf\xe9"), "caf\u{e9}");
        assert_eq!(to_text("x-unknown", b"ok"), "ok");
        assert_eq!(to_text("x-unknown", b"\xff"), "\u{fffd}");
    }
}
