//! Fuzzes the charset and header-text decoders: any bytes as a body in a handful of
//! charsets, as a header value (RFC 2047 encoded words, raw ISO-2022-JP runs) and as
//! `Content-Type` parameters (RFC 2231 sections). Must never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rebound_ingest::internals::{ContentType, into_text, text_value, to_text};
use std::borrow::Cow;

const CHARSETS: &[&str] = &[
    "utf-8", "us-ascii", "iso-2022-jp", "shift_jis", "euc-kr", "utf-16", "x-unknown",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let charset = CHARSETS[usize::from(pick) % CHARSETS.len()];
    let _ = to_text(charset, rest);
    let _ = into_text(charset, rest.to_vec());
    let text = String::from_utf8_lossy(rest);
    let _ = text_value(Cow::Borrowed(&text));
    let ct = ContentType::parse(Some(&text));
    let _ = ct.param("charset");
    let _ = ct.param("name");
});
