//! What the fuzz targets share: decoding a form body as the web layer does, a provider on a
//! fresh SQLite store with two registered clients, and a small PKI (root → person) whose
//! revocation answers come from the fuzzer. Built once per process; every input reuses it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use domain::digest::{MacKey, sha256};
use domain::random::SeededRandomness;
use domain::{Clock, ManualClock};
use oidc::{KeyRing, OidcConfig, Provider, ProviderParts, SealingKey};
use pki::{FetchError, RevocationConfig, RevocationFetcher, TrustAnchors, Validator};
use store::testing::TestDb;
use store::{ClientAuthMethod, ClientSettings, GrantType, OidcClient};
use time::OffsetDateTime;
use time::macros::datetime;

/// The instant every target runs at.
pub const NOW: OffsetDateTime = datetime!(2026-11-21 09:00 UTC);

/// Runs `future` to completion on the process's single-threaded runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime")
        })
        .block_on(future)
}

/// `application/x-www-form-urlencoded` pairs in order, repeats kept, as axum's `Form` and the
/// query extractor hand them to the OIDC handlers.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

pub mod oidc_world {
    use super::*;

    pub const ISSUER: &str = "https://id.dichvucong.example.vn/";
    pub const REDIRECT: &str = "https://hoso.example.vn/oidc/callback";
    /// A confidential client (`client_secret_post`) of every grant, whose secret is [`SECRET`].
    pub const CONFIDENTIAL: &str = "hoso";
    pub const SECRET: &str = "secret-of-the-fuzzed-client";
    /// A public client (PKCE only).
    pub const PUBLIC: &str = "app";

    pub struct World {
        _db: TestDb,
        pub provider: Provider,
        pub confidential_scopes: Vec<String>,
    }

    /// The provider, built on first use.
    pub fn world() -> &'static World {
        static WORLD: OnceLock<World> = OnceLock::new();
        WORLD.get_or_init(|| block_on(build()))
    }

    async fn build() -> World {
        let db = store::testing::sqlite().await;
        let config = OidcConfig::default();
        let keys = Arc::new(KeyRing::new(
            Arc::clone(&db.store),
            SealingKey::derive(b"key-encryption key of the fuzz targets"),
            &config,
        ));
        keys.ensure_keys(NOW).await.expect("signing keys");
        let scopes: Vec<&str> = oidc::clients::KNOWN_SCOPES.to_vec();
        let confidential = ClientSettings {
            grant_types: vec![
                GrantType::AuthorizationCode,
                GrantType::RefreshToken,
                GrantType::ClientCredentials,
            ],
            auth_method: ClientAuthMethod::ClientSecretPost,
            ..ClientSettings::first_party(REDIRECT, &scopes)
        };
        let public = ClientSettings {
            auth_method: ClientAuthMethod::None,
            ..ClientSettings::first_party(REDIRECT, &scopes)
        };
        let confidential_scopes = confidential.scopes.clone();
        for (id, settings, secret) in [
            (CONFIDENTIAL, confidential, Some(sha256(SECRET.as_bytes()))),
            (PUBLIC, public, None),
        ] {
            let client = OidcClient {
                id: id.to_owned(),
                name: format!("Dịch vụ {id}"),
                secret_hash: secret,
                settings,
                created_at: NOW,
                updated_at: NOW,
            };
            db.store.create_client(&client).await.expect("client");
        }
        let provider = Provider::new(ProviderParts {
            store: Arc::clone(&db.store),
            clock: Arc::new(ManualClock::new(NOW)) as Arc<dyn Clock>,
            random: Arc::new(SeededRandomness::new(13)),
            config,
            issuer: url::Url::parse(ISSUER).expect("issuer"),
            keys,
            pairwise_key: MacKey::new(b"pairwise key of the fuzz targets"),
            http: reqwest::Client::new(),
        });
        World {
            _db: db,
            provider,
            confidential_scopes,
        }
    }
}

pub mod pki_world {
    use super::*;
    use der::Encode;
    use der::asn1::{Ia5String, ObjectIdentifier};
    use rcgen::{
        BasicConstraints, CertificateParams, CrlDistributionPoint, CustomExtension, DnType,
        DnValue, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
    };
    use x509_cert::ext::pkix::name::GeneralName;
    use x509_cert::ext::pkix::{AccessDescription, AuthorityInfoAccessSyntax};

    pub const OCSP_URL: &str = "http://ocsp.ca.test/";
    pub const CRL_URL: &str = "http://crl.ca.test/ca.crl";
    /// The `UID` attribute Vietnamese CAs put the personal ID number in.
    const UID: [u64; 7] = [0, 9, 2342, 19200300, 100, 1, 1];

    /// A root CA and a person's certificate it issued, with OCSP and CRL addresses.
    pub struct World {
        pub root_pem: String,
        pub leaf_der: Vec<u8>,
    }

    pub fn world() -> &'static World {
        static WORLD: OnceLock<World> = OnceLock::new();
        WORLD.get_or_init(build)
    }

    fn build() -> World {
        let root_key = KeyPair::generate().expect("root key");
        let mut root = CertificateParams::default();
        root.distinguished_name = rcgen::DistinguishedName::new();
        root.distinguished_name.push(DnType::CountryName, "VN");
        root.distinguished_name
            .push(DnType::CommonName, "VN Fuzz Root CA");
        root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        root.not_before = datetime!(2020-01-01 0:00 UTC);
        root.not_after = datetime!(2040-01-01 0:00 UTC);
        let root_cert = root.self_signed(&root_key).expect("root");
        let issuer = rcgen::Issuer::from_params(&root, &root_key);

        let mut leaf = CertificateParams::default();
        leaf.distinguished_name = rcgen::DistinguishedName::new();
        leaf.distinguished_name.push(DnType::CountryName, "VN");
        leaf.distinguished_name.push(
            DnType::CommonName,
            DnValue::Utf8String("Nguyễn Văn An".into()),
        );
        leaf.distinguished_name.push(
            DnType::CustomDnType(UID.to_vec()),
            DnValue::Utf8String("CCCD:001099012345".into()),
        );
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        leaf.not_before = datetime!(2026-01-01 0:00 UTC);
        leaf.not_after = datetime!(2027-01-01 0:00 UTC);
        leaf.use_authority_key_identifier_extension = true;
        leaf.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec![CRL_URL.to_owned()],
        }];
        let access = AuthorityInfoAccessSyntax(vec![AccessDescription {
            access_method: ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1"),
            access_location: GeneralName::UniformResourceIdentifier(
                Ia5String::new(OCSP_URL).expect("OCSP URL"),
            ),
        }]);
        leaf.custom_extensions
            .push(CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 5, 5, 7, 1, 1],
                access.to_der().expect("AIA"),
            ));
        let leaf_key = KeyPair::generate().expect("leaf key");
        let leaf_cert = leaf.signed_by(&leaf_key, &issuer).expect("leaf");
        World {
            root_pem: root_cert.pem(),
            leaf_der: leaf_cert.der().to_vec(),
        }
    }

    /// Answers every OCSP request and CRL download with the given bodies (`None`: the
    /// responder cannot be reached).
    pub struct ScriptedFetcher {
        pub ocsp: Option<Vec<u8>>,
        pub crl: Option<Vec<u8>>,
    }

    #[async_trait]
    impl RevocationFetcher for ScriptedFetcher {
        async fn ocsp(&self, _url: &str, _request_der: Vec<u8>) -> Result<Vec<u8>, FetchError> {
            self.ocsp.clone().ok_or(FetchError::Timeout)
        }

        async fn crl(&self, _url: &str) -> Result<Vec<u8>, FetchError> {
            self.crl.clone().ok_or(FetchError::Timeout)
        }
    }

    /// A validator trusting the world's root, with `fetcher` for revocation.
    pub fn validator(fetcher: ScriptedFetcher) -> Validator {
        let anchors = TrustAnchors::from_pem(world().root_pem.as_bytes()).expect("root anchor");
        Validator::new(
            anchors,
            Arc::new(fetcher),
            Arc::new(SeededRandomness::new(17)),
            RevocationConfig::default(),
        )
    }
}
