//! The human-readable text of a bounce, computed once per message: the decoded `text/plain`
//! parts outside returned messages (else `text/html` without its tags), a forwarded bounce's
//! `> ` quoting removed, where the returned message starts in it, and the ISO-2022-JP step
//! ([`iso2022jp`]) that Japanese vendor notices need to match their phrases.

use super::mime::Mime;
use super::returned::INLINE_MARKERS;
use aho_corasick::packed;
use std::sync::LazyLock;

/// The largest human-readable text kept per message. Explanations are short, but a
/// plain-text notice lists every failed recipient in it: this holds
/// [`super::MAX_RECIPIENTS`] recipient lines of a hundred-odd bytes each.
pub const MAX_TEXT: usize = 16 << 20;

/// The decoded `text/plain` parts outside returned messages (else `text/html` without
/// tags), joined by newlines and capped at [`MAX_TEXT`] bytes; the flag is true when the
/// cap cut something.
pub fn human_text(mime: &Mime<'_>) -> (String, bool) {
    let mut out = String::new();
    let plain = |p: &&super::mime::Part<'_>| {
        !p.inside_message && p.mime() == "text/plain" && !is_attachment(p)
    };
    let mut any = false;
    let mut cut = false;
    for p in mime.parts.iter().filter(plain) {
        cut |= push_capped(&mut out, &p.text());
        any = true;
    }
    if !any {
        for p in mime
            .parts
            .iter()
            .filter(|p| !p.inside_message && p.mime() == "text/html")
        {
            cut |= push_capped(&mut out, &strip_tags(&p.text()));
        }
    }
    (unquote_forwarded(out), cut)
}

/// A line starting with `>`, searched with a finder built once (every message is tried).
static QUOTED_LINE: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"\n>"));

/// Lines that open a quoted run this long are a forwarded message, not a transcript (whose
/// `>>>` lines alternate with `<<<` replies).
const QUOTED_RUN: usize = 5;

/// A bounce that a person forwarded with every line quoted (`> Final-Recipient: …`), one
/// quoting level removed from each run of at least [`QUOTED_RUN`] lines starting with `>`,
/// so the readers see the bounce as its MTA wrote it.
fn unquote_forwarded(text: String) -> String {
    // Most texts quote nothing: one SIMD search says so.
    if !text.starts_with('>') && QUOTED_LINE.find(text.as_bytes()).is_none() {
        return text;
    }
    let quoted = |l: &str| l.starts_with('>');
    let mut run = 0;
    let mut longest = 0;
    for l in text.lines() {
        run = if quoted(l) { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if longest < QUOTED_RUN {
        return text;
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < lines.len() {
        let end = (i..lines.len())
            .find(|&j| !quoted(lines[j]))
            .unwrap_or(lines.len());
        let unquote = end - i >= QUOTED_RUN;
        for l in &lines[i..end.max(i + 1)] {
            let l = if unquote {
                let l = &l[1..];
                l.strip_prefix(' ').unwrap_or(l)
            } else {
                l
            };
            out.push_str(l);
            out.push('\n');
        }
        i = end.max(i + 1);
    }
    out
}

/// The disposition type of an attachment (RFC 2183), compared case-insensitively.
const ATTACHMENT: &[u8] = b"attachment";

fn is_attachment(p: &super::mime::Part<'_>) -> bool {
    p.depth > 0
        && p.headers.get("content-disposition").is_some_and(|d| {
            d.as_bytes()
                .get(..ATTACHMENT.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(ATTACHMENT))
        })
}

/// Appends `text` (after a newline) up to [`MAX_TEXT`]; true when some of it was left out.
fn push_capped(out: &mut String, text: &str) -> bool {
    if out.len() >= MAX_TEXT {
        return !text.is_empty();
    }
    if !out.is_empty() {
        out.push('\n');
    }
    let mut end = text.len().min(MAX_TEXT - out.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    out.push_str(&text[..end]);
    end < text.len()
}

/// Removes HTML tags (each becomes a space) and decodes the few entities bounces use
/// (`&nbsp;`, `&lt;`, `&gt;`, `&amp;`), in one pass over the bytes.
pub fn strip_tags(html: &str) -> String {
    const ENTITIES: &[(&str, char)] = &[
        ("&nbsp;", ' '),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&amp;", '&'),
    ];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = memchr::memchr2(b'<', b'&', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('&') {
            match ENTITIES.iter().find(|(e, _)| rest.starts_with(e)) {
                Some((e, c)) => {
                    out.push(*c);
                    rest = &rest[e.len()..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
            continue;
        }
        // A tag: up to its `>`, or to the end when it is never closed.
        match memchr::memchr(b'>', rest.as_bytes()) {
            Some(end) => {
                out.push(' ');
                rest = &rest[end + 1..];
            }
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

/// The [`INLINE_MARKERS`] that start the returned message itself (not the ones that open a
/// session transcript or the list of failed recipients above it), as one packed (SIMD)
/// searcher over ASCII-lower-cased text: the markers are lower-case, and a case-insensitive
/// automaton would have to step through every byte.
static RETURNED_START: LazyLock<Option<packed::Searcher>> = LazyLock::new(|| {
    packed::Config::new()
        .match_kind(packed::MatchKind::LeftmostFirst)
        .builder()
        .extend(INLINE_MARKERS.iter().filter(|m| {
            !m.starts_with("----- transcript")
                && !m.starts_with("the original message was")
                && !m.starts_with("----- the following addresses")
        }))
        .build()
});

/// Where the returned message starts in a text, given ASCII-lower-cased (its length when the
/// text holds none); one pass over the text.
pub fn returned_start(lower: &str) -> usize {
    RETURNED_START
        .as_ref()
        .and_then(|searcher| searcher.find(lower))
        .map_or(lower.len(), |m| m.start())
}

/// The ISO-2022-JP runs (`ESC $ B` … `ESC ( B`, RFC 1468) of a text decoded, kanji included
/// (through `encoding_rs`), for the Japanese vendor notices whose phrases are matched in
/// Japanese; text without an escape sequence is returned as it is. Part bodies are already
/// decoded this way ([`super::decode::to_text`]); this serves texts gathered otherwise.
pub fn iso2022jp(text: &str) -> std::borrow::Cow<'_, str> {
    super::decode::iso_2022_jp_runs(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_bounces_are_unquoted() {
        let fwd = "Begin forwarded message:\n\n> From: MAILER-DAEMON\n>\n> ----- Transcript -----\n>>>> DATA\n> <<< 550 5.1.1 <a@b.c>... User unknown\n> Status: 5.1.1\nthanks\n";
        assert_eq!(
            unquote_forwarded(fwd.to_string()),
            "Begin forwarded message:\n\nFrom: MAILER-DAEMON\n\n----- Transcript -----\n>>> DATA\n<<< 550 5.1.1 <a@b.c>... User unknown\nStatus: 5.1.1\nthanks\n"
        );
        let transcript = ">>> RCPT TO:<a@b.c>\n<<< 550 no\n>>> QUIT\n";
        assert_eq!(unquote_forwarded(transcript.to_string()), transcript);
    }

    #[test]
    fn iso_2022_jp_with_kanji() {
        assert_eq!(
            iso2022jp("\u{1b}$B%G%#%l%/%H%j$N%j%9%H$K$\"$j$^$;$s\u{1b}(B x"),
            "ディレクトリのリストにありません x"
        );
        assert_eq!(iso2022jp("\u{1b}$B8+\u{1b}(B"), "見");
        assert_eq!(iso2022jp("plain"), "plain");
        // Truncated and hostile input: replacement characters, never a panic.
        assert_eq!(iso2022jp("\u{1b}$B%"), "\u{fffd}");
        assert_eq!(iso2022jp("\u{1b}$"), "\u{fffd}$");
    }
}
