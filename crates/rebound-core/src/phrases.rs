//! Fixed phrases found ASCII case-insensitively, fast: [`Phrases`] for a set of them (the
//! markers that name a reply's SMTP command, the words that announce a forward-path, the
//! readers' own stage phrases), [`find_ignore_ascii_case`] for one.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind, packed};

/// Fixed lower-case phrases, searched ASCII case-insensitively. A case-insensitive
/// automaton has no prefilter for phrases like these (no byte is both rare and common to
/// all of them once both cases count), so it steps through every byte; a packed (SIMD)
/// search over a lower-cased copy finds the same matches for far less. The automaton is
/// used where the CPU offers no packed search.
pub struct Phrases(Search);

enum Search {
    Packed(packed::Searcher),
    Automaton(AhoCorasick),
}

impl Phrases {
    /// The phrases (lower-case); [`Phrases::find`] gives the leftmost match, the one listed
    /// first when two start at the same place.
    pub fn leftmost_first<'p>(phrases: impl Iterator<Item = &'p str> + Clone) -> Phrases {
        Phrases::new(phrases, MatchKind::LeftmostFirst)
    }

    /// The phrases (lower-case); [`Phrases::find`] gives the leftmost match, the longest
    /// when two start at the same place.
    pub fn leftmost_longest<'p>(phrases: impl Iterator<Item = &'p str> + Clone) -> Phrases {
        Phrases::new(phrases, MatchKind::LeftmostLongest)
    }

    fn new<'p>(phrases: impl Iterator<Item = &'p str> + Clone, kind: MatchKind) -> Phrases {
        let packed_kind = match kind {
            MatchKind::LeftmostLongest => packed::MatchKind::LeftmostLongest,
            _ => packed::MatchKind::LeftmostFirst,
        };
        let searcher = packed::Config::new()
            .match_kind(packed_kind)
            .builder()
            .extend(phrases.clone())
            .build();
        Phrases(match searcher {
            Some(searcher) => Search::Packed(searcher),
            None => Search::Automaton(automaton(phrases, kind)),
        })
    }

    /// The index (in the order given) of the phrase matched in `text`.
    pub fn find(&self, text: &str) -> Option<usize> {
        let searcher = match &self.0 {
            Search::Packed(searcher) => searcher,
            Search::Automaton(automaton) => {
                return automaton.find(text).map(|m| m.pattern().as_usize());
            }
        };
        // Most texts are a line or two: their lower-cased copy stays on the stack.
        let mut stack = [0u8; 256];
        let mut heap = Vec::new();
        let lower = if let Some(buf) = stack.get_mut(..text.len()) {
            buf.copy_from_slice(text.as_bytes());
            buf
        } else {
            heap.extend_from_slice(text.as_bytes());
            &mut heap[..]
        };
        lower.make_ascii_lowercase();
        searcher.find(&*lower).map(|m| m.pattern().as_usize())
    }
}

/// Where `needle` first occurs in `haystack`, ASCII letters compared case-insensitively
/// (the offset `to_ascii_lowercase` on both would give; `Some(0)` for an empty needle),
/// without a lower-cased copy of either: the copy (and a searcher built for one use) cost
/// more than the search.
pub fn find_ignore_ascii_case(
    haystack: impl AsRef<[u8]>,
    needle: impl AsRef<[u8]>,
) -> Option<usize> {
    let (h, n) = (haystack.as_ref(), needle.as_ref());
    let Some(&first) = n.first() else {
        return Some(0);
    };
    let last = h.len().checked_sub(n.len())?;
    let matches_at = |i: usize| h[i..i + n.len()].eq_ignore_ascii_case(n);
    // A line or a header value is scanned byte by byte; a whole text jumps between the
    // candidates for the first byte (the SIMD search costs more to start than it saves on
    // a short haystack).
    if h.len() < 128 {
        return (0..=last).find(|&i| h[i].eq_ignore_ascii_case(&first) && matches_at(i));
    }
    memchr::memchr2_iter(
        first.to_ascii_lowercase(),
        first.to_ascii_uppercase(),
        &h[..=last],
    )
    .find(|&i| matches_at(i))
}

/// The ASCII case-insensitive automaton of `phrases`, for [`Phrases`] without packed search
/// (and for tests that hold the packed search to it).
pub(crate) fn automaton<'p>(
    phrases: impl Iterator<Item = &'p str>,
    kind: MatchKind,
) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(kind)
        .build(phrases)
        .unwrap_or_else(|e| unreachable!("fixed phrases compile: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_needle_is_found_in_any_case_and_only_whole() {
        assert_eq!(find_ignore_ascii_case("said by HOST mx", "host "), Some(8));
        assert_eq!(find_ignore_ascii_case("hhost x", "host "), Some(1));
        assert_eq!(find_ignore_ascii_case("x h=mx", "H="), Some(2));
        assert_eq!(find_ignore_ascii_case("host", "host "), None);
        assert_eq!(find_ignore_ascii_case("", "H="), None);
        assert_eq!(find_ignore_ascii_case("abc", ""), Some(0));
        let long = format!("{}X@Example.COM", "word ".repeat(40));
        assert_eq!(find_ignore_ascii_case(&long, "x@example.com"), Some(200));
        assert_eq!(find_ignore_ascii_case(&long, "y@example.com"), None);
    }

    #[test]
    fn packed_and_automaton_agree_for_both_kinds() {
        let phrases = [
            "after rcpt",
            "after rcpt command",
            "(data)",
            "step: data send",
        ];
        let long = format!("{} AFTER RCPT command", "word ".repeat(60));
        for kind in [MatchKind::LeftmostFirst, MatchKind::LeftmostLongest] {
            let fast = Phrases::new(phrases.iter().copied(), kind);
            let slow = automaton(phrases.iter().copied(), kind);
            for text in [
                "550 user unknown After RCPT Command",
                "Step: DATA send, (data)",
                "short",
                "",
                &long,
            ] {
                let want = slow.find(text).map(|m| m.pattern().as_usize());
                assert_eq!(fast.find(text), want, "{text} ({kind:?})");
            }
        }
    }
}
