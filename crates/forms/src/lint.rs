//! `liangshan-forms lint`: see the crate's documentation.
