//! Non-standard bounce formats, one module per producer family, each with the same shape:
//! `detect(&Input) -> bool` (is it mine?) and `parse(&Input) -> Option<Bounce>`. They run
//! before the generic DSN reader because some producers send a DSN whose fields are worse
//! than their own text. Shared scanning lives in [`super::text`].

pub mod amazonses;
pub mod au;
pub mod exim;
pub mod fml;
pub mod googlegroups;

use super::{Bounce, Input, header};

/// One vendor reader.
pub struct Reader {
    /// The module's name, recorded as [`Bounce::reader`].
    pub name: &'static str,
    /// Is the message this producer's?
    pub detect: fn(&Input<'_>) -> bool,
    /// Reads it.
    pub parse: fn(&Input<'_>) -> Option<Bounce>,
}

/// The vendor readers, most specific first.
pub const READERS: &[Reader] = &[
    Reader {
        name: "amazonses",
        detect: amazonses::detect,
        parse: amazonses::parse,
    },
    Reader {
        name: "googlegroups",
        detect: googlegroups::detect,
        parse: googlegroups::parse,
    },
    Reader {
        name: "fml",
        detect: fml::detect,
        parse: fml::parse,
    },
    Reader {
        name: "exim",
        detect: exim::detect,
        parse: exim::parse,
    },
    Reader {
        name: "au",
        detect: au::detect,
        parse: au::parse,
    },
];

/// The addresses of a comma-separated list (`X-Failed-Recipients`).
pub fn split_addresses(list: &str) -> Vec<String> {
    list.split(',').filter_map(header::address).collect()
}

/// The first vendor reader that detects the message and reads records from it.
pub fn parse(input: &Input<'_>) -> Option<Bounce> {
    READERS
        .iter()
        .filter(|r| (r.detect)(input))
        .find_map(|r| (r.parse)(input).filter(|b| !b.records.is_empty()))
}
