//! The threads that sign and encrypt the deliveries' messages: as many as
//! the machine has cores, fed from one queue, started at the first
//! message. Tokio's blocking pool would give each copy a thread of its own
//! (dozens at once on two cores during a fan-out), which made a fan-out
//! about a tenth slower.

use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, OnceLock};

type Task = Box<dyn FnOnce() + Send>;

#[derive(Default)]
pub(super) struct Signers {
    /// None when no thread could be started: tasks then go to tokio's
    /// blocking pool as before.
    queue: OnceLock<Option<Sender<Task>>>,
}

impl Signers {
    /// `f`'s result, computed on one of the threads; an error when it
    /// panicked (that thread goes on with the next task).
    pub async fn run<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let Some(queue) = self.queue() else {
            return Ok(tokio::task::spawn_blocking(f).await?);
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        let task: Task = Box::new(move || {
            let _ = tx.send(f());
        });
        queue
            .send(task)
            .map_err(|_| anyhow::anyhow!("the signing threads stopped"))?;
        rx.await
            .map_err(|_| anyhow::anyhow!("signing or encrypting failed unexpectedly (a panic)"))
    }

    fn queue(&self) -> Option<&Sender<Task>> {
        self.queue.get_or_init(start).as_ref()
    }
}

fn start() -> Option<Sender<Task>> {
    let (tx, rx) = mpsc::channel::<Task>();
    let rx = Arc::new(Mutex::new(rx));
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut started = 0;
    for i in 0..threads {
        let rx = rx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("embargo-sign-{i}"))
            .spawn(move || work(&rx));
        match spawned {
            Ok(_) => started += 1,
            Err(e) => tracing::error!(error = %e, "could not start a signing thread"),
        }
    }
    (started > 0).then_some(tx)
}

/// Runs tasks until every sender is gone (the app state dropped).
fn work(rx: &Mutex<mpsc::Receiver<Task>>) {
    loop {
        // The lock is held only while waiting for the next task; nothing
        // panics while holding it, so a poisoned one is still sound.
        let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(task) = next else { return };
        // A panic drops the task's answer, which fails that message alone.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(task));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn tasks_answer_and_a_panic_fails_only_its_own() {
        let signers = Arc::new(Signers::default());
        assert_eq!(signers.run(|| 6 * 7).await.unwrap(), 42);
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        // More panics than threads: none of them takes a thread down.
        for _ in 0..threads + 1 {
            let failed = signers.run(|| -> u8 { panic!("a bug") }).await;
            assert!(failed.unwrap_err().to_string().contains("panic"));
        }
        // Many at once, more than threads: each gets its own answer.
        let many: Vec<_> = (0..64)
            .map(|i| {
                let signers = signers.clone();
                tokio::spawn(async move { signers.run(move || i * 2).await })
            })
            .collect();
        for (i, task) in many.into_iter().enumerate() {
            assert_eq!(task.await.unwrap().unwrap(), i * 2);
        }
    }
}
