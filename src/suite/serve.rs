//! `rtbench serve`: one model's HTTP server in this process. Binds the listener (a backlog
//! that takes a load generator's connections arriving at once), starts the latency server
//! for `--backend socket`, says where it listens, then hands the listener to the model's
//! runtime ([`crate::runtime::Instance::serve`]) until the process ends.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use thiserror::Error;

use super::ConfigError;
use crate::http::{Backend, ServeCtx, Stall};
use crate::limit::Limit;
use crate::measure::available_cores;
use crate::netserver::{LatencyServer, Options};
use crate::results::Machine;
use crate::runtime::{self, Runtime, RuntimeError, Setup, Variant, processes::worker_exe};

/// The backlog asked of the listener (the kernel clamps it to somaxconn).
pub const SERVE_BACKLOG: i32 = 4096;

/// Workers of the blocking pool and pre-forked processes when `--workers` is not given:
/// as many as the load generator's connections by default, so no keep-alive connection
/// waits unserved behind another (a bounded pool smaller than its connections leaves the
/// rest waiting until one closes).
pub const DEFAULT_BLOCKING_WORKERS: usize = 256;

/// Where `/task`'s waits go, as `--backend` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendKind {
    /// The model's own timer.
    Timer,
    /// A call to the latency server over TCP.
    Socket,
}

/// What `rtbench serve` was asked.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The model's runtime name.
    pub model: String,
    /// Where to listen.
    pub listen: SocketAddr,
    /// `--workers`, if given.
    pub workers: Option<usize>,
    /// Where waits go.
    pub backend: BackendKind,
    /// Bytes of each latency server reply (`--backend socket`).
    pub payload: usize,
    /// The hidden self-check stall: after how long, for how long.
    pub stall: Option<(Duration, Duration)>,
    /// The command line, for the machine record in `/rtbench/info`.
    pub command_line: Vec<String>,
}

/// Why a server could not start or went down.
#[derive(Debug, Error)]
pub enum ServeError {
    /// Bad input: an unknown model, one that makes no sense as a server, an address.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The runtime could not start or its server stopped.
    #[error("{model}: {source}")]
    Runtime {
        /// The model.
        model: &'static str,
        /// What stopped it.
        source: RuntimeError,
    },
    /// The latency server behind `--backend socket` did not start.
    #[error("the latency server for --backend socket: {0}")]
    Backend(#[from] crate::netserver::Error),
}

/// `/rtbench/info`'s object: what a load generator records of the server.
#[derive(Debug, Serialize)]
struct Info<'a> {
    server: &'static str,
    model: &'static str,
    workers: Option<usize>,
    backend: BackendKind,
    listen: String,
    pid: u32,
    version: &'static str,
    machine: &'a Machine,
}

/// The workers a model gets: `--workers`, else the cores for the async runtimes and 256
/// for the blocking pool and pre-forked processes; `threads` has none (one per connection).
pub fn workers_for(runtime: &dyn Runtime, given: Option<usize>) -> Option<usize> {
    match runtime.model() {
        runtime::Model::Threads => None,
        // The threads its runtime runs on: tokio-current-thread has one, whatever is asked.
        runtime::Model::Async => Some(
            runtime
                .shape(&Setup {
                    workers: given.unwrap_or_else(available_cores),
                    limit: Limit::Unbounded,
                    tasks: 1,
                    variant: Variant::Normal,
                })
                .workers,
        ),
        _ => Some(given.unwrap_or(DEFAULT_BLOCKING_WORKERS)),
    }
}

/// The model's runtime, or why it cannot serve.
pub fn model(name: &str) -> Result<&'static dyn Runtime, ConfigError> {
    let rt = runtime::find(name).map_err(|e| ConfigError::Refused(format!("--model: {e}")))?;
    match rt.serve_refusal() {
        Some(why) => Err(ConfigError::Refused(format!("--model {name}: {why}"))),
        None => Ok(rt),
    }
}

/// Binds `addr` with SO_REUSEADDR and a backlog of [`SERVE_BACKLOG`].
fn bind(addr: SocketAddr) -> Result<TcpListener, ConfigError> {
    let refused = |e: std::io::Error| {
        ConfigError::Refused(format!(
            "--listen {addr}: {e}; give a free address (port 0 picks one)"
        ))
    };
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        None,
    )
    .map_err(refused)?;
    socket.set_reuse_address(true).map_err(refused)?;
    socket.bind(&addr.into()).map_err(refused)?;
    socket.listen(SERVE_BACKLOG).map_err(refused)?;
    Ok(socket.into())
}

/// Starts the server of `cfg`; `announce` is told the address and the model's description
/// once the model can take connections, and the call serves until the process ends (it
/// returns only with what stopped it).
pub fn run_server(
    cfg: &ServeConfig,
    announce: Box<dyn FnOnce(SocketAddr, String) + Send>,
) -> Result<(), ServeError> {
    let rt = model(&cfg.model)?;
    if cfg.workers.is_some() && rt.model() == runtime::Model::Threads {
        return Err(ConfigError::Refused(
            "--workers: the threads model starts one thread per connection; it takes no --workers"
                .into(),
        )
        .into());
    }
    let workers = workers_for(rt, cfg.workers);
    let listener = bind(cfg.listen)?;
    let addr = listener
        .local_addr()
        .map_err(|e| ConfigError::Refused(format!("--listen: {e}")))?;
    let exe = worker_exe().map_err(|source| ServeError::Runtime {
        model: rt.name(),
        source,
    })?;
    // Kept for the server's life: dropping it ends the latency server.
    let mut latency_server = None;
    let backend = match cfg.backend {
        BackendKind::Timer => Backend::Timer,
        BackendKind::Socket => {
            let server = LatencyServer::start_with(
                &exe,
                Options {
                    payload: cfg.payload,
                    ..Options::default()
                },
            )?;
            let backend = Backend::Socket {
                addr: server.addr(),
                payload: server.payload(),
            };
            latency_server = Some(server);
            backend
        }
    };
    let machine = Machine::collect(cfg.command_line.clone());
    let info = Info {
        server: "rtbench",
        model: rt.name(),
        workers,
        backend: cfg.backend,
        listen: addr.to_string(),
        pid: std::process::id(),
        version: env!("CARGO_PKG_VERSION"),
        machine: &machine,
    };
    let info = serde_json::to_string(&info).expect("the info object serialises");
    let mut ctx = ServeCtx::new(backend, info);
    ctx.stall = cfg.stall.map(|(after, lasts)| Stall::after(after, lasts));
    let setup = Setup {
        workers: workers.unwrap_or(1),
        limit: Limit::Unbounded,
        tasks: 1,
        variant: Variant::Normal,
    };
    let mut instance = rt.start(&setup).map_err(|source| ServeError::Runtime {
        model: rt.name(),
        source,
    })?;
    let how = match workers {
        Some(n) => format!("{} with {n} workers", rt.name()),
        None => format!("{}, a thread per connection", rt.name()),
    };
    let ready = Box::new(move || announce(addr, how));
    let result = instance.serve(listener, Arc::new(ctx), ready);
    drop(latency_server);
    result.map_err(|source| ServeError::Runtime {
        model: rt.name(),
        source,
    })
}

/// `rtbench serve` in a child process of its own (dying with this one), its address read
/// from its `listening` line; killed and reaped on drop.
pub struct ServerProcess {
    child: std::process::Child,
    addr: SocketAddr,
    /// The model and its workers as started.
    pub model: &'static str,
}

/// How long a server child may take to say where it listens (pre-forking 256 workers
/// included).
pub const SERVER_START_TIMEOUT: Duration = Duration::from_secs(30);

impl ServerProcess {
    /// Starts `exe serve --model MODEL --listen 127.0.0.1:0 --parent ME` with `extra` flags
    /// (`--workers`, `--backend`, ...); its stderr goes to this process's.
    pub fn start(
        exe: &std::path::Path,
        model: &str,
        extra: &[String],
    ) -> Result<ServerProcess, ServeError> {
        use std::io::BufRead;
        let rt = self::model(model)?;
        let spawn_error = |m: String| ServeError::Runtime {
            model: rt.name(),
            source: RuntimeError::Http(m),
        };
        let mut child = std::process::Command::new(exe)
            .args(["serve", "--model", model, "--listen", "127.0.0.1:0"])
            .args(["--parent", &std::process::id().to_string()])
            .args(extra)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| spawn_error(format!("starting `{} serve`: {e}", exe.display())))?;
        let stdout = child.stdout.take().expect("stdout was piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(SERVER_START_TIMEOUT) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(spawn_error(format!(
                    "no address within {SERVER_START_TIMEOUT:?}"
                )));
            }
        };
        let addr = line
            .trim()
            .strip_prefix("listening http://")
            .and_then(|a| a.parse().ok());
        let Some(addr) = addr else {
            let _ = child.kill();
            let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
            return Err(spawn_error(format!(
                "it exited ({status}) before listening; its stderr says why"
            )));
        };
        Ok(ServerProcess {
            child,
            addr,
            model: rt.name(),
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its process id (its pre-forked workers are its children).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether it has exited, and how.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
