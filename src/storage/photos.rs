//! Photos in IndexedDB (through the `idb` crate): database `lsk-photos`, object store
//! `photos`, each JPEG a `Blob` under its reference `<sha256>.jpg` (see
//! [`survey_core::media`]). Households hold only references (in `localStorage`, as before),
//! so autosave stays as fast as without photos.
//!
//! A photo is written once and never changed (the key names the bytes). Photos are
//! deleted only when a household is removed for good ([`delete`], called by the drafts
//! layer with the references no other stored household holds). A quota error is
//! [`WriteError::Quota`], and the transaction leaves nothing behind.
use std::cell::RefCell;

use idb::{Database, Factory, ObjectStoreParams, Query, TransactionMode, TransactionResult};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, IdbDatabase, IdbTransaction};

use super::WriteError;

/// The IndexedDB database of the kit's photos.
pub const DB_NAME: &str = "lsk-photos";
/// Its object store.
pub const STORE: &str = "photos";

thread_local! {
    /// The open database (opened once per page).
    static DB: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

fn other(e: impl std::fmt::Display) -> WriteError {
    WriteError::Other(e.to_string())
}

/// Quota errors by the name IndexedDB gives them; anything else by its message.
fn classify(e: idb::Error) -> WriteError {
    match &e {
        idb::Error::DomException(d) if d.name() == "QuotaExceededError" => WriteError::Quota,
        _ if e.to_string().contains("QuotaExceeded") => WriteError::Quota,
        _ => other(e),
    }
}

async fn open() -> Result<Database, WriteError> {
    if let Some(db) = DB.with(|d| d.borrow().clone()) {
        return Ok(Database::from(db));
    }
    let db = open_version(None).await?;
    if db.store_names().iter().any(|n| n == STORE) {
        return Ok(remember(db));
    }
    // A database without the store (made by something else under this name): one version
    // up creates it.
    let next = db.version().map_err(classify)? + 1;
    db.close();
    let db = open_version(Some(next)).await?;
    Ok(remember(db))
}

fn remember(db: Database) -> Database {
    let raw = IdbDatabase::from(db);
    DB.with(|d| *d.borrow_mut() = Some(raw.clone()));
    Database::from(raw)
}

/// Opens the database at `version` (the current one, or 1 when new), creating the store
/// on an upgrade.
async fn open_version(version: Option<u32>) -> Result<Database, WriteError> {
    let factory = Factory::new().map_err(|_| WriteError::Unavailable)?;
    let mut request = factory.open(DB_NAME, version).map_err(|_| WriteError::Unavailable)?;
    request.on_upgrade_needed(|event| {
        use idb::event::DatabaseEvent;
        if let Ok(db) = event.database() {
            if !db.store_names().iter().any(|n| n == STORE) {
                let _ = db.create_object_store(STORE, ObjectStoreParams::new());
            }
        }
    });
    request.await.map_err(classify)
}

/// Runs `f` on the photo store in one transaction and waits until it is committed. An
/// aborted transaction is reported with the error IndexedDB gives it (a full quota shows
/// only there).
async fn in_transaction<T, F, Fut>(mode: TransactionMode, f: F) -> Result<T, WriteError>
where
    F: FnOnce(idb::ObjectStore) -> Fut,
    Fut: std::future::Future<Output = Result<T, idb::Error>>,
{
    let db = open().await?;
    let tx = db.transaction(&[STORE], mode).map_err(classify)?;
    let raw = IdbTransaction::from(tx);
    let store = idb::Transaction::from(raw.clone()).object_store(STORE).map_err(classify)?;
    let out = f(store).await;
    let done = idb::Transaction::from(raw.clone()).await;
    if let Some(e) = raw.error() {
        if e.name() == "QuotaExceededError" {
            return Err(WriteError::Quota);
        }
        return Err(other(e.message()));
    }
    match (out, done) {
        (Err(e), _) | (_, Err(e)) => Err(classify(e)),
        (Ok(_), Ok(TransactionResult::Aborted)) => Err(other("transaction aborted")),
        (Ok(v), Ok(TransactionResult::Committed)) => Ok(v),
    }
}

/// Stores a photo under its reference (writing the same photo again changes nothing).
pub async fn put(reference: &str, photo: &Blob) -> Result<(), WriteError> {
    let key = JsValue::from_str(reference);
    let value: JsValue = photo.clone().into();
    in_transaction(TransactionMode::ReadWrite, move |store| async move {
        store.put(&value, Some(&key))?.await.map(|_| ())
    })
    .await
}

/// The photo stored under `reference`, if any.
pub async fn get(reference: &str) -> Result<Option<Blob>, WriteError> {
    let key = Query::from(JsValue::from_str(reference));
    in_transaction(TransactionMode::ReadOnly, move |store| async move {
        Ok(store.get(key)?.await?.and_then(|v| v.dyn_into::<Blob>().ok()))
    })
    .await
}

/// The references of every stored photo.
pub async fn references() -> Result<Vec<String>, WriteError> {
    in_transaction(TransactionMode::ReadOnly, |store| async move {
        let keys = store.get_all_keys(None, None)?.await?;
        Ok(keys.into_iter().filter_map(|k| k.as_string()).collect())
    })
    .await
}

/// Deletes the photos under `references` (all in one transaction).
pub async fn delete(references: Vec<String>) -> Result<(), WriteError> {
    if references.is_empty() {
        return Ok(());
    }
    in_transaction(TransactionMode::ReadWrite, move |store| async move {
        for r in references {
            store.delete(Query::from(JsValue::from_str(&r)))?.await?;
        }
        Ok(())
    })
    .await
}
