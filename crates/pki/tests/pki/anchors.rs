//! Loading trust anchors: start-up errors name what is wrong.

use pki::{AnchorError, TrustAnchors};

use crate::support::*;

#[test]
fn a_folder_of_roots_loads_in_name_order_and_ignores_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (root("Root One"), root("Root Two"));
    std::fs::write(dir.path().join("b.crt"), second.pem()).unwrap();
    std::fs::write(dir.path().join("a.pem"), first.pem()).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a certificate").unwrap();
    let anchors = TrustAnchors::from_dir(dir.path()).unwrap();
    assert_eq!(anchors.len(), 2);
}

#[test]
fn start_up_errors_say_what_is_wrong() {
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        TrustAnchors::from_dir(empty.path()),
        Err(AnchorError::Empty)
    ));
    assert!(matches!(
        TrustAnchors::from_dir(&empty.path().join("missing")),
        Err(AnchorError::Io { .. })
    ));
    assert!(matches!(
        TrustAnchors::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        Err(AnchorError::Pem { .. })
    ));
    assert!(matches!(
        TrustAnchors::from_pem(b"no PEM here"),
        Err(AnchorError::Pem { .. })
    ));

    // An end-entity certificate put among the roots by mistake.
    let world = World::new();
    let (leaf, _) = Leaf::default().issue(&world.ca);
    match TrustAnchors::from_pem(pem_of(&leaf).as_bytes()) {
        Err(error @ AnchorError::NotAnAnchor { .. }) => {
            assert!(
                error.to_string().contains("not a CA certificate"),
                "{error}"
            )
        }
        other => panic!("{other:?}"),
    }
}
