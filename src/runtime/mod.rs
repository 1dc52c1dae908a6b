//! Built-in runtime init profiles.
