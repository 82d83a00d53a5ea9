//! Document limits checked before any recursive parser runs (in progress).
