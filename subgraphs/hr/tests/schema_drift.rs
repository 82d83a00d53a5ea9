//! The exported SDL must match schema/hr.graphql; on drift the file is rewritten and the test
//! fails, so the change shows up in review.

#[test]
fn hr_sdl_matches_committed_file() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/hr.graphql");
    let sdl = hr::sdl();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != sdl {
        std::fs::create_dir_all(path.parent().expect("schema dir")).expect("mkdir schema");
        std::fs::write(&path, &sdl).expect("write schema/hr.graphql");
        assert!(
            std::env::var("UPDATE_SCHEMA").is_ok_and(|v| v == "1"),
            "schema/hr.graphql was stale and has been rewritten; review and commit it"
        );
    }
    for must in [
        "type Query",
        "type Mutation",
        "@key(fields: \"id\")",
        "type Employee",
        "salary: Money",
        "employees(filter: EmployeeFilter, first: Int, after: String): EmployeeConnection!",
    ] {
        assert!(sdl.contains(must), "SDL lacks {must}");
    }
}
