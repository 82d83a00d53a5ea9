//! The tests embed `migrations/hr`; rebuild them when a migration folder is added
//! (`embed_migrations!` only tracks the files it saw).

fn main() {
    println!("cargo:rerun-if-changed=../../migrations/hr");
}
