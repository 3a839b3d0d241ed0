//! A bounded in-memory outbox: keeps the latest messages, drops the oldest, so a long-running
//! demo or a benchmark cannot grow the sandbox without limit.

use std::collections::VecDeque;

#[derive(Debug)]
pub(crate) struct Outbox<T> {
    capacity: usize,
    /// Oldest first.
    items: VecDeque<T>,
}

impl<T: Clone> Outbox<T> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            items: VecDeque::new(),
        }
    }

    /// Adds a message and returns the one dropped to make room, if any.
    pub(crate) fn push(&mut self, item: T) -> Option<T> {
        let dropped = if self.items.len() >= self.capacity {
            self.items.pop_front()
        } else {
            None
        };
        self.items.push_back(item);
        dropped
    }

    /// Newest first, at most `limit`, keeping those `keep` accepts.
    pub(crate) fn newest_first(&self, limit: usize, keep: impl Fn(&T) -> bool) -> Vec<T> {
        self.items
            .iter()
            .rev()
            .filter(|item| keep(item))
            .take(limit)
            .cloned()
            .collect()
    }

    pub(crate) fn find(&self, wanted: impl Fn(&T) -> bool) -> Option<&T> {
        self.items.iter().rev().find(|item| wanted(item))
    }
}

#[cfg(test)]
mod tests {
    use super::Outbox;

    #[test]
    fn keeps_the_latest_and_lists_newest_first() {
        let mut outbox = Outbox::new(3);
        assert_eq!(outbox.push(1), None);
        assert_eq!(outbox.push(2), None);
        assert_eq!(outbox.push(3), None);
        assert_eq!(outbox.push(4), Some(1));
        assert_eq!(outbox.newest_first(usize::MAX, |_| true), vec![4, 3, 2]);
        assert_eq!(outbox.newest_first(2, |_| true), vec![4, 3]);
        assert_eq!(outbox.newest_first(10, |n| n % 2 == 0), vec![4, 2]);
        assert_eq!(outbox.find(|n| *n < 4), Some(&3));
    }
}
