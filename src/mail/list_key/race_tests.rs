//! Several processes starting at once on a fresh data directory: one key
//! wins, and no process removes the key another one named.

use super::*;

const UID: &str = "Test Project <security@project.test>";

#[test]
fn processes_starting_at_once_on_a_fresh_directory_share_one_key() {
    super::tests::data_key();
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("list-key");
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let at = at.clone();
            std::thread::spawn(move || ListKey::load_or_create(&at, UID).unwrap())
        })
        .collect();
    let fingerprints: Vec<String> = handles
        .into_iter()
        .map(|h| h.join().unwrap().fingerprint().to_owned())
        .collect();
    assert!(fingerprints.iter().all(|f| f == &fingerprints[0]));
    assert_eq!(store::key_fingerprints(&at).unwrap().len(), 1);
}

#[test]
fn a_key_named_current_by_another_process_is_not_removed_as_unused() {
    super::tests::data_key();
    let dir = tempfile::tempdir().unwrap();
    let made = store_new_key(dir.path(), UID).unwrap();
    // A third process found it stored without a marker and named it.
    assert!(store::write_current(dir.path(), &made, false).unwrap());
    // Its maker lost its own race to name it, and cleans up.
    store::remove_unused_key(dir.path(), &made);
    let key = ListKey::load_or_create(dir.path(), UID).unwrap();
    assert_eq!(key.fingerprint(), made);

    let lost = store_new_key(dir.path(), UID).unwrap();
    store::remove_unused_key(dir.path(), &lost);
    assert_eq!(store::key_fingerprints(dir.path()).unwrap(), vec![made]);
}

#[test]
fn a_stored_key_removed_while_the_newest_is_chosen_is_passed_over() {
    super::tests::data_key();
    let dir = tempfile::tempdir().unwrap();
    let kept = store_new_key(dir.path(), UID).unwrap();
    let gone = "0123456789ABCDEF0123456789ABCDEF01234567".to_owned();
    assert_eq!(
        newest(dir.path(), &[gone.clone(), kept.clone()]).unwrap(),
        Some(kept)
    );
    assert_eq!(newest(dir.path(), &[gone]).unwrap(), None);
}
