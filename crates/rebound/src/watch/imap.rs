//! The IMAP side of `rebound watch`, on the maintained `imap` crate (3.x, over our own
//! [`Stream`]): log in, SELECT the folder, compare UIDVALIDITY with the store's, fetch the
//! messages not yet processed (BODY.PEEK[], so nothing is marked \Seen before it is stored),
//! store them, then move them (UID MOVE; else UID COPY, \Deleted and UID EXPUNGE of those
//! UIDs), flag them (\Seen and the keyword `$Rebound` when PERMANENTFLAGS allows it) or delete
//! them; then IDLE (when offered) or sleep, and again.
//!
//! Which messages are left: with `--processed-folder` or `--delete`, every message of the
//! folder not flagged \Deleted (processed ones leave it); when flagging with the keyword, those without
//! `$Rebound`; when flagging without it (a server that refuses keywords), every message, the
//! store's records telling which were stored. A message recorded in the store but still in
//! the folder unmarked (the watcher died between commit and mark) is marked without being
//! read again.

use super::net::Stream;
use super::{BATCH, Disposal, Fetched, PassError, Settings, Sink};
use anyhow::{Context, anyhow};
use imap::types::Flag;
use std::collections::HashSet;

/// The keyword that marks a processed message when the server allows keywords.
pub const KEYWORD: &str = "$Rebound";

type Session = imap::Session<Stream>;

/// Classifies an IMAP error: the connection's failures are [`PassError::Network`].
fn classify(e: imap::Error, doing: &str) -> PassError {
    let network = matches!(
        e,
        imap::Error::Io(_)
            | imap::Error::ConnectionLost
            | imap::Error::Bye(_)
            | imap::Error::TagMismatch(_)
    );
    let e = anyhow!(e).context(doing.to_string());
    if network {
        PassError::Network(e)
    } else {
        PassError::Fatal(e)
    }
}

/// Connects and logs in.
fn login(settings: &Settings) -> Result<Session, PassError> {
    let url = &settings.url;
    let stream = super::connect(settings)?;
    let mut client = imap::Client::new(stream);
    client
        .read_greeting()
        .map_err(|e| classify(e, "reading the server's greeting"))?;
    client
        .login(&url.user, &settings.password)
        .map_err(|(e, _)| match e {
            imap::Error::No(no) => PassError::Fatal(anyhow!(
                "{url}: the server refused the login of {}: {}",
                url.user,
                no.information
            )),
            e => classify(e, "logging in"),
        })
}

/// How processed messages are disposed of in this folder.
struct Plan {
    disposal: Disposal,
    keyword: bool,
    move_cmd: bool,
    uidplus: bool,
}

/// Watches the folder: passes until `--once` is done, or for ever.
pub fn watch(
    settings: &Settings,
    sink: &mut Sink<'_>,
    backoff: &mut std::time::Duration,
) -> Result<(), PassError> {
    let mut session = login(settings)?;
    *backoff = std::time::Duration::from_secs(1);
    let caps = session
        .capabilities()
        .map_err(|e| classify(e, "asking the server's capabilities"))?;
    let idle = caps.has_str("IDLE");
    let move_cmd = caps.has_str("MOVE");
    let uidplus = caps.has_str("UIDPLUS");
    drop(caps);
    if let Some(folder) = &settings.processed_folder {
        ensure_folder(&mut session, folder)?;
    }
    loop {
        pass(settings, sink, &mut session, move_cmd, uidplus)?;
        if settings.once {
            let _ = session.logout();
            return Ok(());
        }
        if idle {
            let mut handle = session.idle();
            // Back after --interval at the latest (keepalive would re-issue IDLE itself and
            // never return on a quiet folder), for a pass that also finds what IDLE missed.
            handle.timeout(settings.interval).keepalive(false);
            handle
                .wait_while(imap::extensions::idle::stop_on_any)
                .map_err(|e| classify(e, "waiting (IDLE) for new messages"))?;
        } else {
            std::thread::sleep(settings.interval);
            session
                .noop()
                .map_err(|e| classify(e, "polling the folder"))?;
        }
        // Untagged responses seen while waiting are not needed: each pass searches anew.
        let _ = session.take_all_unsolicited().count();
    }
}

/// Creates `folder` when the server has none of that name.
fn ensure_folder(session: &mut Session, folder: &str) -> Result<(), PassError> {
    let pattern = format!("\"{}\"", folder.replace('\\', "\\\\").replace('"', "\\\""));
    let names = session
        .list(Some(""), Some(&pattern))
        .map_err(|e| classify(e, "listing folders"))?;
    if names.iter().any(|n| n.name() == folder) {
        return Ok(());
    }
    session
        .create(folder)
        .map_err(|e| classify(e, &format!("creating the --processed-folder {folder:?}")))?;
    eprintln!("rebound: created the folder {folder:?} for processed messages");
    Ok(())
}

/// One pass over the folder.
fn pass(
    settings: &Settings,
    sink: &mut Sink<'_>,
    session: &mut Session,
    move_cmd: bool,
    uidplus: bool,
) -> Result<(), PassError> {
    let url = &settings.url;
    let mailbox = session.select(&url.folder).map_err(|e| match e {
        imap::Error::No(no) => PassError::Fatal(anyhow!(
            "{url}: cannot open the folder {:?}: {}",
            url.folder,
            no.information
        )),
        e => classify(e, "opening the folder"),
    })?;
    let validity = mailbox
        .uid_validity
        .ok_or_else(|| PassError::Fatal(anyhow!("{url}: the server gave no UIDVALIDITY")))?;
    sink.validity(i64::from(validity))?;
    let keyword = mailbox
        .permanent_flags
        .iter()
        .any(|f| *f == Flag::MayCreate || *f == Flag::Custom(KEYWORD.into()));
    let plan = Plan {
        disposal: if settings.delete {
            Disposal::Deleted
        } else if settings.processed_folder.is_some() {
            Disposal::Moved
        } else {
            Disposal::Flagged
        },
        keyword,
        move_cmd,
        uidplus,
    };
    let flagging = plan.disposal == Disposal::Flagged;
    let query = if flagging && keyword {
        format!("NOT KEYWORD {KEYWORD}")
    } else if flagging {
        "ALL".to_string()
    } else {
        // Moved or deleted: a message flagged \Deleted but not expunged (a server without
        // UIDPLUS) is gone for us, and must not be copied again.
        "UNDELETED".to_string()
    };
    let mut left: Vec<u32> = session
        .uid_search(&query)
        .map_err(|e| classify(e, "searching the folder"))?
        .into_iter()
        .collect();
    left.sort_unstable();
    let recorded = sink.recorded()?;
    if !query.starts_with("NOT") {
        // Records of messages that left the folder (moved, deleted) are no longer needed.
        let present: HashSet<String> = left.iter().map(u32::to_string).collect();
        let gone: Vec<String> = recorded
            .iter()
            .filter(|id| !present.contains(*id))
            .cloned()
            .collect();
        sink.forget(&gone)?;
    }
    // Recorded but still here: stored by an earlier run that died before marking them.
    let (mut again, mut new): (Vec<u32>, Vec<u32>) = left
        .into_iter()
        .partition(|uid| recorded.contains(&uid.to_string()));
    new.retain(|uid| !sink.unreadable(&uid.to_string()));
    if flagging && !keyword && !again.is_empty() {
        // Without the keyword, only the unseen ones still need their flag.
        let unseen = session
            .uid_search("UNSEEN")
            .map_err(|e| classify(e, "searching the folder"))?;
        again.retain(|uid| unseen.contains(&imap::types::Uid::from(*uid)));
    }
    for chunk in again.chunks(BATCH) {
        dispose(settings, session, &plan, chunk)?;
        let ids: Vec<String> = chunk.iter().map(u32::to_string).collect();
        sink.done(super::Tally::default(), &[], &ids, plan.disposal)?;
    }
    for chunk in new.chunks(BATCH) {
        let (stored, tally) = sink.ingest(fetch(session, chunk)?)?;
        let uids: Vec<u32> = stored
            .iter()
            .filter_map(|(id, _)| id.parse().ok())
            .collect();
        dispose(settings, session, &plan, &uids)?;
        sink.done(tally, &stored, &[], plan.disposal)?;
    }
    Ok(())
}

/// Fetches the messages of `uids` (BODY.PEEK[]: not marking them \Seen).
fn fetch(session: &mut Session, uids: &[u32]) -> Result<Vec<Fetched>, PassError> {
    let set = uid_set(uids);
    let fetches = session
        .uid_fetch(&set, "(UID BODY.PEEK[])")
        .map_err(|e| classify(e, "fetching messages"))?;
    let mut out: Vec<Fetched> = Vec::with_capacity(uids.len());
    let mut seen = HashSet::new();
    for f in fetches.iter() {
        let Some(uid) = f.uid else { continue };
        if !uids.contains(&uid) || !seen.insert(uid) {
            continue;
        }
        let body = f
            .body()
            .map(<[u8]>::to_vec)
            .ok_or_else(|| "the server sent no body".to_string());
        out.push((uid.to_string(), body));
    }
    // A message expunged meanwhile is simply not there; it is not reported.
    Ok(out)
}

/// Moves, flags or deletes the messages of `uids` as the plan says.
fn dispose(
    settings: &Settings,
    session: &mut Session,
    plan: &Plan,
    uids: &[u32],
) -> Result<(), PassError> {
    if uids.is_empty() {
        return Ok(());
    }
    let set = uid_set(uids);
    match plan.disposal {
        Disposal::Moved => {
            let folder = settings
                .processed_folder
                .as_deref()
                .context("no --processed-folder")?;
            if plan.move_cmd {
                session
                    .uid_mv(&set, folder)
                    .map_err(|e| classify(e, &format!("moving messages to {folder:?}")))?;
            } else {
                session
                    .uid_copy(&set, folder)
                    .map_err(|e| classify(e, &format!("copying messages to {folder:?}")))?;
                delete(session, plan, &set)?;
            }
        }
        Disposal::Deleted => delete(session, plan, &set)?,
        Disposal::Flagged | Disposal::Recorded => {
            let flags = if plan.keyword {
                format!("+FLAGS.SILENT (\\Seen {KEYWORD})")
            } else {
                "+FLAGS.SILENT (\\Seen)".to_string()
            };
            session
                .uid_store(&set, &flags)
                .map_err(|e| classify(e, "flagging processed messages"))?;
        }
    }
    Ok(())
}

/// Flags `set` \Deleted and expunges those UIDs only (UID EXPUNGE, UIDPLUS); a server without
/// UIDPLUS keeps them flagged \Deleted (and with the keyword), for its own expunge: a plain
/// EXPUNGE would also remove messages others flagged \Deleted.
fn delete(session: &mut Session, plan: &Plan, set: &str) -> Result<(), PassError> {
    let flags = if plan.keyword {
        format!("+FLAGS.SILENT (\\Deleted \\Seen {KEYWORD})")
    } else {
        "+FLAGS.SILENT (\\Deleted \\Seen)".to_string()
    };
    session
        .uid_store(set, &flags)
        .map_err(|e| classify(e, "flagging messages \\Deleted"))?;
    if plan.uidplus {
        session
            .uid_expunge(set)
            .map_err(|e| classify(e, "expunging processed messages"))?;
    }
    Ok(())
}

/// `1,2,5` of UIDs.
fn uid_set(uids: &[u32]) -> String {
    uids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}
