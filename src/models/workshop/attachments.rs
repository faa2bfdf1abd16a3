//! Photos, voice notes and documents on a repair order. The bytes live in
//! Loco's storage (local disk by default, S3-compatible by configuration);
//! the row says what they are and who may fetch them.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};

use bytes::Bytes;
use futures_util::StreamExt;
use loco_rs::storage::{stream::BytesStream, Storage};
use sea_orm::{entity::prelude::*, ActiveValue, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::models::_entities::attachments::{self, ActiveModel, Column, Entity, Model};
use crate::models::error::{DomainError, DomainResult};
use crate::models::values::Stored;
use crate::models::{actor::Actor, workshop::repair_orders};

impl ActiveModelBehavior for ActiveModel {}

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Photo,
    VoiceNote,
    Document,
}

/// What a file is, judged by its first bytes rather than by the name or the
/// type the client claims: a phone camera's photos, a recorder's voice notes,
/// or a PDF. Anything else is refused.
///
/// # Errors
/// The field message for any other kind of file.
pub fn classify(
    bytes: &[u8],
    declared_type: Option<&str>,
) -> Result<(AttachmentKind, &'static str), String> {
    let detected = infer::get(bytes).map(|kind| kind.mime_type());
    let declared_audio = declared_type.is_some_and(|mime| mime.starts_with("audio/"));
    match detected {
        Some(mime @ ("image/jpeg" | "image/png" | "image/webp" | "image/heif")) => {
            Ok((AttachmentKind::Photo, mime))
        }
        Some(mime @ ("audio/mpeg" | "audio/m4a" | "audio/ogg" | "audio/x-wav" | "audio/aac")) => {
            Ok((AttachmentKind::VoiceNote, mime))
        }
        // Browsers record voice notes as WebM with an audio track only.
        Some("video/webm") if declared_audio => Ok((AttachmentKind::VoiceNote, "audio/webm")),
        Some("application/pdf") => Ok((AttachmentKind::Document, "application/pdf")),
        _ => Err(
            "must be a photo (JPEG, PNG, WebP, HEIC), a voice note (MP3, M4A, AAC, \
                  OGG, WAV, WebM) or a PDF"
                .to_string(),
        ),
    }
}

/// How many bytes of a file are read to judge its kind before any of it is
/// stored: the longest signature `classify` looks for fits well within.
pub const HEAD_BYTES: usize = 8 * 1024;

/// An upload as it arrives: its first bytes, already read, and the rest as a
/// stream that ends in an error when the client stops or goes over the size
/// limit. Nothing holds more than a chunk of it in memory.
pub struct Upload {
    pub file_name: String,
    pub declared_type: Option<String>,
    pub head: Bytes,
    pub rest: BytesStream,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("file_name", &self.file_name)
            .field("declared_type", &self.declared_type)
            .field("head_bytes", &self.head.len())
            .finish_non_exhaustive()
    }
}

impl Model {
    /// Stores a file on an order, streaming it to storage.
    ///
    /// # Errors
    /// 403 when the actor may not work on the order; 422 for a file of a
    /// kind not accepted (nothing is stored then); 500 when storage fails or
    /// the stream ends in an error (the partial file is removed; the caller
    /// knows why its stream failed and answers for it).
    pub async fn store(
        db: &impl ConnectionTrait,
        storage: &Arc<Storage>,
        actor: &Actor,
        order: &repair_orders::Model,
        upload: Upload,
    ) -> DomainResult<Self> {
        order.authorize_work(actor)?;
        let (kind, content_type) = classify(&upload.head, upload.declared_type.as_deref())
            .map_err(|message| DomainError::invalid("file", message))?;
        let pid = Uuid::new_v4();
        let key = format!("repair-orders/{}/{pid}", order.pid);
        let path = std::path::Path::new(&key);
        let size = Arc::new(AtomicU64::new(0));
        let counted = {
            let size = Arc::clone(&size);
            futures_util::stream::once(async move { Ok(upload.head) })
                .chain(upload.rest)
                .inspect(move |chunk| {
                    if let Ok(chunk) = chunk {
                        size.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                    }
                })
        };
        // Until the row that points at it is saved, a file stored here is
        // removed again, however this ends: an error, or the client giving up.
        let mut unsaved = RemoveUnsaved {
            storage: Some(Arc::clone(storage)),
            key: key.clone(),
        };
        storage
            .upload_stream(path, BytesStream::from_body_stream(counted))
            .await
            .map_err(DomainError::internal)?;
        let saved = ActiveModel {
            pid: ActiveValue::Set(pid),
            organization_id: ActiveValue::Set(order.organization_id),
            site_id: ActiveValue::Set(order.site_id),
            repair_order_id: ActiveValue::Set(order.id),
            uploaded_by: ActiveValue::Set(Some(actor.user_id())),
            kind: ActiveValue::Set(kind.as_str().to_string()),
            content_type: ActiveValue::Set(content_type.to_string()),
            file_name: ActiveValue::Set(clean_file_name(&upload.file_name, kind)),
            size_bytes: ActiveValue::Set(
                i64::try_from(size.load(Ordering::Relaxed)).unwrap_or(i64::MAX),
            ),
            storage_key: ActiveValue::Set(key.clone()),
            created_at: ActiveValue::Set(crate::models::now_at(actor.clock)),
            ..Default::default()
        }
        .insert(db)
        .await?;
        repair_orders::Model::touch(db, order.id, saved.created_at).await?;
        unsaved.storage = None;
        Ok(saved)
    }

    /// A page of an order's attachments, oldest first.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn page_of(
        db: &impl ConnectionTrait,
        order_id: i64,
        page: crate::models::paging::PageRequest,
    ) -> DomainResult<crate::models::paging::Page<Self>> {
        let query = Entity::find()
            .filter(Column::RepairOrderId.eq(order_id))
            .order_by_asc(Column::Id);
        page.fetch(db, query).await
    }

    /// One attachment of an order.
    ///
    /// # Errors
    /// 404 when the order has no such attachment.
    pub async fn find_on(
        db: &impl ConnectionTrait,
        order: &repair_orders::Model,
        pid: Uuid,
    ) -> DomainResult<Self> {
        Entity::find()
            .filter(Column::RepairOrderId.eq(order.id))
            .filter(Column::Pid.eq(pid))
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("attachment"))
    }

    /// The file's bytes, as a stream from storage.
    ///
    /// # Errors
    /// 500 when storage fails.
    pub async fn read(&self, storage: &Storage) -> DomainResult<BytesStream> {
        storage
            .download_stream(std::path::Path::new(&self.storage_key))
            .await
            .map_err(DomainError::internal)
    }
}

/// A stored file that no row points at (yet), removed when dropped armed.
struct RemoveUnsaved {
    storage: Option<Arc<Storage>>,
    key: String,
}

impl Drop for RemoveUnsaved {
    fn drop(&mut self) {
        let (Some(storage), Ok(runtime)) =
            (self.storage.take(), tokio::runtime::Handle::try_current())
        else {
            return;
        };
        let key = std::mem::take(&mut self.key);
        runtime.spawn(async move {
            if let Err(err) = storage.delete(std::path::Path::new(&key)).await {
                tracing::warn!(error.cause = %err, key, "could not remove an unsaved upload");
            }
        });
    }
}

/// A file name safe to hand back in `Content-Disposition`: no paths, no
/// quotes or control characters, bounded, never empty.
fn clean_file_name(raw: &str, kind: AttachmentKind) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(120)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        kind.as_str().to_string()
    } else {
        cleaned.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_judged_by_their_bytes() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
        let pdf = b"%PDF-1.7\n%...".to_vec();
        assert_eq!(
            classify(&jpeg, Some("application/pdf")).unwrap().0,
            AttachmentKind::Photo
        );
        assert_eq!(
            classify(&pdf, None).unwrap(),
            (AttachmentKind::Document, "application/pdf")
        );
        assert!(classify(b"#!/bin/sh\nrm -rf /", Some("image/jpeg")).is_err());
        assert!(classify(b"", None).is_err());
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(
            clean_file_name("../../etc/passwd", AttachmentKind::Document),
            "passwd"
        );
        assert_eq!(
            clean_file_name("C:\\photos\\brake \"pad\".jpg", AttachmentKind::Photo),
            "brake pad.jpg"
        );
        assert_eq!(clean_file_name("..", AttachmentKind::Photo), "photo");
        assert_eq!(clean_file_name("", AttachmentKind::VoiceNote), "voice_note");
    }
}
