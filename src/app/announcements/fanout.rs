//! What the `deliver` jobs of a fan-out share, so that 10,000 deliveries
//! do not each do the work of one:
//!
//! - the announcement and a snapshot of its advisory (row, parsed content,
//!   patches), read once per version of the advisory instead of once per
//!   delivery. Every delivery still reads the advisory's version (revision,
//!   last update, number of patches), so an edit, a moved embargo or a new
//!   patch reaches every delivery composed after it, as before;
//! - the deliveries' state changes (`sending` before the message is handed
//!   to the SMTP server, how it ended after), written together: whatever
//!   is waiting goes in one transaction, and each job waits until its own
//!   change is committed. On SQLite, where writers take turns, one commit
//!   for many changes instead of one each is most of the fan-out's speed.
//!   A delivery is still `sending` before its message leaves and `sent`
//!   only after the server accepted it. The transaction that starts a
//!   delivery also reads what may differ between deliveries (the
//!   recipient's current key, whether clear text is still allowed for
//!   them, the advisory's version), so a delivery whose announcement is in
//!   memory needs no connection of its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::db::advisories::{self, AdvisoryRow};
use crate::db::announcements::{self as store, AdvisoryVersion, AnnouncementRow, DeliveryRow};
use crate::db::{Db, DbError, advisory_patches, clear_text, keys};
use crate::domain::advisory::{AdvisoryId, Content};
use crate::domain::announcement::{DeliveryKind, DeliveryState, Purpose};
use crate::jobs::Permanent;
use crate::mail::protected::{Attachments, Wrapping};

/// Announcements kept in memory at most; the least recently used goes.
const KEEP: usize = 8;
/// State changes written per transaction at most.
const MAX_BATCH: usize = 1_000;

/// The shared part of fan-outs in this process. Cheap to clone.
#[derive(Clone)]
pub struct Fanout(Arc<Inner>);

struct Inner {
    db: Db,
    kept: Mutex<Kept>,
    writes: Mutex<Writes>,
    signers: super::signers::Signers,
}

#[derive(Default)]
struct Kept {
    /// Announcement id -> (last use, the announcement).
    entries: HashMap<String, (u64, Arc<Announcement>)>,
    uses: u64,
}

/// An announcement as its deliveries need it; it never changes once written.
pub(super) struct Announcement {
    pub row: AnnouncementRow,
    pub advisory: AdvisoryId,
    pub purpose: Purpose,
    /// The team's template versions when it was made.
    pub templates: crate::app::templates::Snapshot,
    snapshot: Mutex<Option<Arc<Snapshot>>>,
}

/// The advisory as of one version.
pub(super) struct Snapshot {
    version: AdvisoryVersion,
    pub row: AdvisoryRow,
    pub content: Content,
    /// `content` as template context, made once: a copy's context shares
    /// it instead of converting the advisory again.
    pub content_value: minijinja::Value,
    /// The advisory's patches, as the parts of an encrypted message and
    /// of one signed in clear.
    pub encrypted_files: Attachments,
    pub signed_files: Attachments,
}

/// A delivery whose attempt started, with what was read in the same
/// transaction.
pub(super) struct Started {
    pub delivery: DeliveryRow,
    /// The recipient's current key, read for an encrypted delivery; None
    /// when they have no usable key.
    pub key: Option<keys::UsableKey>,
    /// For a clear delivery: whether an admin's allowance still stands.
    /// Withdrawn after the announcement, nothing goes out in clear.
    pub clear_allowed: bool,
    /// The version of the announced advisory; None when it is gone.
    pub version: Option<AdvisoryVersion>,
}

#[derive(Default)]
struct Writes {
    waiting: Vec<Change>,
    writing: bool,
}

enum Change {
    Start {
        id: String,
        now: i64,
        done: oneshot::Sender<Result<Option<Started>, String>>,
    },
    Finish {
        id: String,
        state: DeliveryState,
        answer: String,
        now: i64,
        done: oneshot::Sender<Result<(), String>>,
    },
}

impl std::fmt::Debug for Fanout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fanout").finish_non_exhaustive()
    }
}

impl Fanout {
    pub fn new(db: Db) -> Self {
        Self(Arc::new(Inner {
            db,
            kept: Mutex::new(Kept::default()),
            writes: Mutex::new(Writes::default()),
            signers: Default::default(),
        }))
    }

    /// `f` (signing, encrypting) on the threads kept for it, off the
    /// async threads.
    pub(super) async fn off_thread<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.0.signers.run(f).await
    }

    /// The announcement `id`, read once while it is in use.
    pub(super) async fn announcement(&self, id: &str) -> anyhow::Result<Arc<Announcement>> {
        if let Some(found) = self.kept_entry(id) {
            return Ok(found);
        }
        let mut conn = self.0.db.conn().await?;
        let row = store::get(&mut conn, id)
            .await?
            .ok_or_else(|| Permanent(format!("announcement {id} is gone")))?;
        let advisory = AdvisoryId::parse(&row.advisory_id)
            .map_err(|e| Permanent(format!("announcement names {}: {e}", row.advisory_id)))?;
        let purpose = Purpose::parse(&row.purpose)
            .ok_or_else(|| Permanent(format!("unknown announcement purpose {}", row.purpose)))?;
        let templates = match &row.templates {
            Some(json) => serde_json::from_str(json)
                .map_err(|e| Permanent(format!("announcement {id}: template versions: {e}")))?,
            None => Default::default(),
        };
        let found = Arc::new(Announcement {
            row,
            advisory,
            purpose,
            templates,
            snapshot: Mutex::new(None),
        });
        let mut kept = lock(&self.0.kept);
        if kept.entries.len() >= KEEP
            && let Some(oldest) = kept
                .entries
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| k.clone())
        {
            kept.entries.remove(&oldest);
        }
        kept.uses += 1;
        let used = kept.uses;
        kept.entries.insert(id.to_owned(), (used, found.clone()));
        Ok(found)
    }

    fn kept_entry(&self, id: &str) -> Option<Arc<Announcement>> {
        let mut kept = lock(&self.0.kept);
        kept.uses += 1;
        let used = kept.uses;
        let entry = kept.entries.get_mut(id)?;
        entry.0 = used;
        Some(entry.1.clone())
    }

    /// The advisory of `ann` as of `version` (read when the delivery
    /// started) or newer: its content and patches are read only when the
    /// version is one not seen before.
    pub(super) async fn snapshot(
        &self,
        ann: &Announcement,
        version: Option<AdvisoryVersion>,
    ) -> anyhow::Result<Arc<Snapshot>> {
        let gone = || Permanent(format!("advisory {} is gone", ann.advisory));
        let version = version.ok_or_else(gone)?;
        if let Some(snap) = lock(&ann.snapshot).as_ref()
            && snap.version == version
        {
            return Ok(snap.clone());
        }
        let mut conn = self.0.db.conn().await?;
        let row = advisories::get(&mut conn, &ann.advisory)
            .await?
            .ok_or_else(gone)?;
        let content: Content = serde_json::from_str(&row.content)?;
        let mut files = Vec::new();
        for p in advisory_patches::patches(&mut conn, &ann.advisory).await? {
            if let Some((info, bytes)) =
                advisory_patches::patch_content(&mut conn, &ann.advisory, &p.id).await?
            {
                files.push((info.filename, info.content_type, bytes));
            }
        }
        // The version of what was read, which may be newer than the one
        // asked about: it names these contents.
        let snap = Arc::new(Snapshot {
            version: (row.revision, row.updated_at, files.len() as i64),
            content_value: minijinja::Value::from_serialize(&content),
            content,
            row,
            encrypted_files: Attachments::new(&files, Wrapping::Encrypted),
            signed_files: Attachments::new(&files, Wrapping::SignedOnly),
        });
        *lock(&ann.snapshot) = Some(snap.clone());
        Ok(snap)
    }

    /// Starts an attempt of delivery `id` ([`store::start_attempts`]),
    /// committed with whatever other changes are waiting; None when it is
    /// finished already or unknown.
    pub(super) async fn start(&self, id: &str, now: i64) -> anyhow::Result<Option<Started>> {
        let (done, answer) = oneshot::channel();
        self.queue(Change::Start {
            id: id.to_owned(),
            now,
            done,
        });
        answer
            .await
            .map_err(|_| anyhow::anyhow!("the delivery writer stopped"))?
            .map_err(|e| anyhow::anyhow!("starting delivery {id}: {e}"))
    }

    /// Records how an attempt ended ([`store::finish_each`]), committed
    /// with whatever other changes are waiting.
    pub(super) async fn finish(
        &self,
        id: &str,
        state: DeliveryState,
        answer: String,
        now: i64,
    ) -> anyhow::Result<()> {
        let (done, written) = oneshot::channel();
        self.queue(Change::Finish {
            id: id.to_owned(),
            state,
            answer,
            now,
            done,
        });
        written
            .await
            .map_err(|_| anyhow::anyhow!("the delivery writer stopped"))?
            .map_err(|e| anyhow::anyhow!("recording delivery {id}: {e}"))
    }

    fn queue(&self, change: Change) {
        let mut w = lock(&self.0.writes);
        w.waiting.push(change);
        if !w.writing {
            w.writing = true;
            let writer = Writer {
                fanout: self.clone(),
                idle: false,
            };
            tokio::spawn(writer.run());
        }
    }

    /// One transaction for `batch`: the attempts ended, then those started
    /// with what their messages need.
    async fn write(&self, batch: &[Change]) -> Result<HashMap<String, Started>, DbError> {
        let mut starts = Vec::new();
        let mut started_at = 0;
        let mut ended = Vec::new();
        let mut ended_at = 0;
        for change in batch {
            match change {
                Change::Start { id, now, .. } => {
                    starts.push(id.as_str());
                    started_at = started_at.max(*now);
                }
                Change::Finish {
                    id,
                    state,
                    answer,
                    now,
                    ..
                } => {
                    ended.push((id.as_str(), *state, answer.as_str()));
                    ended_at = ended_at.max(*now);
                }
            }
        }
        let mut tx = self.0.db.begin().await?;
        store::finish_each(&mut tx, &ended, ended_at).await?;
        if starts.is_empty() {
            tx.commit().await?;
            return Ok(HashMap::new());
        }
        let started = store::start_attempts(&mut tx, &starts, started_at).await?;
        let encrypted: Vec<&str> = started
            .iter()
            .filter(|d| d.kind == DeliveryKind::Encrypted.as_str())
            .map(|d| d.account_id.as_str())
            .collect();
        let keys = keys::usable_many(&mut tx, &encrypted, started_at).await?;
        let clear: Vec<&str> = started
            .iter()
            .filter(|d| d.kind == DeliveryKind::Clear.as_str())
            .map(|d| d.account_id.as_str())
            .collect();
        let allowed = match clear.is_empty() {
            true => Default::default(),
            false => clear_text::still_allowed(&mut tx, &clear).await?,
        };
        let mut announcements: Vec<&str> =
            started.iter().map(|d| d.announcement_id.as_str()).collect();
        announcements.sort_unstable();
        announcements.dedup();
        let versions = store::advisory_versions(&mut tx, &announcements).await?;
        tx.commit().await?;
        Ok(started
            .into_iter()
            .map(|delivery| {
                let key = if delivery.kind == DeliveryKind::Encrypted.as_str() {
                    // One account may have several deliveries here.
                    keys.get(&delivery.account_id).cloned()
                } else {
                    None
                };
                let version = versions.get(&delivery.announcement_id).copied();
                let clear_allowed = delivery.kind == DeliveryKind::Clear.as_str()
                    && allowed.contains(&delivery.account_id);
                let started = Started {
                    delivery,
                    key,
                    clear_allowed,
                    version,
                };
                (started.delivery.id.clone(), started)
            })
            .collect())
    }
}

/// The task that writes waiting changes until none is left; the next
/// change then starts another. Dropped before that (a panic), it fails the
/// changes it did not write, so no job waits for nothing.
struct Writer {
    fanout: Fanout,
    idle: bool,
}

impl Writer {
    async fn run(mut self) {
        loop {
            let batch: Vec<Change> = {
                let mut w = lock(&self.fanout.0.writes);
                if w.waiting.is_empty() {
                    w.writing = false;
                    self.idle = true;
                    return;
                }
                let n = w.waiting.len().min(MAX_BATCH);
                w.waiting.drain(..n).collect()
            };
            let mut written = self.fanout.write(&batch).await.map_err(|e| e.to_string());
            for change in batch {
                match change {
                    Change::Start { id, done, .. } => {
                        let _ = done.send(match &mut written {
                            Ok(started) => Ok(started.remove(&id)),
                            Err(e) => Err(e.clone()),
                        });
                    }
                    Change::Finish { done, .. } => {
                        let _ = done.send(written.as_ref().map(|_| ()).map_err(Clone::clone));
                    }
                }
            }
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if self.idle {
            return;
        }
        let mut w = lock(&self.fanout.0.writes);
        w.writing = false;
        // The senders go, and the jobs waiting on them fail and are retried.
        w.waiting.clear();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Nothing here is left half-changed by a panic.
    m.lock().unwrap_or_else(|e| e.into_inner())
}
