//! Output writers: the only module that touches the file system for results.

pub mod charts;
