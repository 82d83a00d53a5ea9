//! The exported SDL must match schema/render.graphql; on drift the file is rewritten and the test
//! fails.

#[test]
fn render_sdl_matches_committed_file() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/render.graphql");
    let sdl = render::sdl();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != sdl {
        std::fs::write(&path, &sdl).expect("write schema/render.graphql");
        assert!(
            std::env::var("UPDATE_SCHEMA").is_ok_and(|v| v == "1"),
            "schema/render.graphql was stale and has been rewritten; review and commit it"
        );
    }
    for must in [
        "type RenderJob @key(fields: \"id\")",
        "type Shot @key(fields: \"id\")",
        "renderCost: Money",
        "type Employee @key(fields: \"id\")",
        "claimRenderTask(workerId: ID!): RenderTask",
    ] {
        assert!(sdl.contains(must), "SDL lacks {must}");
    }
}
