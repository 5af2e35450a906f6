//! The wire protocol, written once for the server and every client. A request is a fixed
//! frame of [`REQUEST_LEN`] bytes: the delay in microseconds, then the token, each a u64
//! little-endian; the delay word's top bit ([`LAST_FLAG`]) marks a connection's last
//! request, after whose reply the server closes first (so the TIME_WAIT state stays on the
//! server's side and never holds a client's ephemeral port). The reply, sent once the delay has passed, is `payload` bytes: the first
//! 8 are [`expected_reply_word`] of the token (little-endian), the rest a filler derived
//! from that word, so a reply can be checked in full and a lost or swapped reply changes a
//! checksum built from the words. A server in capacity mode answers a request it turns
//! away at once with a busy reply: the same frame, its word [`busy_reply_word`] of the
//! token, so a client tells the two apart ([`reply_kind`]) and still checks the reply.

use std::time::Duration;

/// Bytes in a request frame: delay (µs, u64 LE) then token (u64 LE).
pub const REQUEST_LEN: usize = 16;
/// The smallest reply: the reply word alone.
pub const MIN_PAYLOAD: usize = 8;
/// The reply size when none is given.
pub const DEFAULT_PAYLOAD: usize = 16;
/// The largest reply the server accepts to send (64 KiB): larger ones measure copying,
/// not waiting.
pub const MAX_PAYLOAD: usize = 1 << 16;

/// The delay word's top bit: this is the connection's last request; the server closes the
/// connection once its reply is written.
pub const LAST_FLAG: u64 = 1 << 63;

/// The longest delay a request can name, in microseconds (the word less its flag bit).
pub const MAX_DELAY_US: u64 = LAST_FLAG - 1;

/// One request: wait `delay`, then answer the reply of `token`; if `last`, close after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// How long the server waits before replying, in microseconds (at most [`MAX_DELAY_US`]).
    pub delay_us: u64,
    /// What the reply is derived from.
    pub token: u64,
    /// The connection's last request: the server closes once the reply is written, and
    /// the client reads that end of stream before it closes its own side.
    pub last: bool,
}

impl Request {
    /// A request for `delay` (whole microseconds, saturating) and `token`, not the last.
    pub fn new(delay: Duration, token: u64) -> Request {
        Request {
            delay_us: u64::try_from(delay.as_micros())
                .map_or(MAX_DELAY_US, |us| us.min(MAX_DELAY_US)),
            token,
            last: false,
        }
    }

    /// The same request, marked as the connection's last.
    pub fn last(self) -> Request {
        Request { last: true, ..self }
    }

    /// The frame on the wire.
    pub fn encode(self) -> [u8; REQUEST_LEN] {
        let mut frame = [0; REQUEST_LEN];
        let flag = if self.last { LAST_FLAG } else { 0 };
        frame[..8].copy_from_slice(&(self.delay_us.min(MAX_DELAY_US) | flag).to_le_bytes());
        frame[8..].copy_from_slice(&self.token.to_le_bytes());
        frame
    }

    /// A frame read back.
    pub fn decode(frame: &[u8; REQUEST_LEN]) -> Request {
        let word = |at: usize| u64::from_le_bytes(frame[at..at + 8].try_into().expect("8 bytes"));
        Request {
            delay_us: word(0) & MAX_DELAY_US,
            token: word(8),
            last: word(0) & LAST_FLAG != 0,
        }
    }
}

/// The word a correct reply to `token` starts with: MurmurHash3's 64-bit finaliser of the
/// token, a bijection (two tokens never share a word) whose bits all depend on every bit of
/// the token, so a sum or xor of words is a checksum a mixed-up reply breaks.
pub fn expected_reply_word(token: u64) -> u64 {
    let mut z = token ^ 0x6C61_7465_6E63_7921; // "latency!": token 0 is not word 0
    z = (z ^ (z >> 33)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    z = (z ^ (z >> 33)).wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    z ^ (z >> 33)
}

/// Xor'ed into a token before [`expected_reply_word`] gives its busy word ("busy----").
const BUSY_SALT: u64 = 0x6275_7379_2D2D_2D2D;

/// The word a busy reply to `token` starts with: the server in capacity mode turned the
/// request away. It is the reply word of another token (`token` xor a constant), so, the
/// reply word being a bijection, it never equals `token`'s own reply word.
pub fn busy_reply_word(token: u64) -> u64 {
    expected_reply_word(token ^ BUSY_SALT)
}

/// What a well-formed reply to a request of `token` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// Served: the reply came after the delay asked.
    Served,
    /// Busy: the server was at its capacity and answered at once.
    Busy,
}

/// The kind of a reply to `token` whose word is `word`; None if the word is neither of
/// `token`'s (a reply to another request).
pub fn reply_kind(token: u64, word: u64) -> Option<ReplyKind> {
    if word == expected_reply_word(token) {
        Some(ReplyKind::Served)
    } else if word == busy_reply_word(token) {
        Some(ReplyKind::Busy)
    } else {
        None
    }
}

/// Writes the reply to `token` into `out` (its length is the payload, at least
/// [`MIN_PAYLOAD`]): the reply word, then byte i is byte i % 8 of the word plus i.
pub fn encode_reply(token: u64, out: &mut [u8]) {
    encode_word(expected_reply_word(token), out);
}

/// Writes a reply whose word is `word` into `out`, filler and all (a served reply's word or
/// a busy one's).
pub fn encode_word(word: u64, out: &mut [u8]) {
    assert!(out.len() >= MIN_PAYLOAD, "a reply holds at least its word");
    let word = word.to_le_bytes();
    out[..8].copy_from_slice(&word);
    for (i, b) in out.iter_mut().enumerate().skip(8) {
        *b = word[i % 8].wrapping_add(i as u8);
    }
}

/// The reply word of a reply, if `reply` is a whole, well-formed reply (its filler agrees
/// with its word); None if it is short or its filler is not the one its word gives.
pub fn decode_reply(reply: &[u8]) -> Option<u64> {
    let word: [u8; 8] = reply.get(..8)?.try_into().ok()?;
    let filler_ok = reply
        .iter()
        .enumerate()
        .skip(8)
        .all(|(i, &b)| b == word[i % 8].wrapping_add(i as u8));
    filler_ok.then(|| u64::from_le_bytes(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_round_trips_through_its_frame() {
        for (delay_us, token) in [
            (0, 0),
            (1_000, 7),
            (MAX_DELAY_US, u64::MAX),
            (20_000, 1 << 40),
        ] {
            for last in [false, true] {
                let r = Request {
                    delay_us,
                    token,
                    last,
                };
                assert_eq!(Request::decode(&r.encode()), r);
            }
        }
        let huge = Request::new(Duration::MAX, 1);
        assert_eq!(
            huge.delay_us, MAX_DELAY_US,
            "a huge delay saturates below the flag"
        );
        assert!(!Request::decode(&huge.encode()).last);
        assert_eq!(
            Request::new(Duration::from_millis(3), 9).delay_us,
            3_000,
            "whole microseconds"
        );
    }

    #[test]
    fn a_reply_carries_its_tokens_word_and_is_checked_in_full() {
        for payload in [MIN_PAYLOAD, DEFAULT_PAYLOAD, 1000] {
            for token in [0, 1, 42, u64::MAX] {
                let mut reply = vec![0; payload];
                encode_reply(token, &mut reply);
                assert_eq!(decode_reply(&reply), Some(expected_reply_word(token)));
                if payload > 8 {
                    reply[payload - 1] ^= 1;
                    assert_eq!(decode_reply(&reply), None, "a damaged filler is refused");
                }
            }
        }
        assert_eq!(decode_reply(&[0; 7]), None, "a short reply is refused");
    }

    #[test]
    fn a_busy_reply_is_told_apart_from_a_served_one_and_checked_in_full() {
        for token in [0, 1, 42, BUSY_SALT, u64::MAX] {
            let (served, busy) = (expected_reply_word(token), busy_reply_word(token));
            assert_ne!(served, busy, "token {token}");
            assert_eq!(reply_kind(token, served), Some(ReplyKind::Served));
            assert_eq!(reply_kind(token, busy), Some(ReplyKind::Busy));
            assert_eq!(
                reply_kind(token ^ 1, busy),
                None,
                "another token's busy word"
            );
            assert_eq!(reply_kind(token, served ^ 1), None);
            let mut reply = vec![0; DEFAULT_PAYLOAD];
            encode_word(busy, &mut reply);
            assert_eq!(decode_reply(&reply), Some(busy));
            reply[DEFAULT_PAYLOAD - 1] ^= 1;
            assert_eq!(
                decode_reply(&reply),
                None,
                "a damaged busy filler is refused"
            );
        }
        let busy: std::collections::HashSet<u64> = (0..10_000).map(busy_reply_word).collect();
        assert_eq!(busy.len(), 10_000, "two tokens never share a busy word");
        assert!((0..10_000).all(|t| busy_reply_word(t) != expected_reply_word(t)));
    }

    #[test]
    fn neighbouring_tokens_give_unrelated_words() {
        let words: std::collections::HashSet<u64> = (0..10_000).map(expected_reply_word).collect();
        assert_eq!(words.len(), 10_000);
        assert_ne!(expected_reply_word(0), 0);
        let flipped = (expected_reply_word(1) ^ expected_reply_word(0)).count_ones();
        assert!((16..=48).contains(&flipped), "{flipped} bits differ");
    }
}
