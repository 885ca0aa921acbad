//! Stable sorting with one copy of the sort code (issue #18, the wasm's weight).
//!
//! Every `slice::sort_by` / `sort_by_key` / `sort` is a fresh copy of Rust's stable sort
//! (driftsort: a few KB of machine code) for each element type and comparison closure; the
//! app had 85 of them (~80 KB of its wasm). These functions sort a list of indices with one
//! non-generic comparison (`&mut dyn FnMut`), so the sort itself exists once, and then move
//! the elements into that order: the per-type part is a few lines. Same result as the
//! standard library's stable sort (equal elements keep their order); O(n log n) comparisons
//! plus one pass to move the elements.
use std::cmp::Ordering;

/// The one instance of the sort: stable, by `cmp` on indices.
#[inline(never)]
fn order(len: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..len).collect();
    idx.sort_by(|&a, &b| cmp(a, b));
    idx
}

/// Moves the elements of `v` into the order `idx` (a permutation of its indices).
fn apply<T>(v: &mut Vec<T>, idx: Vec<usize>) {
    let mut slots: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    v.extend(idx.into_iter().map(|i| slots[i].take().expect("a permutation")));
}

/// Like `v.sort_by(cmp)`: stable.
pub fn sort_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let idx = order(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    apply(v, idx);
}

/// Like `v.sort_by_key(key)`: stable.
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Like `v.sort()`: stable.
pub fn sort<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, T::cmp);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // The standard library's stable sort is the reference: same order, equal keys kept
        // in their order (the pairs' second half tells them apart).
        #[test]
        fn same_as_the_standard_library(v in proptest::collection::vec((0u8..8, any::<u16>()), 0..200)) {
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            let mut got = v.clone();
            sort_by_key(&mut got, |p| p.0);
            prop_assert_eq!(&got, &want);
            let mut want = v.clone();
            want.sort();
            let mut got = v;
            sort(&mut got);
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn descending_and_owned_elements() {
        let mut v: Vec<String> = ["b", "a", "c", "a"].iter().map(|s| s.to_string()).collect();
        sort_by(&mut v, |a, b| b.cmp(a));
        assert_eq!(v, ["c", "b", "a", "a"]);
    }
}
