//! The exported SDL must match schema/production.graphql; on drift the file is rewritten and the
//! test fails.

#[test]
fn production_sdl_matches_committed_file() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/production.graphql");
    let sdl = production::sdl();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != sdl {
        std::fs::write(&path, &sdl).expect("write schema/production.graphql");
        assert!(
            std::env::var("UPDATE_SCHEMA").is_ok_and(|v| v == "1"),
            "schema/production.graphql was stale and has been rewritten; review and commit it"
        );
    }
    for must in [
        "type Task @key(fields: \"id\")",
        "type Shot @key(fields: \"id\")",
        "type Project @key(fields: \"id\")",
        "type Asset @key(fields: \"id\")",
        "type Version @key(fields: \"id\")",
        "type Employee @key(fields: \"id\")",
        "availableTransitions: [TaskTransition!]!",
        "publishVersion(input: PublishVersionInput!): Version!",
    ] {
        assert!(sdl.contains(must), "SDL lacks {must}");
    }
}
