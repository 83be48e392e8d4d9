//! Queued randomness and hex decoding, for pinning nonces, request ids and jitter.

use std::collections::VecDeque;
use std::sync::Mutex;

use super::lock;
use crate::random::Random;

/// Randomness that yields queued byte strings, for pinning nonces and request ids.
///
/// The first [`fill`](Random::fill) gets the first queued string, the second the second, and
/// so on: a string shorter than the buffer is padded with zeros, a longer one is cut. Once the
/// queue is empty every `fill` gets the filler byte (`0x5a` unless set with
/// [`with_filler`](Self::with_filler)). [`unit`](Random::unit) does not draw from the queue
/// and is always the same (0.5 unless set with [`with_unit`](Self::with_unit)), so backoff
/// delays are exact.
#[derive(Debug)]
pub struct QueuedRandom {
    chunks: Mutex<VecDeque<Vec<u8>>>,
    filler: u8,
    unit: f64,
}

impl QueuedRandom {
    /// Yields `chunks` in order, then filler bytes; `unit()` is 0.5.
    pub fn new(chunks: impl IntoIterator<Item = Vec<u8>>) -> Self {
        QueuedRandom {
            chunks: Mutex::new(chunks.into_iter().collect()),
            filler: 0x5a,
            unit: 0.5,
        }
    }

    /// Sets the byte a `fill` gets once the queue is empty.
    pub fn with_filler(mut self, filler: u8) -> Self {
        self.filler = filler;
        self
    }

    /// Sets what `unit()` returns.
    ///
    /// # Panics
    ///
    /// If `unit` is not in `[0, 1)`, the range [`Random::unit`] promises.
    pub fn with_unit(mut self, unit: f64) -> Self {
        assert!((0.0..1.0).contains(&unit), "unit {unit} not in [0, 1)");
        self.unit = unit;
        self
    }

    /// How many queued strings have not been drawn yet.
    pub fn remaining(&self) -> usize {
        lock(&self.chunks).len()
    }
}

impl Random for QueuedRandom {
    fn fill(&self, buf: &mut [u8]) {
        match lock(&self.chunks).pop_front() {
            Some(chunk) => {
                buf.fill(0);
                let n = chunk.len().min(buf.len());
                buf[..n].copy_from_slice(&chunk[..n]);
            }
            None => buf.fill(self.filler),
        }
    }

    fn unit(&self) -> f64 {
        self.unit
    }
}

/// The bytes behind a hex string; dashes are ignored, so a UUID gives its 16 bytes.
///
/// # Panics
///
/// On a character that is not a hex digit or a dash, or an odd number of digits.
pub fn hex_bytes(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .chars()
        .filter(|c| *c != '-')
        .map(|c| {
            let d = c
                .to_digit(16)
                .unwrap_or_else(|| panic!("{c:?} in {s:?} is not a hex digit"));
            d as u8
        })
        .collect();
    assert!(
        digits.len().is_multiple_of(2),
        "{s:?} has an odd number of hex digits"
    );
    digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_random_yields_the_queue_pads_cuts_then_fills() {
        let r = QueuedRandom::new([vec![1, 2], vec![3, 4, 5, 6], vec![7]]);
        let mut b = [0xffu8; 4];
        r.fill(&mut b);
        assert_eq!(b, [1, 2, 0, 0], "shorter: padded with zeros");
        let mut b = [0u8; 2];
        r.fill(&mut b);
        assert_eq!(b, [3, 4], "longer: cut");
        assert_eq!(r.unit(), 0.5, "unit draws nothing");
        assert_eq!(r.remaining(), 1);
        let mut b = [0u8; 3];
        r.fill(&mut b);
        assert_eq!(b, [7, 0, 0]);
        r.fill(&mut b);
        assert_eq!(b, [0x5a; 3], "then the filler");
        assert_eq!(r.remaining(), 0);

        let r = QueuedRandom::new([]).with_filler(0x11).with_unit(0.25);
        r.fill(&mut b);
        assert_eq!(b, [0x11; 3]);
        assert_eq!(r.unit(), 0.25);
    }

    #[test]
    fn queued_random_pins_uuids_and_nonces() {
        let uuid = "0f0e0d0c-0b0a-4908-8706-050403020100";
        let nonce = "3156853299f313e23d1673dc12e1703d";
        let r = QueuedRandom::new([hex_bytes(uuid), hex_bytes(nonce)]);
        assert_eq!(r.uuid(), uuid);
        assert_eq!(r.hex_nonce(), nonce);
    }

    #[test]
    #[should_panic(expected = "not in [0, 1)")]
    fn queued_random_refuses_a_unit_out_of_range() {
        let _ = QueuedRandom::new([]).with_unit(1.0);
    }

    #[test]
    fn hex_bytes_reads_hex_and_uuids() {
        assert_eq!(hex_bytes("00ff10Ab"), [0x00, 0xff, 0x10, 0xab]);
        assert_eq!(hex_bytes("0102-0304"), [1, 2, 3, 4]);
        assert_eq!(hex_bytes(""), Vec::<u8>::new());
        assert_eq!(hex_bytes("0f0e0d0c-0b0a-4908-8706-050403020100").len(), 16);
    }

    #[test]
    #[should_panic(expected = "odd number")]
    fn hex_bytes_refuses_odd_length() {
        let _ = hex_bytes("abc");
    }

    #[test]
    #[should_panic(expected = "not a hex digit")]
    fn hex_bytes_refuses_non_hex() {
        let _ = hex_bytes("zz");
    }
}
