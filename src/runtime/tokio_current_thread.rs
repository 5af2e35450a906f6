//! `tokio-current-thread`: tokio's single-threaded scheduler. Every task runs on one thread,
//! so waits overlap but computation does not; `--workers` does not apply.

use super::tokio::TokioInstance;
use super::{Instance, Runtime, RuntimeError, Setup, Shape};

pub struct TokioCurrentThread;

impl Runtime for TokioCurrentThread {
    fn name(&self) -> &'static str {
        "tokio-current-thread"
    }

    fn model(&self) -> super::Model {
        super::Model::Async
    }

    fn has_variants(&self) -> bool {
        true
    }

    fn shape(&self, setup: &Setup) -> Shape {
        super::async_shape(setup, 1)
    }

    fn note(&self, _setup: &Setup) -> Option<String> {
        Some("tokio-current-thread: one thread by design; --workers does not apply".into())
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, RuntimeError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|source| RuntimeError::Start {
                runtime: "tokio-current-thread",
                source,
            })?;
        Ok(Box::new(TokioInstance {
            rt,
            limit: setup.limit,
            variant: setup.variant,
        }))
    }
}
