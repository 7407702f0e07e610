//! The data directory and the files embargo keeps in it.

use std::path::PathBuf;

/// Where the service keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    pub data: PathBuf,
}

impl Paths {
    /// Creates the data directory (and missing parents) with mode 0700: it
    /// holds embargoed reports and the list key. One that exists keeps its
    /// mode.
    pub fn create_data_dir(&self) -> std::io::Result<()> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.data)
    }

    pub fn outbox(&self) -> PathBuf {
        self.data.join("outbox")
    }

    /// The list's OpenPGP keys (see `mail::list_key`): back it up with the
    /// database.
    pub fn list_key(&self) -> PathBuf {
        self.data.join("list-key")
    }
}
