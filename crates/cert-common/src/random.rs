//! Randomness for backoff jitter, signature nonces and client request ids, behind a seam so
//! tests can pin it. The default, [`FastRandom`], is seeded once from the operating system
//! (through *ring*) and then draws without system calls or locks.

use std::cell::Cell;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// A source of random bytes.
pub trait Random: Send + Sync + fmt::Debug {
    /// Fills `buf` with random bytes.
    fn fill(&self, buf: &mut [u8]);

    /// A float in `[0, 1)`.
    fn unit(&self) -> f64 {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// 32 lower-case hex characters (an Aliyun signature nonce).
    fn hex_nonce(&self) -> String {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        crate::sign::hex(&b)
    }

    /// A random (version 4) UUID, e.g. a client request id.
    fn uuid(&self) -> String {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(36);
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                s.push('-');
            }
            s.push(DIGITS[(byte >> 4) as usize] as char);
            s.push(DIGITS[(byte & 15) as usize] as char);
        }
        s
    }
}

/// The operating system's random numbers.
#[derive(Debug)]
pub struct SystemRandom(ring::rand::SystemRandom);

impl Default for SystemRandom {
    fn default() -> Self {
        SystemRandom(ring::rand::SystemRandom::new())
    }
}

impl Random for SystemRandom {
    fn fill(&self, buf: &mut [u8]) {
        use ring::rand::SecureRandom;
        if self.0.fill(buf).is_err() {
            // The OS generator does not fail on supported platforms; fall back to time-derived
            // bytes rather than panic (these bytes are nonces and jitter, not keys).
            let t = crate::time::Clock::now(&crate::time::SystemClock)
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            for (i, b) in buf.iter_mut().enumerate() {
                *b = (t >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(31);
            }
        }
    }
}

/// The default: a splitmix64 sequence seeded once from the operating system. Every draw is a
/// different point of a bijection over a counter, so within a process the values never repeat
/// (client request ids and signature nonces must be unique, not secret), and no draw costs a
/// system call or a lock. Each thread takes the counter in blocks of 64, so threads drawing at
/// the same time do not contend for it. Not for keys.
#[derive(Debug)]
pub struct FastRandom {
    /// Tells this generator's block in a thread's cache from another generator's.
    instance: u64,
    seed: u64,
    counter: AtomicU64,
}

/// Counter values a thread takes at once.
const BLOCK: u64 = 64;

static INSTANCES: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's current block: (generator, next counter value, values left).
    static THREAD_BLOCK: Cell<(u64, u64, u64)> = const { Cell::new((0, 0, 0)) };
}

impl Default for FastRandom {
    fn default() -> Self {
        let mut seed = [0u8; 8];
        SystemRandom::default().fill(&mut seed);
        FastRandom {
            instance: INSTANCES.fetch_add(1, Ordering::Relaxed),
            seed: u64::from_le_bytes(seed),
            counter: AtomicU64::new(0),
        }
    }
}

impl FastRandom {
    /// A counter value no other draw of this generator gets.
    fn next_counter(&self) -> u64 {
        let from_block = THREAD_BLOCK.try_with(|block| {
            let (instance, next, left) = block.get();
            if instance == self.instance && left > 0 {
                block.set((instance, next + 1, left - 1));
                next
            } else {
                let start = self.counter.fetch_add(BLOCK, Ordering::Relaxed);
                block.set((self.instance, start + 1, BLOCK - 1));
                start
            }
        });
        // A thread being torn down has no thread-locals left: draw one value directly.
        from_block.unwrap_or_else(|_| self.counter.fetch_add(1, Ordering::Relaxed))
    }

    fn next(&self) -> u64 {
        const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
        // GAMMA is odd, so distinct counters give distinct `z`, and the mix is a bijection.
        let mut z = self
            .seed
            .wrapping_add(self.next_counter().wrapping_add(1).wrapping_mul(GAMMA));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Random for FastRandom {
    fn fill(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// A deterministic generator (xorshift) for tests and reproducible runs.
#[derive(Debug)]
pub struct SeededRandom(Mutex<u64>);

impl SeededRandom {
    /// Seeded with `seed` (0 is replaced by a fixed non-zero constant).
    pub fn new(seed: u64) -> Self {
        SeededRandom(Mutex::new(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        }))
    }
}

impl Random for SeededRandom {
    fn fill(&self, buf: &mut [u8]) {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for chunk in buf.chunks_mut(8) {
            *s ^= *s << 13;
            *s ^= *s >> 7;
            *s ^= *s << 17;
            let bytes = s.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// Always the same value: `unit()` returns `value` (for exact-delay tests).
#[derive(Debug)]
pub struct FixedRandom(pub f64);

impl Random for FixedRandom {
    fn fill(&self, buf: &mut [u8]) {
        buf.fill(0xAB);
    }
    fn unit(&self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let r = SeededRandom::new(7);
        let u = r.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(r.hex_nonce().len(), 32);
        for _ in 0..1000 {
            let x = r.unit();
            assert!((0.0..1.0).contains(&x));
        }
        assert_ne!(
            SystemRandom::default().hex_nonce(),
            SystemRandom::default().hex_nonce()
        );
    }

    #[derive(Debug)]
    struct Counting;

    impl Random for Counting {
        fn fill(&self, buf: &mut [u8]) {
            for (i, b) in buf.iter_mut().enumerate() {
                *b = i as u8;
            }
        }
    }

    #[test]
    fn uuid_is_version_4_in_the_standard_layout() {
        assert_eq!(Counting.uuid(), "00010203-0405-4607-8809-0a0b0c0d0e0f");
        assert_eq!(Counting.hex_nonce(), "000102030405060708090a0b0c0d0e0f");
    }

    #[test]
    fn fast_random_does_not_repeat_across_threads_and_interleaved_instances() {
        let a = std::sync::Arc::new(FastRandom::default());
        let b = std::sync::Arc::new(FastRandom::default());
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (a, b) = (a.clone(), b.clone());
                std::thread::spawn(move || {
                    let mut mine = Vec::new();
                    for i in 0..3_000 {
                        // Alternating generators makes each thread refill its block often.
                        mine.push(if i % 3 == 0 {
                            b.hex_nonce()
                        } else {
                            a.hex_nonce()
                        });
                    }
                    mine
                })
            })
            .collect();
        let all: Vec<String> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect();
        let distinct: std::collections::HashSet<&String> = all.iter().collect();
        assert_eq!(distinct.len(), all.len());
    }

    #[test]
    fn fast_random_does_not_repeat_and_differs_per_instance() {
        let r = FastRandom::default();
        let ids: std::collections::HashSet<String> = (0..10_000).map(|_| r.uuid()).collect();
        assert_eq!(ids.len(), 10_000);
        assert_ne!(
            FastRandom::default().hex_nonce(),
            FastRandom::default().hex_nonce()
        );
        let mean = (0..10_000).map(|_| r.unit()).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
    }
}
