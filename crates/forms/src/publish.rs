//! `liangshan-forms publish`: see the crate's documentation.
