//! The kernel's TCP counters a `net` cell is checked against: how often a listen queue
//! overflowed (the client's SYN dropped and sent again about a second later, which would
//! put the kernel's retry timer inside a wall time). Read from /proc/net/netstat, whose
//! `TcpExt:` lines procfs does not parse: a header line of names, then one of values.

/// TcpExt's ListenOverflows now (this network namespace, every socket), if readable.
pub fn listen_overflows() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/net/netstat").ok()?;
    tcp_ext(&text, "ListenOverflows")
}

/// The value of `name` in the `TcpExt:` lines of /proc/net/netstat's text.
fn tcp_ext(text: &str, name: &str) -> Option<u64> {
    let mut ext = text.lines().filter(|l| l.starts_with("TcpExt:"));
    let (names, values) = (ext.next()?, ext.next()?);
    let at = names.split_whitespace().position(|n| n == name)?;
    values.split_whitespace().nth(at)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_is_found_by_name_in_the_tcpext_lines() {
        let text = "TcpExt: SyncookiesSent ListenOverflows ListenDrops\n\
                    TcpExt: 0 1227 1230\n\
                    IpExt: InNoRoutes\nIpExt: 0\n";
        assert_eq!(tcp_ext(text, "ListenOverflows"), Some(1227));
        assert_eq!(tcp_ext(text, "ListenDrops"), Some(1230));
        assert_eq!(tcp_ext(text, "Nope"), None);
        assert_eq!(tcp_ext("", "ListenOverflows"), None);
        if std::path::Path::new("/proc/net/netstat").exists() {
            assert!(listen_overflows().is_some(), "this kernel's file parses");
        }
    }
}
