//! Rate limits in Redis (in progress).
