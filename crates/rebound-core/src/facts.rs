//! What an input states besides the server's reply: the kind of report ([`SourceKind`]), the
//! reader that recognised its format ([`Reader`]), the DSN action ([`DsnAction`]), the
//! diagnostic type, the producer's own class of the outcome and a complaint's feedback type,
//! gathered in [`Facts`]. Rules may name any of them (see [`crate::rules`]), so what a report
//! states — "this is a feedback report", "the message was delivered", "SES suppressed the
//! address" — becomes a verdict through a rule like any reply text, never through code.

use crate::taxonomy::named_enum;

named_enum! {
    /// The kind of input an event was read from (`source.kind` of the event).
    #[non_exhaustive]
    SourceKind {
        Dsn = "dsn": "an RFC 3464 / RFC 6533 delivery status notification",
        Arf = "arf": "an RFC 5965 feedback (complaint) report, or a provider's complaint format",
        AutoReply = "autoreply": "an automatic reply (RFC 3834): vacation, out of office",
        Mail = "mail": "a bounce email in a non-standard format, read from its text",
        Log = "log": "a line or record of an MTA's log",
        Webhook = "webhook": "an email service's webhook event",
        Reply = "reply": "the text of one SMTP reply, given alone",
    }
}

named_enum! {
    /// What the reporting MTA did with the message for one recipient (RFC 3464 2.3.3).
    #[non_exhaustive]
    DsnAction {
        Failed = "failed": "the message could not be delivered",
        Delayed = "delayed": "delivery has not succeeded yet; the MTA keeps trying",
        Delivered = "delivered": "the message was delivered",
        Relayed = "relayed": "the message was passed on to a system that sends no DSN",
        Expanded = "expanded": "the message was delivered to an alias or list, which expanded it",
    }
}

impl DsnAction {
    /// The action of an `Action` field's value: its first word, any case
    /// (`Failed`, `failed (bad address)`); `None` for a value RFC 3464 does not define.
    pub fn from_field(value: &str) -> Option<DsnAction> {
        let word = value
            .trim()
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()?;
        DsnAction::ALL
            .iter()
            .copied()
            .find(|a| a.as_str().eq_ignore_ascii_case(word))
    }

    /// The action a failure of status class `class` means: `delayed` for 4, else `failed`.
    pub fn for_class(class: u8) -> DsnAction {
        if class == 4 {
            DsnAction::Delayed
        } else {
            DsnAction::Failed
        }
    }
}

named_enum! {
    /// The reader that recognised an input's format (`source.reader` of the event).
    #[non_exhaustive]
    Reader {
        Dsn = "dsn": "RFC 3464 / RFC 6533 delivery status notifications",
        Arf = "arf": "RFC 5965 feedback reports",
        AutoReply = "autoreply": "automatic replies (RFC 3834)",
        Text = "text": "the generic reader of bounce prose",
        None = "none": "no reader recognised the message as a bounce",
        ActiveHunter = "activehunter": "the TransWARE Active!hunter notice",
        AmazonSes = "amazonses": "Amazon SES notifications sent as email",
        Au = "au": "au by KDDI's notice",
        Biglobe = "biglobe": "BIGLOBE's notice",
        Exim = "exim": "Exim: its bounce message or its main log",
        Ezweb = "ezweb": "EZweb (au) mobile notices",
        Fml = "fml": "fml mailing-list error notices",
        GoogleGroups = "googlegroups": "Google Groups' delivery failure notice",
        Notes = "notes": "IBM/HCL Notes (Domino) notices",
        Qmail = "qmail": "qmail and its descendants",
        TrendMicro = "trendmicro": "Trend Micro InterScan MSS notices",
        Postfix = "postfix": "Postfix's log (syslog)",
        Sendmail = "sendmail": "Sendmail's log (syslog)",
        OpenSmtpd = "opensmtpd": "OpenSMTPD's log (syslog)",
        KumoMta = "kumomta": "KumoMTA's JSON log records",
        PowerMta = "powermta": "PowerMTA's accounting CSV",
        Ses = "ses": "Amazon SES webhook notifications (SNS, event publishing)",
        SendGrid = "sendgrid": "SendGrid's event webhook",
        Mailgun = "mailgun": "Mailgun's webhooks",
        Postmark = "postmark": "Postmark's bounce webhook",
        SparkPost = "sparkpost": "SparkPost's event webhook",
        Mandrill = "mandrill": "Mandrill's (Mailchimp Transactional) webhook",
    }
}

named_enum! {
    /// A limit that dropped evidence while an input was read (`truncated` of the event). The
    /// limits keep hostile input cheap; each one that cut something is named on the event,
    /// so that a verdict read from part of a bounce is never mistaken for one read from all
    /// of it.
    #[non_exhaustive]
    Truncation {
        MimeDepth = "mime-depth": "MIME parts nested deeper than the walk's limit were not read",
        MimeParts = "mime-parts": "MIME parts after the walk's limit on their number were not read",
        Text = "text": "the human-readable text beyond its size limit was not read",
        Recipients = "recipients": "recipients beyond the limit on one message's recipients were not read",
        ReplyText = "reply-text": "the rules read only the first part of a very long reply text",
        Deferrals = "deferrals": "a log reader kept the deferrals of only the first recipients of a message",
        Tags = "tags": "metadata beyond the tag limits was cut: a long value shortened (marked), entries past the limit on their number left out",
    }
}

/// What an input states about one recipient besides the reply, as rules read it. Every field
/// is optional: a reply given alone has none of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts<'a> {
    /// The kind of input.
    pub kind: Option<SourceKind>,
    /// The reader that recognised it.
    pub reader: Option<Reader>,
    /// The DSN action (or what the format says instead).
    pub dsn_action: Option<DsnAction>,
    /// The DSN diagnostic type, lower case: `smtp` for a server's reply, `x-unix` or
    /// `x-postfix` for what a local program or the MTA itself said (RFC 3464 2.3.6).
    pub diagnostic_type: Option<&'a str>,
    /// The producer's own class of the outcome: a webhook provider's
    /// (`Permanent/Suppressed`, `dropped/Bounced Address`), or an MTA log's verdict
    /// (`expired`).
    pub class: Option<&'a str>,
    /// A complaint's feedback type (RFC 5965 3.1: `abuse`, `fraud`, …, or the provider's).
    pub feedback_type: Option<&'a str>,
}

/// [`Facts`] that own their strings: a rule example's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnedFacts {
    /// See [`Facts::kind`].
    pub kind: Option<SourceKind>,
    /// See [`Facts::reader`].
    pub reader: Option<Reader>,
    /// See [`Facts::dsn_action`].
    pub dsn_action: Option<DsnAction>,
    /// See [`Facts::diagnostic_type`].
    pub diagnostic_type: Option<String>,
    /// See [`Facts::class`].
    pub class: Option<String>,
    /// See [`Facts::feedback_type`].
    pub feedback_type: Option<String>,
}

impl OwnedFacts {
    /// The facts, borrowed.
    pub fn as_facts(&self) -> Facts<'_> {
        Facts {
            kind: self.kind,
            reader: self.reader,
            dsn_action: self.dsn_action,
            diagnostic_type: self.diagnostic_type.as_deref(),
            class: self.class.as_deref(),
            feedback_type: self.feedback_type.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_read_from_fields_as_written() {
        assert_eq!(DsnAction::from_field("Failed"), Some(DsnAction::Failed));
        assert_eq!(
            DsnAction::from_field(" delayed (retrying)"),
            Some(DsnAction::Delayed)
        );
        assert_eq!(
            DsnAction::from_field("DELIVERED"),
            Some(DsnAction::Delivered)
        );
        assert_eq!(DsnAction::from_field("bounced"), None);
        assert_eq!(DsnAction::from_field(""), None);
    }

    #[test]
    fn names_round_trip() {
        for r in Reader::ALL {
            assert_eq!(r.as_str().parse::<Reader>(), Ok(*r));
        }
        for k in SourceKind::ALL {
            assert_eq!(k.as_str().parse::<SourceKind>(), Ok(*k));
        }
    }
}
