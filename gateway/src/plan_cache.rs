//! A bounded cache of prepared operations: two generations of hash maps. Lookups hit the
//! current generation, then the previous one (promoting the entry); when the current one is
//! full it becomes the previous one. Memory is bounded by twice the capacity and every
//! operation is O(1), with no per-hit bookkeeping beyond one lock.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The cache.
pub struct PlanCache<V: Clone> {
    capacity: usize,
    generations: Mutex<Generations<V>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

struct Generations<V> {
    current: HashMap<u64, V>,
    previous: HashMap<u64, V>,
}

impl<V: Clone> PlanCache<V> {
    /// A cache holding at least `capacity` entries (at most twice as many).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            generations: Mutex::new(Generations {
                current: HashMap::new(),
                previous: HashMap::new(),
            }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The value for `key`, counting a hit or a miss.
    pub fn get(&self, key: u64) -> Option<V> {
        let mut g = self.generations.lock().unwrap_or_else(|p| p.into_inner());
        let found = match g.current.get(&key) {
            Some(v) => Some(v.clone()),
            None => match g.previous.remove(&key) {
                Some(v) => {
                    Self::put(&mut g, self.capacity, key, v.clone());
                    Some(v)
                }
                None => None,
            },
        };
        drop(g);
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores a value.
    pub fn insert(&self, key: u64, value: V) {
        let mut g = self.generations.lock().unwrap_or_else(|p| p.into_inner());
        Self::put(&mut g, self.capacity, key, value);
    }

    fn put(g: &mut Generations<V>, capacity: usize, key: u64, value: V) {
        if g.current.len() >= capacity {
            g.previous = std::mem::take(&mut g.current);
        }
        g.current.insert(key, value);
    }

    /// (hits, misses) so far.
    pub fn stats(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        let g = self.generations.lock().unwrap_or_else(|p| p.into_inner());
        g.current.len() + g.previous.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_bounded_and_keeps_recently_used_entries() {
        let cache = PlanCache::new(3);
        for k in 0..3 {
            cache.insert(k, k * 10);
        }
        assert_eq!(cache.get(0), Some(0));
        for k in 3..6 {
            cache.insert(k, k * 10);
        }
        assert!(cache.len() <= 6, "bounded by twice the capacity");
        assert_eq!(cache.get(5), Some(50));
        for k in 6..9 {
            cache.insert(k, k * 10);
        }
        assert_eq!(cache.get(1), None, "an entry unused for two generations is gone");
        let (hits, misses) = cache.stats();
        assert_eq!((hits, misses), (2, 1));
    }
}
