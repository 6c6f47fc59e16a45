//! The service's configuration (`rebound serve --config FILE`): TOML, every key optional with
//! the documented default of [`DEFAULT_TOML`] (`rebound serve --print-config` prints it). A
//! webhook receiver exists only when its `[webhooks.SERVICE]` table is present.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The defaults, documented key by key, as `rebound serve --print-config` prints them. A test
/// checks that this text parses to [`Config::default`], so the two cannot drift.
pub const DEFAULT_TOML: &str = r#"# rebound serve: configuration. Every key is optional; these are the defaults.

# Where to listen. Only the loopback interface unless you say otherwise (`0.0.0.0:8025`).
listen = "127.0.0.1:8025"

# The store: an SQLite file or a PostgreSQL URL (several servers may share one PostgreSQL).
# Unset: --db, else $REBOUND_DB, else ~/.local/share/rebound/rebound.db.
# db = "postgres://rebound@127.0.0.1:5432/rebound"

# The suppression policy file (TOML, as `rebound suppressions policy` prints it). Unset: the
# built-in policy.
# policy = "/etc/rebound/policy.toml"

# The largest request body read, in bytes; a larger one is answered 413 without being read.
max_body = 10485760

# Seconds a request (headers, body and answer) may take; a slower client gets 408.
request_timeout = 30

# Reading store connections (requests waiting for the store queue for one of these); events
# are written by one writer per server, which commits the requests waiting together at once.
store_connections = 4

# The header of a returned message (and the tag of an event) naming its lead source.
source_header = "X-Lead-Source"

# Metadata keys of an email service's events that may name the lead source, tried in order
# before the header (each as the event's tag of that name, then as `meta.<key>`; see
# docs/tags.md), as `rebound ingest --source-tag`. Example: ["lead_source", "list"].
source_tags = []

# When neither a tag nor the header names an event's lead source: take the source of the send
# it answers, among the sends the store keeps (`rebound sends import`, deliveries recorded with
# a source), by Message-ID, then by recipient address. As `rebound ingest` (--no-send-list).
send_list = true

# Seconds a signed webhook's timestamp may be old (Mailgun) before it is refused as a replay.
replay_window = 300

# Webhook receivers: each exists only when its table is present (otherwise: 404).
#
# [webhooks.mailgun]
# signing_key = "key-from-the-mailgun-dashboard"        # HTTP webhook signing key
#
# [webhooks.sendgrid]
# public_key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE..."  # Signed Event Webhook key (base64 DER)
#
# [webhooks.ses]
# certificates = ["/etc/rebound/SimpleNotificationService-xxxx.pem"]  # SNS signing certificates
# topics = ["arn:aws:sns:us-east-1:123456789012:ses-bounces"]         # accepted topic ARNs
# confirm_subscriptions = false                         # not supported yet: must stay false
#
# [webhooks.mandrill]
# key = "webhook-key-from-mandrill"
# url = "https://bounces.example.com/webhooks/mandrill"  # the URL exactly as given to Mandrill
#
# [webhooks.postmark]
# username = "postmark"
# password = "a-long-random-password"
#
# [webhooks.sparkpost]
# username = "sparkpost"
# password = "a-long-random-password"
"#;

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not TOML, or a key of the wrong type or unknown.
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    /// A value that parses but cannot work.
    #[error("{0}")]
    Invalid(String),
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The store location (`--db` wins).
    pub db: Option<String>,
    /// The suppression policy file.
    pub policy: Option<PathBuf>,
    /// The largest request body, bytes.
    pub max_body: usize,
    /// Seconds per request.
    pub request_timeout: u64,
    /// Store connections.
    pub store_connections: usize,
    /// The lead-source header.
    pub source_header: String,
    /// Metadata keys naming the lead source, tried in order before the header.
    pub source_tags: Vec<String>,
    /// Whether the send list is the last step of choosing a lead source.
    pub send_list: bool,
    /// Seconds a signed timestamp may be old.
    pub replay_window: u64,
    /// The webhook receivers.
    pub webhooks: Webhooks,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8025)),
            db: None,
            policy: None,
            max_body: 10 * 1024 * 1024,
            request_timeout: 30,
            store_connections: 4,
            source_header: "X-Lead-Source".into(),
            source_tags: Vec::new(),
            send_list: true,
            replay_window: 300,
            webhooks: Webhooks::default(),
        }
    }
}

impl Config {
    /// Reads a configuration; absent keys keep their defaults, unknown keys are refused.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text)?;
        config.check()?;
        Ok(config)
    }

    /// Refuses values that parse but cannot work.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.max_body == 0 {
            return Err(ConfigError::Invalid("max_body must be above 0".into()));
        }
        if self.request_timeout == 0 {
            return Err(ConfigError::Invalid(
                "request_timeout must be above 0".into(),
            ));
        }
        if self.store_connections == 0 {
            return Err(ConfigError::Invalid(
                "store_connections must be above 0".into(),
            ));
        }
        if let Some(ses) = &self.webhooks.ses {
            if ses.confirm_subscriptions {
                return Err(ConfigError::Invalid(
                    "[webhooks.ses] confirm_subscriptions = true is not supported yet: the \
                     subscription URL is logged for a person to open"
                        .into(),
                ));
            }
            if ses.certificates.is_empty() {
                return Err(ConfigError::Invalid(
                    "[webhooks.ses] certificates is empty: name the SNS signing certificate(s)"
                        .into(),
                ));
            }
            if ses.topics.is_empty() {
                return Err(ConfigError::Invalid(
                    "[webhooks.ses] topics is empty: name the topic ARN(s) to accept".into(),
                ));
            }
        }
        for (name, basic) in [
            ("postmark", &self.webhooks.postmark),
            ("sparkpost", &self.webhooks.sparkpost),
        ] {
            if let Some(b) = basic
                && (b.username.is_empty() || b.password.is_empty())
            {
                return Err(ConfigError::Invalid(format!(
                    "[webhooks.{name}] needs a username and a password"
                )));
            }
        }
        Ok(())
    }
}

/// The webhook receivers' settings; `None`: the receiver answers 404.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Webhooks {
    /// Mailgun.
    pub mailgun: Option<Mailgun>,
    /// SendGrid.
    pub sendgrid: Option<SendGrid>,
    /// Amazon SES through SNS.
    pub ses: Option<Ses>,
    /// Mandrill.
    pub mandrill: Option<Mandrill>,
    /// Postmark.
    pub postmark: Option<Basic>,
    /// SparkPost.
    pub sparkpost: Option<Basic>,
}

/// `[webhooks.mailgun]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mailgun {
    /// The HTTP webhook signing key.
    pub signing_key: String,
}

/// `[webhooks.sendgrid]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendGrid {
    /// The Signed Event Webhook's verification key: base64 of the DER public key.
    pub public_key: String,
}

/// `[webhooks.ses]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ses {
    /// PEM files of SNS signing certificates; a message's `SigningCertURL` must end in the
    /// name of one of them.
    pub certificates: Vec<PathBuf>,
    /// The topic ARNs accepted.
    pub topics: Vec<String>,
    /// Confirm subscriptions by fetching their URL (not supported yet; must be false).
    #[serde(default)]
    pub confirm_subscriptions: bool,
}

/// `[webhooks.mandrill]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mandrill {
    /// The webhook's key.
    pub key: String,
    /// The webhook's URL exactly as registered with Mandrill (it is signed).
    pub url: String,
}

/// HTTP Basic credentials (`[webhooks.postmark]`, `[webhooks.sparkpost]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Basic {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_printed_defaults_are_the_defaults() {
        assert_eq!(Config::from_toml(DEFAULT_TOML).unwrap(), Config::default());
    }

    #[test]
    fn the_commented_receivers_parse_when_uncommented() {
        let text: String = DEFAULT_TOML
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|l| l.starts_with('[') || l.contains(" = "))
                    .unwrap_or(l)
            })
            .filter(|l| !l.starts_with("db =") && !l.starts_with("policy ="))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
            .replace("confirm_subscriptions = false", "");
        let c = Config::from_toml(&text).unwrap();
        assert!(c.webhooks.mailgun.is_some() && c.webhooks.sparkpost.is_some());
        assert_eq!(c.webhooks.ses.unwrap().topics.len(), 1);
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = Config::from_toml("max_body = \"big\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("max_body"), "{e}");
        let e = Config::from_toml("listen = \"nowhere\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("listen"), "{e}");
        let e = Config::from_toml("lisen = \"127.0.0.1:1\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("lisen"), "{e}");
        let e = Config::from_toml("[webhooks.postmark]\nusername = \"u\"\npassword = \"\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("postmark"), "{e}");
    }
}
