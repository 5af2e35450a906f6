//! The machine a results folder was measured on, recorded with every result.
//!
//! [`Machine::collect`] reads the hardware, OS, limits and build facts once; it never fails:
//! a text it cannot read becomes `"unknown"`, a number becomes `None` (or 0 where the field
//! is not optional). Build facts (rustc version, Cargo.lock versions) come from `build.rs`.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use procfs::{CpuInfo, Current, Meminfo};
use serde::{Deserialize, Serialize};

use crate::measure::os_limits;

const UNKNOWN: &str = "unknown";

/// Everything about the machine and the build that can explain a difference between results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    /// `model name` of /proc/cpuinfo, or "unknown".
    pub cpu_model: String,
    /// CPUs this process may use (`available_parallelism`: affinity and cgroup quota); 1 if unknown.
    pub cores: usize,
    /// Logical CPUs online (processors in /proc/cpuinfo, else sysconf); 0 if unknown.
    pub logical_cpus_online: usize,
    /// MemTotal of /proc/meminfo in bytes; 0 if unknown.
    pub memory_bytes: u64,
    /// Kernel release and version from uname, e.g. "6.8.0-45-generic #45-Ubuntu SMP ...".
    pub kernel: String,
    /// PRETTY_NAME of /etc/os-release, or "unknown".
    pub os: String,
    /// The host name.
    pub hostname: String,
    /// The compiler that built this binary, e.g. "rustc 1.95.0 (59807616e 2026-04-14)".
    pub rustc: String,
    /// "debug" or "release" (whether debug assertions were on).
    pub profile: String,
    /// This crate's version.
    pub rtbench_version: String,
    /// Versions Cargo.lock resolves for the compared runtime crates; several versions of one
    /// crate are joined by ",".
    pub crate_versions: BTreeMap<String, String>,
    /// `git rev-parse HEAD` of the source tree at run time, or "unknown".
    pub git_commit: String,
    /// Whether `git status --porcelain` lists anything; None without git or a repository.
    pub git_dirty: Option<bool>,
    /// When the machine was described, UTC, RFC 3339 (`2026-11-23T14:05:00Z`).
    pub date: String,
    /// The arguments rtbench was started with.
    pub command_line: Vec<String>,
    /// The OS limits that stop threads and processes.
    pub limits: OsLimits,
}

/// OS limits that decide how many threads or processes a run can start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsLimits {
    /// /proc/sys/kernel/threads-max.
    pub threads_max: Option<u64>,
    /// /proc/sys/vm/max_map_count (each thread stack takes mappings).
    pub max_map_count: Option<u64>,
    /// /proc/sys/kernel/pid_max.
    pub pid_max: Option<u64>,
    /// Soft RLIMIT_NPROC; None when unlimited or unreadable.
    pub max_user_processes: Option<u64>,
    /// Soft RLIMIT_STACK in bytes; None when unlimited or unreadable.
    pub stack_size_bytes: Option<u64>,
    /// Soft RLIMIT_NOFILE as rtbench was started (`ulimit -n`); None when unlimited or
    /// unreadable, or in a file from before it was recorded.
    #[serde(default)]
    pub open_files_at_start: Option<u64>,
    /// Soft RLIMIT_NOFILE during the run: rtbench raises it to the hard limit at start.
    #[serde(default)]
    pub open_files: Option<u64>,
    /// Hard RLIMIT_NOFILE.
    #[serde(default)]
    pub open_files_hard: Option<u64>,
    /// net.core.somaxconn: the most a listen backlog may hold.
    #[serde(default)]
    pub somaxconn: Option<u64>,
    /// net.ipv4.ip_local_port_range, first and last port.
    #[serde(default)]
    pub local_ports: Option<[u64; 2]>,
}

impl Machine {
    /// Describes this machine and build now; `command_line` is recorded as given.
    pub fn collect(command_line: Vec<String>) -> Machine {
        let cpuinfo = CpuInfo::current().ok();
        let uname = Uname::read();
        let git_dir = env!("CARGO_MANIFEST_DIR");
        Machine {
            cpu_model: cpuinfo
                .as_ref()
                .and_then(cpu_model)
                .unwrap_or_else(|| UNKNOWN.to_string()),
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            logical_cpus_online: logical_cpus_online(cpuinfo.as_ref()),
            memory_bytes: Meminfo::current().map_or(0, |meminfo| meminfo.mem_total),
            kernel: uname
                .as_ref()
                .map(|u| format!("{} {}", u.release, u.version).trim().to_string())
                .filter(|kernel| !kernel.is_empty())
                .unwrap_or_else(|| UNKNOWN.to_string()),
            os: ["/etc/os-release", "/usr/lib/os-release"]
                .iter()
                .find_map(|path| std::fs::read_to_string(path).ok())
                .and_then(|text| os_pretty_name(&text))
                .unwrap_or_else(|| UNKNOWN.to_string()),
            hostname: uname
                .map(|u| u.nodename)
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| UNKNOWN.to_string()),
            rustc: option_env!("RTBENCH_RUSTC_VERSION")
                .unwrap_or(UNKNOWN)
                .to_string(),
            profile: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .to_string(),
            rtbench_version: env!("CARGO_PKG_VERSION").to_string(),
            crate_versions: parse_crate_versions(
                option_env!("RTBENCH_CRATE_VERSIONS").unwrap_or(""),
            ),
            git_commit: git(git_dir, &["rev-parse", "HEAD"])
                .map(|out| out.trim().to_string())
                .filter(|hash| !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()))
                .unwrap_or_else(|| UNKNOWN.to_string()),
            git_dirty: git(git_dir, &["status", "--porcelain"]).map(|out| !out.trim().is_empty()),
            date: utc_now_rfc3339(),
            command_line,
            limits: OsLimits::collect(),
        }
    }

    /// The hostname for a folder name: lowercase `[a-z0-9-]`, other characters as `-`
    /// (runs collapsed, none at the ends), at most 40 characters, "host" if nothing is left.
    pub fn host_slug(&self) -> String {
        let mut slug = String::new();
        for c in self.hostname.chars().map(|c| c.to_ascii_lowercase()) {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        // Only ASCII was pushed, so byte truncation is safe.
        slug.truncate(40);
        let slug = slug.trim_end_matches('-');
        if slug.is_empty() {
            "host".to_string()
        } else {
            slug.to_string()
        }
    }

    /// The `YYYY-MM-DD` prefix of [`Machine::date`] (the whole field if it is shorter).
    pub fn day(&self) -> &str {
        self.date.get(..10).unwrap_or(&self.date)
    }
}

impl OsLimits {
    /// Reads the limits now (through `measure::os_limits`, the reader the error messages use).
    fn collect() -> OsLimits {
        let read = os_limits::Limits::read();
        OsLimits {
            threads_max: read.threads_max.value(),
            max_map_count: read.max_map_count.value(),
            pid_max: read.pid_max.value(),
            max_user_processes: read.max_user_processes.value(),
            stack_size_bytes: read.stack_size_bytes.value(),
            open_files_at_start: os_limits::raised_open_files()
                .map_or(read.max_open_files, |o| o.soft_at_start)
                .value(),
            open_files: read.max_open_files.value(),
            open_files_hard: read.max_open_files_hard.value(),
            somaxconn: read.somaxconn.value(),
            local_ports: read.local_ports.map(|(lo, hi)| [lo, hi]),
        }
    }
}

/// The current time, UTC, as RFC 3339 with whole seconds: `2026-11-23T14:05:00Z`.
pub fn utc_now_rfc3339() -> String {
    let secs = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    };
    rfc3339_from_unix(secs)
}

/// Seconds since 1970-01-01T00:00:00Z as RFC 3339 UTC; no leap seconds, as in Unix time.
fn rfc3339_from_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// (year, month, day) of the proleptic Gregorian calendar for a count of days since
/// 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Shift the epoch to 0000-03-01 so leap days fall at the end of a year, then count in
    // 400-year eras of 146 097 days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097); // [0, 146096]
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365; // [0, 399]
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // [0, 365]
    let month_from_march = (5 * day_of_year + 2) / 153; // [0, 11]
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32; // [1, 31]
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32; // [1, 12]
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `model name` of the first CPU in /proc/cpuinfo, runs of whitespace collapsed.
fn cpu_model(cpuinfo: &CpuInfo) -> Option<String> {
    cpuinfo
        .model_name(0)
        .map(|model| model.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|model| !model.is_empty())
}

/// The CPUs /proc/cpuinfo lists (blocks with a `processor` line), else sysconf's count.
fn logical_cpus_online(cpuinfo: Option<&CpuInfo>) -> usize {
    let listed = cpuinfo.map_or(0, |info| {
        (0..info.num_cores())
            .filter(|&cpu| info.get_field(cpu, "processor").is_some())
            .count()
    });
    if listed > 0 {
        return listed;
    }
    // SAFETY: sysconf only reads a configuration value.
    let online = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    usize::try_from(online).unwrap_or(0)
}

/// PRETTY_NAME of an os-release file, unquoted.
fn os_pretty_name(os_release: &str) -> Option<String> {
    let raw = os_release
        .lines()
        .find_map(|line| line.trim().strip_prefix("PRETTY_NAME="))?
        .trim();
    let unquoted = ['"', '\'']
        .iter()
        .find_map(|&q| raw.strip_prefix(q)?.strip_suffix(q))
        .unwrap_or(raw);
    let mut name = String::new();
    let mut chars = unquoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => name.extend(chars.next()),
            c => name.push(c),
        }
    }
    let name = name.trim().to_string();
    (!name.is_empty()).then_some(name)
}

/// The fields of uname(2) this module records.
struct Uname {
    nodename: String,
    release: String,
    version: String,
}

impl Uname {
    fn read() -> Option<Uname> {
        // SAFETY: utsname is plain C arrays, for which all zero bytes are valid.
        let mut raw: libc::utsname = unsafe { std::mem::zeroed() };
        // SAFETY: `raw` is a valid, writable utsname for the duration of the call.
        if unsafe { libc::uname(&mut raw) } != 0 {
            return None;
        }
        Some(Uname {
            nodename: c_chars(&raw.nodename),
            release: c_chars(&raw.release),
            version: c_chars(&raw.version),
        })
    }
}

/// A NUL-terminated C char array as text (lossy), without reading past the array.
fn c_chars(chars: &[libc::c_char]) -> String {
    let bytes: Vec<u8> = chars
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).trim().to_string()
}

/// `name=1.2.3;other=4.5.6` as written by build.rs.
fn parse_crate_versions(encoded: &str) -> BTreeMap<String, String> {
    encoded
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(name, version)| !name.is_empty() && !version.is_empty())
        .map(|(name, version)| (name.to_string(), version.to_string()))
        .collect()
}

/// Stdout of a successful `git -C dir args...`; None if git is missing or fails.
fn git(dir: &str, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        // Do not take the index lock: a concurrent git command must not fail because of us.
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use procfs::FromBufRead;

    fn is_rfc3339_utc(date: &str) -> bool {
        let bytes = date.as_bytes();
        bytes.len() == 20
            && bytes.iter().enumerate().all(|(i, &b)| match i {
                4 | 7 => b == b'-',
                10 => b == b'T',
                13 | 16 => b == b':',
                19 => b == b'Z',
                _ => b.is_ascii_digit(),
            })
    }

    fn with_hostname(hostname: &str) -> Machine {
        let mut machine = Machine::collect(Vec::new());
        machine.hostname = hostname.to_string();
        machine
    }

    #[test]
    fn collect_describes_this_machine() {
        let args = vec!["rtbench".to_string(), "run".to_string()];
        let machine = Machine::collect(args.clone());
        assert!(machine.cores >= 1);
        assert!(machine.logical_cpus_online >= 1);
        assert!(machine.memory_bytes > 0);
        assert!(is_rfc3339_utc(&machine.date), "{}", machine.date);
        assert_eq!(machine.day().len(), 10);
        assert!(machine.date.starts_with(machine.day()));
        assert!(machine.crate_versions.contains_key("tokio"));
        assert!(machine.crate_versions.contains_key("rayon"));
        assert!(machine.rustc.starts_with("rustc "), "{}", machine.rustc);
        assert_eq!(machine.rtbench_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(machine.command_line, args);
        assert_ne!(machine.kernel, "");
        assert!(machine.limits.pid_max.is_some());
    }

    #[test]
    fn machine_round_trips_through_json() {
        let machine = Machine::collect(vec!["rtbench".to_string()]);
        let json = serde_json::to_string(&machine).unwrap();
        assert_eq!(serde_json::from_str::<Machine>(&json).unwrap(), machine);
    }

    #[test]
    fn host_slug_keeps_only_lowercase_letters_digits_and_dashes() {
        assert_eq!(
            with_hostname("My_Laptop.local").host_slug(),
            "my-laptop-local"
        );
        assert_eq!(with_hostname("build-01").host_slug(), "build-01");
        assert_eq!(with_hostname("  --Ünïcode--  ").host_slug(), "n-code");
        assert_eq!(with_hostname("").host_slug(), "host");
        assert_eq!(with_hostname("...___").host_slug(), "host");
        let long = with_hostname(&"a.".repeat(50)).host_slug();
        assert!(long.len() <= 40 && !long.ends_with('-'), "{long}");
        assert_eq!(with_hostname(&"x".repeat(60)).host_slug(), "x".repeat(40));
    }

    #[test]
    fn unix_seconds_convert_to_rfc3339() {
        assert_eq!(rfc3339_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_from_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_from_unix(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_from_unix(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339_from_unix(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(rfc3339_from_unix(4_102_444_800), "2100-01-01T00:00:00Z");
        assert_eq!(rfc3339_from_unix(253_402_300_799), "9999-12-31T23:59:59Z");
        assert!(is_rfc3339_utc(&utc_now_rfc3339()));
    }

    #[test]
    fn proc_and_os_release_text_is_parsed() {
        let parse = |text: &str| CpuInfo::from_buf_read(text.as_bytes()).unwrap();
        let two = parse(
            "processor\t: 0\nmodel name\t: AMD  Ryzen 7\n\nprocessor\t: 1\nmodel name\t: AMD  Ryzen 7\n",
        );
        assert_eq!(cpu_model(&two).as_deref(), Some("AMD Ryzen 7"));
        assert_eq!(logical_cpus_online(Some(&two)), 2);
        let one = parse("processor\t: 0\n");
        assert_eq!(cpu_model(&one), None);
        assert_eq!(logical_cpus_online(Some(&one)), 1);
        assert!(logical_cpus_online(None) >= 1);
        // Without a `processor` line procfs keeps nothing: sysconf counts instead.
        let unlisted = parse("model name\t: x\n");
        assert_eq!(cpu_model(&unlisted), None);
        assert!(logical_cpus_online(Some(&unlisted)) >= 1);
        assert_eq!(
            os_pretty_name("NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n")
                .as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(
            os_pretty_name("PRETTY_NAME=Alpine\n").as_deref(),
            Some("Alpine")
        );
        assert_eq!(os_pretty_name("NAME=x\n"), None);
        let versions = parse_crate_versions("rayon=1.12.0;tokio=1.54.1;bad;rand=0.8.5,0.9.0");
        assert_eq!(versions.len(), 3);
        assert_eq!(versions["rand"], "0.8.5,0.9.0");
    }
}
