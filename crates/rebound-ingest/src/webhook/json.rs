//! Defensive JSON for webhook bodies: size and nesting limits checked before parsing, and
//! typed field access that names the field and the type it should have when a payload is
//! wrong, instead of silently reading nothing. Also the `application/x-www-form-urlencoded`
//! decoding Mandrill's `mandrill_events=` body needs.

use super::WebhookError;
use serde_json::{Map, Value};

/// The largest body accepted (16 MiB; real batches are far smaller).
pub const MAX_BODY: usize = 16 << 20;

/// The deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 64;

/// The most events read from one body.
pub const MAX_EVENTS: usize = 100_000;

/// Parses a body within the limits.
pub fn parse(body: &[u8]) -> Result<Value, WebhookError> {
    if body.len() > MAX_BODY {
        return Err(WebhookError::TooLarge(body.len()));
    }
    check_depth(body)?;
    serde_json::from_slice(body).map_err(|e| WebhookError::Json(e.to_string()))
}

/// Fails when arrays and objects nest deeper than [`MAX_DEPTH`] (strings are skipped).
fn check_depth(body: &[u8]) -> Result<(), WebhookError> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in body {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(WebhookError::TooDeep);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Typed access to one JSON object of a provider's payload.
#[derive(Clone, Copy)]
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    provider: &'static str,
}

impl<'a> Obj<'a> {
    /// `value` as an object, or a type error naming `what`.
    pub fn of(
        value: &'a Value,
        provider: &'static str,
        what: &str,
    ) -> Result<Obj<'a>, WebhookError> {
        value
            .as_object()
            .map(|map| Obj { map, provider })
            .ok_or_else(|| wrong(provider, what, "an object"))
    }

    /// Every key and value of the object, in key order.
    pub fn entries(&self) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The raw value of `key`, if present and not null.
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A string field (absent, null or empty: `None`).
    pub fn str(&self, key: &str) -> Result<Option<&'a str>, WebhookError> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.is_empty())),
            Some(_) => Err(wrong(self.provider, key, "a string")),
        }
    }

    /// A required string field.
    pub fn req_str(&self, key: &str) -> Result<&'a str, WebhookError> {
        self.str(key)?.ok_or_else(|| WebhookError::Missing {
            provider: self.provider,
            field: key.to_string(),
        })
    }

    /// A time: Unix seconds as a number or numeric string (`1521233195.375`, `"1464824548"`;
    /// milliseconds from 10^11 up), or an RFC 3339 string; `None` when absent or unreadable.
    pub fn time(&self, key: &str) -> Result<Option<jiff::Timestamp>, WebhookError> {
        match self.raw(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v @ Value::Number(_)) => Ok(crate::time::unix_json(v)),
            Some(Value::String(s)) => {
                Ok(crate::time::unix_text(s).or_else(|| crate::time::rfc3339(s)))
            }
            Some(_) => Err(wrong(self.provider, key, "a time")),
        }
    }

    /// A number, or a string holding one (`"550"`, `"1464824548"`).
    pub fn num(&self, key: &str) -> Result<Option<f64>, WebhookError> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .map(Some)
                .map_err(|_| wrong(self.provider, key, "a number")),
            Some(_) => Err(wrong(self.provider, key, "a number")),
        }
    }

    /// A nested object field.
    pub fn obj(&self, key: &str) -> Result<Option<Obj<'a>>, WebhookError> {
        self.raw(key)
            .map(|v| Obj::of(v, self.provider, key))
            .transpose()
    }

    /// A required nested object field.
    pub fn req_obj(&self, key: &str) -> Result<Obj<'a>, WebhookError> {
        self.obj(key)?.ok_or_else(|| WebhookError::Missing {
            provider: self.provider,
            field: key.to_string(),
        })
    }

    /// An array field (absent: empty).
    pub fn arr(&self, key: &str) -> Result<&'a [Value], WebhookError> {
        match self.raw(key) {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a.as_slice()),
            Some(_) => Err(wrong(self.provider, key, "an array")),
        }
    }

    /// Whether the object has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }
}

/// A type error.
pub fn wrong(provider: &'static str, field: &str, expected: &'static str) -> WebhookError {
    WebhookError::WrongType {
        provider,
        field: field.to_string(),
        expected,
    }
}

/// The value of `name` in a form-encoded body (`a=1&b=%7B…`), decoded.
pub fn form_field(body: &[u8], name: &str) -> Option<Vec<u8>> {
    body.split(|&b| b == b'&').find_map(|pair| {
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        (percent_decode(k) == name.as_bytes()).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < s.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(s[i + 1]), hex(s[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_forms() {
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(matches!(parse(deep.as_bytes()), Err(WebhookError::TooDeep)));
        assert!(parse(b"[\"[[[[[[[[\"]").is_ok());
        assert_eq!(
            form_field(
                b"x=1&mandrill_events=%5B%7B%22a%22%3A+1%7D%5D",
                "mandrill_events"
            )
            .as_deref(),
            Some(&b"[{\"a\": 1}]"[..])
        );
        assert_eq!(percent_decode(b"%4"), b"%4");
    }
}
