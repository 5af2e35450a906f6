//! `tokio-current-thread`: tokio's single-threaded scheduler. Every task runs on one thread,
//! so waits overlap but computation does not; `--workers` does not apply.

use super::family::AsyncRuntime;
use super::tokio::TokioInstance;
use super::{Instance, RuntimeError, Setup};

/// The `tokio-current-thread` adapter.
pub struct TokioCurrentThread;

impl AsyncRuntime for TokioCurrentThread {
    const NAME: &'static str = "tokio-current-thread";
    const NOTE: Option<&'static str> =
        Some("tokio-current-thread: one thread by design; --workers does not apply");

    fn threads(_setup: &Setup) -> usize {
        1
    }

    fn start_async(&self, setup: &Setup) -> Result<Box<dyn Instance>, RuntimeError> {
        TokioInstance::build(
            &mut tokio::runtime::Builder::new_current_thread(),
            Self::NAME,
            setup,
        )
    }
}
