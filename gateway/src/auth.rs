//! Authentication of clients: session cookies with CSRF, bearer JWTs, API tokens (in progress).
