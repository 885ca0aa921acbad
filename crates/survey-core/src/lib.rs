//! Pure survey logic (placeholder until the core lands).
