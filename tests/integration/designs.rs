//! The project keeps a copy of the phantom design file; the one in `../shared` is
//! authoritative, so the copy must not drift from it.

use super::util::{root, shared_dir};

#[test]
fn design_file_copy_matches_the_shared_one() {
    let Some(shared) = shared_dir() else { return };
    let authoritative =
        std::fs::read_to_string(shared.join("phantom").join("designs.toml")).unwrap();
    let copy = std::fs::read_to_string(root().join("assets").join("phantom").join("designs.toml"))
        .unwrap();
    assert!(
        copy == authoritative,
        "assets/phantom/designs.toml differs from ../shared/phantom/designs.toml: copy it again"
    );
}
