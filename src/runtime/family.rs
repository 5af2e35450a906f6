//! What the runtimes of one family share, written once. An async runtime supplies its
//! name, its thread count and how to start; [`Async`] makes it a [`Runtime`] with the facts
//! every async runtime has (model, the labelled variants, its shape). A worker pool supplies
//! its name and how to start N workers; the blanket impl does the rest.

use super::{Instance, Limit, Model, Runtime, RuntimeError, Setup, Shape, Unit, Variant};

/// An async runtime: tasks on an executor of some threads.
pub(super) trait AsyncRuntime: Sync {
    /// The name users type.
    const NAME: &'static str;
    /// Discontinued upstream.
    const LEGACY: bool = false;
    /// A one-line note on how the flags map onto it.
    const NOTE: Option<&'static str> = None;

    /// Executor threads for this setup: `--workers` unless the runtime has one thread.
    fn threads(setup: &Setup) -> usize {
        setup.workers
    }

    /// Builds the executor (not timed).
    fn start_async(&self, setup: &Setup) -> Result<Box<dyn Instance>, RuntimeError>;
}

/// An [`AsyncRuntime`] as a [`Runtime`].
pub(super) struct Async<A>(pub A);

impl<A: AsyncRuntime> Runtime for Async<A> {
    fn name(&self) -> &'static str {
        A::NAME
    }

    fn model(&self) -> Model {
        Model::Async
    }

    fn legacy(&self) -> bool {
        A::LEGACY
    }

    fn has_variants(&self) -> bool {
        true
    }

    fn shape(&self, setup: &Setup) -> Shape {
        async_shape(setup, A::threads(setup))
    }

    fn note(&self, _setup: &Setup) -> Option<String> {
        A::NOTE.map(String::from)
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, RuntimeError> {
        self.0.start_async(setup)
    }
}

/// Shape of a runtime with a pool of `workers` async executor threads. Awaiting one by one
/// runs one task at a time; a blocking sleep holds a worker, so only `workers` tasks wait at
/// once.
fn async_shape(setup: &Setup, workers: usize) -> Shape {
    let bound = setup.limit.bound(setup.tasks);
    let concurrency = match setup.variant {
        Variant::AwaitEach => 1,
        Variant::BlockingSleep => bound.min(workers),
        Variant::Normal | Variant::SpawnBlocking => bound,
    };
    Shape {
        workers,
        concurrency,
    }
}

/// A fixed pool of worker threads (crossbeam-pool, rayon): its size is its concurrency, so
/// `pool:N` sizes it, `unbounded` and `batches:N` use `--workers`, and `semaphore:N` is refused.
pub(super) trait WorkerPool: Sync {
    /// The name users type.
    const NAME: &'static str;
    /// The unit its spawn probe starts (`Instance::start_units`), if it can start one
    /// beside taking jobs.
    const START_UNIT: Option<Unit> = None;

    /// Starts `size` workers that will run cells under `limit` (`unbounded`, `pool` or `batches`).
    fn start_pool(&self, size: usize, limit: Limit) -> Result<Box<dyn Instance>, RuntimeError>;

    /// Why this pool makes no sense as a server, if it does not.
    const SERVE_REFUSAL: Option<&'static str> = None;
}

fn pool_size(setup: &Setup) -> usize {
    match setup.limit {
        Limit::Pool(n) => n,
        _ => setup.workers,
    }
}

impl<P: WorkerPool> Runtime for P {
    fn name(&self) -> &'static str {
        P::NAME
    }

    fn model(&self) -> Model {
        Model::ThreadPool
    }

    fn start_unit(&self) -> Option<Unit> {
        P::START_UNIT
    }

    fn refusal(&self, limit: Limit) -> Option<String> {
        matches!(limit, Limit::Semaphore(_)).then(|| {
            format!(
                "{} bounds concurrency by its worker count, so {limit} has no meaning there; \
                 use pool:N to size the pool (or batches:N)",
                P::NAME
            )
        })
    }

    fn shape(&self, setup: &Setup) -> Shape {
        let size = pool_size(setup);
        Shape {
            workers: size,
            concurrency: setup.limit.bound(setup.tasks).min(size),
        }
    }

    fn note(&self, setup: &Setup) -> Option<String> {
        let from = match setup.limit {
            Limit::Pool(_) => "from pool:N",
            _ => "from --workers",
        };
        Some(format!(
            "{}: concurrency is the pool size ({} workers, {from})",
            P::NAME,
            pool_size(setup)
        ))
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, RuntimeError> {
        self.start_pool(pool_size(setup), setup.limit)
    }

    fn serve_refusal(&self) -> Option<String> {
        P::SERVE_REFUSAL.map(str::to_string)
    }
}
