//! [`SeenIds`]: an exact set of ids, compact enough for millions of them.
//!
//! A stream of ids is reported once per distinct id, so the stream has to remember every id
//! it has seen. `HashSet<String>` would cost a heap string (at least 32 bytes with the
//! allocator's overhead) plus a 24-byte slot per id. Here each id is written once into an
//! arena of fixed-size blocks (no doubling slack, no copy when it grows), with a one-byte
//! length; a 32-character lowercase hexadecimal id (Huawei's ids) is stored as its 16 bytes.
//! Per id that is 8 bytes of location, a 4-byte index in the hash table (plus its control
//! byte and free slots) and the id itself: 1,000,000 Huawei ids take about 35 MB, 1,000,000
//! seven-digit Aliyun ids about 26 MB. The set is exact: equal hashes are resolved by
//! comparing the stored bytes.

use std::borrow::Cow;
use std::hash::BuildHasher;

use hashbrown::HashTable;

/// The size of an arena block. An id longer than this gets a block of its own.
const BLOCK: usize = 256 * 1024;

/// Set in a location when the id is stored as the 16 bytes of 32 lowercase hex digits.
const HEX: u64 = 1 << 63;

/// How an id is stored: its bytes, or the 16 bytes its 32 lowercase hex digits spell.
enum Key<'a> {
    Raw(&'a [u8]),
    Hex([u8; 16]),
}

impl<'a> Key<'a> {
    fn of(id: &'a str) -> Key<'a> {
        let b = id.as_bytes();
        if b.len() == 32 && b.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
            let mut out = [0u8; 16];
            for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
                *o = (nibble(pair[0]) << 4) | nibble(pair[1]);
            }
            Key::Hex(out)
        } else {
            Key::Raw(b)
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Key::Raw(b) => b,
            Key::Hex(h) => h,
        }
    }

    fn is_hex(&self) -> bool {
        matches!(self, Key::Hex(_))
    }
}

fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        _ => c - b'a' + 10,
    }
}

/// The blocks of stored ids. An entry is a length (LEB128, one byte below 128) and the bytes.
#[derive(Default)]
struct Arena {
    blocks: Vec<Vec<u8>>,
}

impl Arena {
    /// Stores `bytes`; returns where (block in the high half, offset in the low half).
    fn push(&mut self, bytes: &[u8]) -> u64 {
        let mut len = [0u8; 10];
        let mut n = 0;
        let mut v = bytes.len();
        loop {
            let more = v >= 0x80;
            len[n] = (v as u8 & 0x7f) | if more { 0x80 } else { 0 };
            n += 1;
            v >>= 7;
            if !more {
                break;
            }
        }
        let need = n + bytes.len();
        let fits = self
            .blocks
            .last()
            .is_some_and(|b| b.capacity() - b.len() >= need);
        if !fits {
            self.blocks.push(Vec::with_capacity(need.max(BLOCK)));
        }
        let block_index = self.blocks.len() - 1;
        let block = &mut self.blocks[block_index];
        let offset = block.len();
        block.extend_from_slice(&len[..n]);
        block.extend_from_slice(bytes);
        ((block_index as u64) << 32) | offset as u64
    }

    /// The bytes stored at `loc` (without [`HEX`]).
    fn get(&self, loc: u64) -> &[u8] {
        let block = &self.blocks[((loc & !HEX) >> 32) as usize];
        let mut at = (loc & 0xffff_ffff) as usize;
        let (mut len, mut shift) = (0usize, 0);
        while let Some(&c) = block.get(at) {
            at += 1;
            len |= usize::from(c & 0x7f) << shift;
            shift += 7;
            if c & 0x80 == 0 {
                break;
            }
        }
        block.get(at..at + len).unwrap_or_default()
    }
}

/// An exact, append-only set of ids.
#[derive(Default)]
pub struct SeenIds {
    hasher: std::hash::RandomState,
    /// Indexes into `locs`.
    table: HashTable<u32>,
    /// Where id `i` is stored, with [`HEX`] set when it is stored as hex.
    locs: Vec<u64>,
    arena: Arena,
}

impl std::fmt::Debug for SeenIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeenIds")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

/// The hash of a key: its bytes and whether they are hex.
fn hash_of(hasher: &std::hash::RandomState, hex: bool, bytes: &[u8]) -> u64 {
    hasher.hash_one((hex, bytes))
}

/// Whether the id stored at `loc` is `key`.
fn matches(arena: &Arena, loc: u64, key: &Key<'_>) -> bool {
    (loc & HEX != 0) == key.is_hex() && arena.get(loc) == key.bytes()
}

impl SeenIds {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of distinct ids.
    pub fn len(&self) -> usize {
        self.locs.len()
    }

    /// True when no id was added.
    pub fn is_empty(&self) -> bool {
        self.locs.is_empty()
    }

    /// The id at `index` (in the order ids were first added).
    pub fn get(&self, index: usize) -> Option<Cow<'_, str>> {
        let loc = *self.locs.get(index)?;
        let bytes = self.arena.get(loc);
        if loc & HEX != 0 {
            const DIGITS: &[u8; 16] = b"0123456789abcdef";
            let mut out = String::with_capacity(32);
            for b in bytes {
                out.push(char::from(DIGITS[usize::from(b >> 4)]));
                out.push(char::from(DIGITS[usize::from(b & 0xf)]));
            }
            Some(Cow::Owned(out))
        } else {
            std::str::from_utf8(bytes).ok().map(Cow::Borrowed)
        }
    }

    /// The ids, in the order they were first added.
    pub fn iter(&self) -> impl Iterator<Item = Cow<'_, str>> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: &str) -> bool {
        self.index_of(id).is_some()
    }

    /// The index of `id` (the order it was first added in), if it is in the set.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        let key = Key::of(id);
        let hash = hash_of(&self.hasher, key.is_hex(), key.bytes());
        self.table
            .find(hash, |&i| matches(&self.arena, self.locs[i as usize], &key))
            .map(|&i| i as usize)
    }

    /// Adds `id`; true when it was not there yet. Past `u32::MAX` distinct ids the set stops
    /// growing and says every further id is new (no panic, and no id is ever dropped as a
    /// false duplicate).
    pub fn insert(&mut self, id: &str) -> bool {
        self.insert_full(id).1
    }

    /// Adds `id`: its index, and true when it was not there yet (the index is `None` only
    /// past `u32::MAX` distinct ids, where the set stops growing).
    pub fn insert_full(&mut self, id: &str) -> (Option<usize>, bool) {
        let key = Key::of(id);
        let hash = hash_of(&self.hasher, key.is_hex(), key.bytes());
        let Self {
            hasher,
            table,
            locs,
            arena,
        } = self;
        if let Some(&i) = table.find(hash, |&i| matches(arena, locs[i as usize], &key)) {
            return (Some(i as usize), false);
        }
        let Ok(index) = u32::try_from(locs.len()) else {
            return (None, true);
        };
        let loc = arena.push(key.bytes()) | if key.is_hex() { HEX } else { 0 };
        locs.push(loc);
        let (locs, arena) = (&*locs, &*arena);
        table.insert_unique(hash, index, |&i| {
            let loc = locs[i as usize];
            hash_of(hasher, loc & HEX != 0, arena.get(loc))
        });
        (Some(index as usize), true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_membership_over_many_ids() {
        let mut s = SeenIds::new();
        for i in 0..100_000u32 {
            assert!(s.insert(&i.to_string()), "{i} is new");
        }
        for i in 0..100_000u32 {
            assert!(!s.insert(&i.to_string()), "{i} is seen");
            assert!(s.contains(&i.to_string()));
        }
        assert!(!s.contains("100000"));
        assert!(!s.contains(""));
        assert!(s.insert(""));
        assert!(s.contains(""));
        assert_eq!(s.len(), 100_001);
    }

    #[test]
    fn prefixes_and_neighbours_are_distinct() {
        let mut s = SeenIds::new();
        assert!(s.insert("ab"));
        assert!(s.insert("a"));
        assert!(s.insert("b"));
        assert!(s.insert("abc"));
        assert!(!s.insert("ab"));
        assert!(!s.contains("bc"));
        assert_eq!(s.index_of("abc"), Some(3));
        assert_eq!(s.get(1).as_deref(), Some("a"));
        assert_eq!(s.iter().collect::<Vec<_>>(), ["ab", "a", "b", "abc"]);
        assert_eq!(s.insert_full("b"), (Some(2), false));
    }

    /// Huawei's 32-hex-digit ids are stored as 16 bytes, yet stay distinct from every other
    /// spelling: upper case, 31 or 33 digits, and a 16-character id whose bytes are those 16.
    #[test]
    fn hex_ids_are_compact_and_distinct_from_their_neighbours() {
        let mut s = SeenIds::new();
        let hex = "0123456789abcdef0123456789abcdef";
        assert!(s.insert(hex));
        assert!(!s.insert(hex));
        assert!(s.insert(&hex.to_uppercase()));
        assert!(s.insert(&hex[..31]));
        assert!(s.insert(&format!("{hex}0")));
        // An id spelling the bytes "ABCDEFGHIJKLMNOP" in hex, and that 16-character id.
        assert!(s.insert("4142434445464748494a4b4c4d4e4f50"));
        assert!(s.insert("ABCDEFGHIJKLMNOP"));
        assert!(!s.insert("ABCDEFGHIJKLMNOP"));
        assert_eq!(s.get(5).as_deref(), Some("ABCDEFGHIJKLMNOP"));
        assert_eq!(
            s.get(4).as_deref(),
            Some("4142434445464748494a4b4c4d4e4f50")
        );
        assert_eq!(s.get(0).as_deref(), Some(hex));
        assert_eq!(s.index_of(&hex.to_uppercase()), Some(1));
        assert!(!s.contains("0123456789abcdef0123456789abcdeg"));
        assert_eq!(s.len(), 6);
        assert_eq!(s.iter().next().as_deref(), Some(hex));
    }

    /// Ids across many blocks, and ids longer than a block, all come back as given.
    #[test]
    fn long_ids_and_many_blocks() {
        let mut s = SeenIds::new();
        let long = "x".repeat(BLOCK * 2 + 3);
        let ids: Vec<String> = (0..60_000u32)
            .map(|i| format!("{i:032x}"))
            .chain((0..20_000u32).map(|i| format!("id-{i}-{}", "y".repeat((i % 300) as usize))))
            .chain([long.clone(), String::new()])
            .collect();
        for id in &ids {
            assert!(s.insert(id), "{id} is new");
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(s.index_of(id), Some(i));
            assert_eq!(s.get(i).as_deref(), Some(id.as_str()));
            assert!(!s.insert(id));
        }
        assert!(s.arena.blocks.len() > 2);
        assert!(!s.contains(&long[1..]));
    }
}
