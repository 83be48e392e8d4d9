//! [`SeenIds`]: an exact set of ids, compact enough for millions of them.
//!
//! A stream of ids is reported once per distinct id, so the stream has to remember every id
//! it has seen. `HashSet<String>` would cost a heap string (at least 32 bytes with the
//! allocator's overhead) plus a 24-byte slot per id; here the ids' bytes sit end to end in
//! one arena and the hash table holds only a 4-byte index per id, about 4 + 8 + the id's
//! length bytes per id in all (1,000,000 ten-character ids: about 26 MB at the peak of a
//! resize). The set is exact: equal hashes are resolved by comparing the bytes.

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// Id `i` of an arena.
fn slice<'a>(ends: &[usize], bytes: &'a str, i: u32) -> Option<&'a [u8]> {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    bytes.as_bytes().get(start..*ends.get(i)?)
}

/// An exact, append-only set of ids.
#[derive(Default)]
pub struct SeenIds {
    hasher: std::hash::RandomState,
    table: HashTable<u32>,
    /// `ends[i]` is where id `i` ends in `bytes` (it starts where id `i - 1` ends).
    ends: Vec<usize>,
    bytes: String,
}

impl std::fmt::Debug for SeenIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeenIds")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl SeenIds {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of distinct ids.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when no id was added.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The id at `index` (in the order ids were first added).
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)?;
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        self.bytes.get(start..end)
    }

    /// The ids, in the order they were first added.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: &str) -> bool {
        self.index_of(id).is_some()
    }

    /// The index of `id` (the order it was first added in), if it is in the set.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(id.as_bytes());
        self.table
            .find(hash, |&i| self.get(i as usize) == Some(id))
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
        let hash = self.hasher.hash_one(id.as_bytes());
        let Self {
            hasher,
            table,
            ends,
            bytes,
        } = self;
        if let Some(&i) = table.find(hash, |&i| slice(ends, bytes, i) == Some(id.as_bytes())) {
            return (Some(i as usize), false);
        }
        let Ok(index) = u32::try_from(ends.len()) else {
            return (None, true);
        };
        bytes.push_str(id);
        ends.push(bytes.len());
        let (ends, bytes) = (&*ends, &*bytes);
        table.insert_unique(hash, index, |&i| {
            hasher.hash_one(slice(ends, bytes, i).unwrap_or_default())
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
        assert_eq!(s.get(1), Some("a"));
        assert_eq!(s.iter().collect::<Vec<_>>(), ["ab", "a", "b", "abc"]);
        assert_eq!(s.insert_full("b"), (Some(2), false));
    }
}
