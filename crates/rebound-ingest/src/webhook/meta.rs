//! An email service's metadata as event tags: the sender's own key/value pairs, the service's
//! labels, campaign and subaccount, and the original headers a service reports, each under a
//! namespace of its own so none can take the name of a tag Rebound sets itself (`provider`,
//! `queue_id`, …). Values keep the JSON type the service gave them. docs/tags.md lists, per
//! service, which field goes where.
//!
//! | tag | holds |
//! | --- | --- |
//! | `meta.<key>` | the sender's key/value metadata (Mailgun `user-variables`, SendGrid custom arguments, Postmark `Metadata`, SES message tags, SparkPost `rcpt_meta`, Mandrill `metadata`) |
//! | `labels` | the service's tags or categories, as given (a list, or SendGrid's and Postmark's single string) |
//! | `campaign` | the service's own campaign field (SparkPost `campaign_id`, SendGrid `marketing_campaign_name`) |
//! | `subaccount` | the service's subaccount (SparkPost `subaccount_id`, Mandrill `subaccount`) |
//! | `header.<name>` | a header of the original message as the service reports it (SES `mail.headers`), by lower-cased name; a repeated header is a list |
//!
//! Bounds: a value whose JSON text is over [`MAX_VALUE`] bytes becomes a string of its first
//! bytes ending in [`CUT_MARK`]; a key over [`MAX_KEY`] bytes is shortened the same way; an
//! event keeps at most [`MAX_ENTRIES`] tags of the open namespaces (`meta.`, `header.`; the
//! fixed names `labels`, `campaign` and `subaccount` are always kept), and says how many it
//! left out in the tag [`LEFT_OUT`]. Each of these marks the event `truncated: ["tags"]`. Nothing is dropped
//! without saying so.

use crate::evidence::Evidence;
use rebound_core::Truncation;
use serde_json::Value;
use std::collections::BTreeMap;

/// The most bytes of JSON text one tag value keeps.
pub const MAX_VALUE: usize = 1024;

/// The most bytes of one tag key.
pub const MAX_KEY: usize = 128;

/// The most tags of the open namespaces (`meta.`, `header.`) one event keeps.
pub const MAX_ENTRIES: usize = 64;

/// The end of a value or key that was shortened.
pub const CUT_MARK: &str = "…[cut]";

/// The tag that counts the metadata entries an event left out (beyond [`MAX_ENTRIES`]).
pub const LEFT_OUT: &str = "tags_left_out";

/// The namespace of the sender's own key/value metadata.
pub const META: &str = "meta.";

/// The namespace of the original message's headers.
pub const HEADER: &str = "header.";

/// The metadata of one event, gathered under the bounds, then put into its evidence.
#[derive(Debug, Default)]
pub struct Meta {
    tags: BTreeMap<String, Value>,
    /// Tags of the open namespaces (`meta.`, `header.`), the ones [`MAX_ENTRIES`] counts.
    namespaced: usize,
    left_out: u64,
    cut: bool,
}

impl Meta {
    /// Adds one tag (a later value of the same key replaces the earlier).
    pub fn put(&mut self, key: &str, value: &Value) {
        let key = if key.len() > MAX_KEY {
            self.cut = true;
            shorten(key, MAX_KEY)
        } else {
            key.to_string()
        };
        // The fixed names (`labels`, `campaign`, `subaccount`) are few; only the open
        // namespaces can grow without end, so only they count against the limit, and a
        // sender's many keys cannot crowd out the service's labels.
        let open = key.starts_with(META) || key.starts_with(HEADER);
        if open && !self.tags.contains_key(&key) {
            if self.namespaced >= MAX_ENTRIES {
                self.left_out += 1;
                return;
            }
            self.namespaced += 1;
        }
        let value = self.bounded(value);
        self.tags.insert(key, value);
    }

    /// Adds each entry of a key/value object as `meta.<key>`; anything but an object (a
    /// service that sent a list or a string where an object belongs) is kept whole as
    /// `meta.` with an empty key, not dropped.
    pub fn user(&mut self, metadata: Option<&Value>) {
        match metadata {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (k, v) in map {
                    self.put(&format!("{META}{k}"), v);
                }
            }
            Some(other) => self.put(META, other),
        }
    }

    /// Adds a tag when the service gave the field (a `null` field is left out: the service
    /// said nothing).
    pub fn field(&mut self, key: &str, value: Option<&Value>) {
        if let Some(v) = value.filter(|v| !v.is_null()) {
            self.put(key, v);
        }
    }

    /// Adds headers given as `[{"name": …, "value": …}]` (SES `mail.headers`) as
    /// `header.<lower-cased name>`: a string, or a list of strings for a repeated header.
    /// An entry without a string name or value is skipped (it names no header).
    pub fn headers(&mut self, headers: Option<&Value>) {
        let Some(Value::Array(list)) = headers else {
            return;
        };
        let mut by_name: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for h in list {
            if let (Some(name), Some(value)) = (
                h.get("name").and_then(Value::as_str),
                h.get("value").and_then(Value::as_str),
            ) {
                by_name
                    .entry(name.trim().to_ascii_lowercase())
                    .or_default()
                    .push(Value::String(value.to_string()));
            }
        }
        for (name, mut values) in by_name {
            let value = if values.len() == 1 {
                values.swap_remove(0)
            } else {
                Value::Array(values)
            };
            self.put(&format!("{HEADER}{name}"), &value);
        }
    }

    /// Puts the tags into one piece of evidence, marking it when something was cut.
    pub fn apply_one(&self, f: &mut Evidence) {
        for (k, v) in &self.tags {
            f.metadata.insert(k.clone(), v.clone());
        }
        if self.left_out > 0 {
            f.metadata
                .insert(LEFT_OUT.into(), Value::from(self.left_out));
        }
        if self.cut || self.left_out > 0 {
            f.truncated.push(Truncation::Tags);
            f.truncated.sort_unstable();
            f.truncated.dedup();
        }
    }

    /// The value within [`MAX_VALUE`]: itself, or its text shortened and marked.
    fn bounded(&mut self, value: &Value) -> Value {
        let text = match value {
            Value::String(s) if s.len() <= MAX_VALUE => return value.clone(),
            Value::String(s) => s.clone(),
            other => {
                let json = other.to_string();
                if json.len() <= MAX_VALUE {
                    return value.clone();
                }
                json
            }
        };
        self.cut = true;
        Value::String(shorten(&text, MAX_VALUE))
    }
}

/// The first bytes of `s` (at most `max` with the mark, cut at a character boundary) followed
/// by [`CUT_MARK`].
fn shorten(s: &str, max: usize) -> String {
    let mut end = max.saturating_sub(CUT_MARK.len()).min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{CUT_MARK}", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn applied(meta: Meta) -> Evidence {
        let mut f = Evidence::default();
        meta.apply_one(&mut f);
        f
    }

    #[test]
    fn values_keep_their_type() {
        let mut m = Meta::default();
        m.user(Some(
            &json!({"user_id": 111, "vip": true, "lead_source": "fair", "n": null}),
        ));
        m.field("labels", Some(&json!(["a", "b"])));
        m.field("campaign", Some(&Value::Null));
        let f = applied(m);
        assert_eq!(f.metadata["meta.user_id"], json!(111));
        assert_eq!(f.metadata["meta.vip"], json!(true));
        assert_eq!(f.metadata["meta.lead_source"], json!("fair"));
        assert_eq!(f.metadata["meta.n"], Value::Null);
        assert_eq!(f.metadata["labels"], json!(["a", "b"]));
        assert!(!f.metadata.contains_key("campaign"));
        assert!(f.truncated.is_empty());
    }

    #[test]
    fn odd_metadata_is_kept_not_dropped() {
        let mut m = Meta::default();
        m.user(Some(&json!(["not", "an", "object"])));
        let f = applied(m);
        assert_eq!(f.metadata["meta."], json!(["not", "an", "object"]));
    }

    #[test]
    fn oversize_values_and_keys_are_cut_and_marked() {
        let mut m = Meta::default();
        let long = "é".repeat(MAX_VALUE);
        m.put("meta.long", &json!(long));
        m.put("meta.big", &json!({"list": vec![1; MAX_VALUE]}));
        m.put(&"k".repeat(MAX_KEY + 10), &json!(1));
        let f = applied(m);
        let cut = f.metadata["meta.long"].as_str().unwrap();
        assert!(cut.len() <= MAX_VALUE && cut.ends_with(CUT_MARK), "{cut}");
        assert!(cut.starts_with("éé"));
        let big = f.metadata["meta.big"].as_str().unwrap();
        assert!(big.starts_with("{\"list\":[1,1") && big.ends_with(CUT_MARK));
        let key = format!("{}{CUT_MARK}", "k".repeat(MAX_KEY - CUT_MARK.len()));
        assert_eq!(f.metadata[&key], json!(1));
        assert_eq!(f.truncated, vec![Truncation::Tags]);
    }

    #[test]
    fn entries_past_the_limit_are_counted() {
        let mut m = Meta::default();
        let many: serde_json::Map<String, Value> = (0..MAX_ENTRIES + 5)
            .map(|i| (format!("k{i:03}"), json!(i)))
            .collect();
        m.user(Some(&Value::Object(many)));
        let f = applied(m);
        assert_eq!(f.metadata.len(), MAX_ENTRIES + 1);
        assert_eq!(f.metadata[LEFT_OUT], json!(5));
        assert_eq!(f.truncated, vec![Truncation::Tags]);
    }

    #[test]
    fn headers_by_lower_cased_name() {
        let mut m = Meta::default();
        m.headers(Some(&json!([
            {"name": "X-Lead-Source", "value": "fair"},
            {"name": "Received", "value": "a"},
            {"name": "received", "value": "b"},
            {"name": 7, "value": "no name"},
        ])));
        let f = applied(m);
        assert_eq!(f.metadata["header.x-lead-source"], json!("fair"));
        assert_eq!(f.metadata["header.received"], json!(["a", "b"]));
        assert_eq!(f.metadata.len(), 2);
    }
}
