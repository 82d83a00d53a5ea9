//! Rebuilds the crate when a migration folder is added: `embed_migrations!` only tracks the files
//! it saw, so without this a new migration would be missing from the binary (and from test
//! templates, which are named after the folder's content).

fn main() {
    println!("cargo:rerun-if-changed=../../migrations/hr");
}
