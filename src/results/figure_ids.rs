//! Every figure any claim publishes: [`FigureId`], each with its stable text, the claim it
//! belongs to and what its subject names.

use std::fmt;

/// Declares [`FigureId`]: every figure any claim publishes, each with its stable text, the
/// claim it belongs to, and what its subject names when the claim measures it several
/// times (`per "runtime"`), or `once`.
macro_rules! figure_ids {
    ($($claim:literal => { $($id:ident = $text:literal $(per $subject:literal)? $(once)?: $doc:literal,)+ })+) => {
        /// Which figure of which claim: the stable part of a [`FigureKey`](crate::results::FigureKey).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum FigureId {
            $($(#[doc = $doc] $id,)+)+
        }

        impl FigureId {
            /// Every figure id, grouped by claim in id order.
            pub const ALL: &'static [FigureId] = &[$($(FigureId::$id,)+)+];

            /// The stable text written to claims.json, e.g. `c17-blocking-in-tasks`.
            pub fn name(self) -> &'static str {
                match self {
                    $($(FigureId::$id => $text,)+)+
                }
            }

            /// The claim that publishes this figure, e.g. `C17`.
            pub fn claim(self) -> &'static str {
                match self {
                    $($(FigureId::$id => $claim,)+)+
                }
            }

            /// What a subject of this figure names (`runtime`, `latency spread`, `client
            /// limit`); None for a figure a claim measures once, which has no subject.
            pub fn subject(self) -> Option<&'static str> {
                match self {
                    $($(FigureId::$id => None$(.or(Some($subject)))?,)+)+
                }
            }
        }
    };
}

figure_ids! {
    "C01" => {
        C01Sequential = "c01-sequential" once: "Wall time of the waits one after another.",
        C01Concurrent = "c01-concurrent" per "runtime": "Wall time of the waits run concurrently.",
    }
    "C02" => {
        C02OneByOne = "c02-one-by-one" per "runtime": "Wall time awaiting each in turn.",
        C02Spawned = "c02-spawned" per "runtime": "Wall time spawning all, then joining.",
    }
    "C03" => {
        C03CurrentThreadBlocking = "c03-current-thread-blocking" once: "Blocking sleeps on the current-thread runtime.",
        C03MultiThreadBlocking = "c03-multi-thread-blocking" per "runtime": "Blocking sleeps on a multi-thread runtime.",
    }
    "C04" => {
        C04Wall = "c04-wall" per "runtime": "Wall time under a limit of 5.",
    }
    "C05" => {
        C05Semaphore = "c05-semaphore" per "latency spread": "Wall time under a semaphore.",
        C05Batches = "c05-batches" per "latency spread": "Wall time in batches.",
        C05Pool = "c05-pool" per "latency spread": "Wall time with a pool.",
        C05BatchesOverSemaphore = "c05-batches-over-semaphore" per "latency spread": "Batches' time over the semaphore's, paired order by order.",
        C05PoolOverSemaphore = "c05-pool-over-semaphore" per "latency spread": "The pool's time over the semaphore's, paired order by order (each round runs every style on the same order).",
        C05OverIdeal = "c05-over-ideal" per "latency spread and limit": "Wall time over the best schedule of the round's order (greedy for a semaphore or a pool, batches of 10 for batches).",
    }
    "C06" => {
        C06RejectedNoLimit = "c06-rejected-no-limit" per "runtime": "Calls rejected with no client limit.",
        C06RejectedSemaphore = "c06-rejected-semaphore" per "runtime": "Calls rejected under semaphore(10).",
        C06RejectedSpread = "c06-rejected-spread" per "runtime": "Calls rejected with arrivals at random over 2 L, a seed per round.",
        C06RejectedNoLimitTcp = "c06-rejected-no-limit-tcp" per "runtime": "Calls rejected with no client limit, over TCP by the latency server in capacity mode (busy replies).",
        C06RejectedSemaphoreTcp = "c06-rejected-semaphore-tcp" per "runtime": "Calls rejected under semaphore(10), over TCP by the latency server in capacity mode.",
        C06RejectedSpreadTcp = "c06-rejected-spread-tcp" per "runtime": "Calls rejected with arrivals at random over 2 L, a seed per round, over TCP by the latency server in capacity mode.",
    }
    "C07" => {
        C07TaskResident = "c07-task-resident" once: "Resident bytes per idle tokio task.",
        C07ThreadResident = "c07-thread-resident" once: "Resident bytes per idle thread.",
        C07ThreadVirtual = "c07-thread-virtual" once: "Virtual bytes per idle thread (its stack reservation).",
        C07ProcessPss = "c07-process-pss" once: "Proportional bytes per idle worker process.",
        C07ProcessRss = "c07-process-rss" once: "Resident bytes per idle worker process.",
        C07TaskKernel = "c07-task-kernel" once: "Kernel bytes per idle tokio task.",
        C07ThreadKernel = "c07-thread-kernel" once: "Kernel bytes per idle thread (kernel stack, task struct, page tables).",
        C07ProcessKernel = "c07-process-kernel" once: "Kernel bytes per idle worker process.",
        C07TaskTotal = "c07-task-total" once: "Resident and kernel bytes per idle tokio task.",
        C07ThreadTotal = "c07-thread-total" once: "Resident and kernel bytes per idle thread.",
        C07ProcessTotal = "c07-process-total" once: "Proportional and kernel bytes per idle worker process.",
    }
    "C08" => {
        C08Tasks = "c08-tasks" once: "Resident growth of 100 waiting tasks.",
        C08Threads = "c08-threads" once: "Resident growth of 100 waiting threads.",
        C08ThreadsVirtual = "c08-threads-virtual" once: "Virtual growth of 100 waiting threads.",
        C08TasksSlope = "c08-tasks-slope" once: "100 x the resident slope per tokio task over the memory pass's sizes.",
        C08ThreadsSlope = "c08-threads-slope" once: "100 x the resident slope per thread over the memory pass's sizes.",
    }
    "C09" => {
        C09Tasks = "c09-tasks" once: "Most idle tasks parked.",
        C09Threads = "c09-threads" once: "Most idle threads parked.",
        C09Processes = "c09-processes" once: "Most idle processes parked (largest size tried).",
        C09PracticalTasks = "c09-practical-tasks" once: "Most tokio tasks waiting L at once that surely keep io efficiency >= 0.5; interval up to the most that possibly do.",
        C09PracticalThreads = "c09-practical-threads" once: "Most threads (one per task) waiting L at once that surely keep io efficiency >= 0.5; interval up to the most that possibly do.",
        C09PracticalProcesses = "c09-practical-processes" once: "Most processes (one per task) waiting L at once that surely keep io efficiency >= 0.5; interval up to the most that possibly do.",
        C09Efficiency = "c09-efficiency" per "runtime and size": "Io efficiency (ideal wall L over measured wall) of a size measured in rounds.",
    }
    "C10" => {
        C10Sequential = "c10-sequential" once: "Sequential wall time of the CPU work.",
        C10Speedup = "c10-speedup" per "runtime": "Speed-up over sequential.",
        C10Compute = "c10-compute" once: "n of each task's factorial, calibrated.",
        C10TaskSeconds = "c10-task-seconds" once: "One task's factorial, calibrated to about 15 ms.",
        C10PeakMemory = "c10-peak-memory" per "runtime": "Peak memory of the cell (worker processes alive at once included).",
        C10OverFastest = "c10-over-fastest" per "runtime": "The cell's wall over the fastest counted cell's (by median; a legacy runtime is never that cell), its interval from the two cells' walls alone: 1 exactly for the fastest.",
    }
    "C11" => {
        C11StartTask = "c11-start-task" once: "Cost to start and join a tokio task.",
        C11StartThread = "c11-start-thread" once: "Cost to start and join a thread.",
        C11StartProcess = "c11-start-process" once: "Cost to start and reap a process.",
        C11Sequential = "c11-sequential" once: "Sequential wall time of the CPU work.",
        C11Speedup = "c11-speedup" per "runtime": "Speed-up over sequential.",
    }
    "C12" => {
        C12Async = "c12-async" per "runtime": "Wall time of the stepped tasks.",
        C12BlockingOneThread = "c12-blocking-one-thread" once: "Blocking sleeps on one thread.",
        C12CurrentThreadBlocking = "c12-current-thread-blocking" once: "Blocking sleeps on the current-thread runtime.",
    }
    "C13" => {
        C13ThreadsHop = "c13-threads-hop" once: "Seconds per hop in a ring of threads passing one token, pinned to one CPU.",
        C13ThreadsHopUnpinned = "c13-threads-hop-unpinned" once: "Seconds per hop in a ring of threads passing one token, unpinned.",
        C13ThreadsSwitchesPerHop = "c13-threads-switches-per-hop" once: "Voluntary context switches per hop between threads, pinned.",
        C13ThreadsSwitchesPerHopUnpinned = "c13-threads-switches-per-hop-unpinned" once: "Voluntary context switches per hop between threads, unpinned.",
        C13ThreadsInvoluntaryPerHop = "c13-threads-involuntary-per-hop" once: "Involuntary context switches per hop between threads, pinned.",
        C13ThreadsInvoluntaryPerHopUnpinned = "c13-threads-involuntary-per-hop-unpinned" once: "Involuntary context switches per hop between threads, unpinned.",
        C13ThreadsPerSwitch = "c13-threads-per-switch" once: "Time per context switch between threads, pinned: a hop over the units' switches per hop.",
        C13ThreadsAllSwitchesPerHop = "c13-threads-all-switches-per-hop" once: "The thread units' own context switches per hop, voluntary and involuntary, pinned (the gate: at least one).",
        C13ThreadsAllSwitchesPerHopUnpinned = "c13-threads-all-switches-per-hop-unpinned" once: "The thread units' own context switches per hop, voluntary and involuntary, unpinned.",
        C13TaskHop = "c13-task-hop" per "runtime": "Seconds per hop in a ring of tasks passing one token, pinned to one CPU.",
        C13TaskHopUnpinned = "c13-task-hop-unpinned" per "runtime": "Seconds per hop in a ring of tasks passing one token, unpinned.",
        C13TaskSwitchesPerHopPinned = "c13-task-switches-per-hop-pinned" per "runtime": "Voluntary context switches per hop between tasks, pinned.",
        C13ThreadsRoundTrip = "c13-threads-round-trip" once: "Seconds per ping-pong round trip between two threads, pinned to one CPU (folders from before the brigade).",
        C13ThreadsRoundTripUnpinned = "c13-threads-round-trip-unpinned" once: "Seconds per ping-pong round trip between two threads, unpinned (folders from before the brigade).",
        C13TaskRoundTrip = "c13-task-round-trip" per "runtime": "Seconds per ping-pong round trip between two tasks, pinned to one CPU (folders from before the brigade).",
        C13TaskRoundTripUnpinned = "c13-task-round-trip-unpinned" per "runtime": "Seconds per ping-pong round trip between two tasks, unpinned (folders from before the brigade).",
        C13TaskSwitchesPerHop = "c13-task-switches-per-hop" per "runtime": "Voluntary context switches per hop between tasks, unpinned.",
        C13IoHop = "c13-io-hop" per "runtime": "Seconds per hop in a ring of units over socketpairs, each hop woken by I/O readiness (threads or tasks), pinned to one CPU.",
        C13IoHopUnpinned = "c13-io-hop-unpinned" per "runtime": "Seconds per hop in a ring of units over socketpairs, each hop woken by I/O readiness, unpinned.",
        C13IoHopLessPipe = "c13-io-hop-less-pipe" per "runtime": "Seconds per I/O hop less the socket I/O alone measured in the same child (one thread doing every write and read), pinned.",
        C13IoHopLessPipeUnpinned = "c13-io-hop-less-pipe-unpinned" per "runtime": "Seconds per I/O hop less the socket I/O alone measured in the same child, unpinned.",
        C13IoPipe = "c13-io-pipe" once: "Seconds per hop of the socket I/O alone (one thread doing every write and read of a ring of the same size), pinned, over every child of the pinned I/O brigades.",
        C13IoPipeUnpinned = "c13-io-pipe-unpinned" once: "Seconds per hop of the socket I/O alone, unpinned, over every child of the unpinned I/O brigades.",
        C13IoSwitchesPerHop = "c13-io-switches-per-hop" per "runtime": "Voluntary context switches per I/O hop, pinned: the units' own for threads, the process's for tasks.",
        C13IoSwitchesPerHopUnpinned = "c13-io-switches-per-hop-unpinned" per "runtime": "Voluntary context switches per I/O hop, unpinned: the units' own for threads, the process's for tasks.",
        C13IoInvoluntaryPerHop = "c13-io-involuntary-per-hop" per "runtime": "Involuntary context switches per I/O hop, pinned: the units' own for threads, the process's for tasks.",
        C13IoInvoluntaryPerHopUnpinned = "c13-io-involuntary-per-hop-unpinned" per "runtime": "Involuntary context switches per I/O hop, unpinned: the units' own for threads, the process's for tasks.",
    }
    "C14" => {
        C14Sequential = "c14-sequential" once: "Sequential wall time of the CPU work.",
        C14Speedup = "c14-speedup" per "runtime": "Speed-up over sequential.",
        C14CoresUsed = "c14-cores-used" per "runtime": "Cores the cell kept busy: its CPU time (user and kernel) over its wall.",
    }
    "C15" => {
        C15CallsPerSecond = "c15-calls-per-second" per "client limit": "Calls completed per second.",
        C15Rejected = "c15-rejected" per "client limit": "Calls rejected.",
        C15AdaptiveFinalLimit = "c15-adaptive-final-limit" once: "The adaptive limit when the run ended.",
        C15CallsPerSecondTcp = "c15-calls-per-second-tcp" per "client limit": "Calls completed per second, over TCP against the latency server in capacity mode.",
        C15RejectedTcp = "c15-rejected-tcp" per "client limit": "Calls rejected (busy replies) over TCP by the latency server in capacity mode.",
        C15AdaptiveFinalLimitTcp = "c15-adaptive-final-limit-tcp" once: "The adaptive limit when the run over TCP ended.",
    }
    "C16" => {
        C16Sequential = "c16-sequential" once: "Sequential wall time of the waits.",
        C16ProcessPerCall = "c16-process-per-call" once: "Wall time with a process per call.",
        C16Tokio = "c16-tokio" once: "Wall time on tokio.",
        C16ProcessMemory = "c16-process-memory" once: "Bytes per worker process (PSS).",
        C16TaskMemory = "c16-task-memory" once: "Bytes per tokio task.",
    }
    "C17" => {
        C17BlockingInTasks = "c17-blocking-in-tasks" per "runtime": "Blocking calls made inside the tasks.",
        C17OnBlockingPool = "c17-on-blocking-pool" per "runtime": "The same calls on the blocking pool.",
    }
}

impl FigureId {
    /// Figures no claim writes any more, still read from the folders that hold them: C13's
    /// ping-pong round trips, before the brigade.
    pub const RETIRED: &'static [FigureId] = &[
        FigureId::C13ThreadsRoundTrip,
        FigureId::C13ThreadsRoundTripUnpinned,
        FigureId::C13TaskRoundTrip,
        FigureId::C13TaskRoundTripUnpinned,
    ];

    /// Whether no claim writes this figure any more.
    pub fn retired(self) -> bool {
        Self::RETIRED.contains(&self)
    }
}

/// C15's fixed client limits, as the subjects of its figures.
pub const C15_FIXED: [&str; 3] = ["semaphore(5)", "semaphore(10)", "semaphore(20)"];
/// C15's adaptive limiter, as the subject of its figures.
pub const C15_ADAPTIVE: &str = "adaptive";

impl fmt::Display for FigureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}
