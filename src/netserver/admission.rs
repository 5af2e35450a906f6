//! The capacity mode's bookkeeping: how many taken requests wait for their deadline, and
//! how many requests were taken or turned away. A server with a capacity of N turns a
//! request away (a busy reply, at once) when it arrives while N taken requests are still
//! waiting; a request is no longer waiting once its deadline has come and its reply is
//! being written. Without a capacity every request is taken. Both counts cover every
//! request since the server started, whatever its delay.

/// What the server has taken and turned away so far (the control command `counts`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests taken: answered with their reply after their delay.
    pub accepted: u64,
    /// Requests turned away with a busy reply: N were waiting when they arrived.
    pub rejected: u64,
}

/// The server's admission: its capacity, the taken requests waiting now, and its counts.
#[derive(Debug, Clone, Default)]
pub struct Admission {
    capacity: Option<usize>,
    waiting: usize,
    counts: Counts,
}

impl Admission {
    /// Admission for a server taking at most `capacity` waiting requests (None: no limit).
    pub fn new(capacity: Option<usize>) -> Admission {
        Admission {
            capacity,
            ..Admission::default()
        }
    }

    /// A request has arrived: taken (true) unless `capacity` taken requests are waiting;
    /// counted either way.
    pub fn admit(&mut self) -> bool {
        let taken = self.capacity.is_none_or(|c| self.waiting < c);
        if taken {
            self.counts.accepted += 1;
        } else {
            self.counts.rejected += 1;
        }
        taken
    }

    /// A taken request now waits for its deadline.
    pub fn wait(&mut self) {
        self.waiting += 1;
    }

    /// A waiting request's deadline has come: it no longer holds a place.
    pub fn due(&mut self) {
        self.waiting = self.waiting.saturating_sub(1);
    }

    /// Taken requests waiting for their deadline now.
    #[cfg(test)]
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// The counts so far.
    pub fn counts(&self) -> Counts {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Requests arriving and waiting as the server sees them: `admit` then, if taken and
    /// delayed, `wait`.
    fn arrive(a: &mut Admission) -> bool {
        let taken = a.admit();
        if taken {
            a.wait();
        }
        taken
    }

    #[test]
    fn beyond_capacity_a_request_is_turned_away_and_taken_again_once_one_is_due() {
        let mut a = Admission::new(Some(2));
        assert!(arrive(&mut a) && arrive(&mut a));
        assert!(!arrive(&mut a), "a third while two wait");
        assert!(!arrive(&mut a));
        assert_eq!(a.waiting(), 2, "a turned-away request holds no place");
        a.due();
        assert!(arrive(&mut a), "a place came free");
        assert!(!arrive(&mut a));
        a.due();
        a.due();
        assert_eq!(a.waiting(), 0);
        assert!(arrive(&mut a) && arrive(&mut a));
        assert_eq!(
            a.counts(),
            Counts {
                accepted: 5,
                rejected: 3
            }
        );
    }

    #[test]
    fn without_capacity_every_request_is_taken_and_a_capacity_of_0_takes_none() {
        let mut free = Admission::new(None);
        assert!((0..1_000).all(|_| arrive(&mut free)));
        assert_eq!(free.counts().rejected, 0);
        let mut closed = Admission::new(Some(0));
        assert!((0..10).all(|_| !arrive(&mut closed)));
        assert_eq!(
            closed.counts(),
            Counts {
                accepted: 0,
                rejected: 10
            }
        );
    }
}
