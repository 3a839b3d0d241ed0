//! The national business registry (Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp): a business
//! by its tax code, for registration with an organisation certificate.

use async_trait::async_trait;
use domain::{PersonalId, TaxCode};
use serde::Deserialize;
use tracing::Instrument;

use crate::config::{ConfigError, HttpEndpoint};
use crate::error::{ConnectorError, System};
use crate::http::HttpClient;

/// A registered business (doanh nghiệp) or branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredBusiness {
    pub tax_code: TaxCode,
    pub name: String,
    pub address: String,
    /// Người đại diện theo pháp luật.
    pub representative: PersonalId,
    pub representative_name: String,
    /// Đang hoạt động; suspended and dissolved businesses are not.
    pub active: bool,
}

#[async_trait]
pub trait BusinessRegistry: Send + Sync {
    /// The business with `tax_code`; [`ConnectorError::NotFound`] when there is none.
    async fn business(&self, tax_code: &TaxCode) -> Result<RegisteredBusiness, ConnectorError>;
}

/// [`BusinessRegistry`] over the v1 HTTP protocol.
pub struct HttpBusinessRegistry {
    client: HttpClient,
}

impl HttpBusinessRegistry {
    pub fn new(endpoint: &HttpEndpoint) -> Result<Self, ConfigError> {
        Ok(Self {
            client: HttpClient::new(System::BusinessRegistry, endpoint, "business_registry")?,
        })
    }
}

#[derive(Deserialize)]
struct RepresentativeWire {
    personal_id: PersonalId,
    full_name: String,
}

#[derive(Deserialize)]
struct BusinessWire {
    tax_code: TaxCode,
    name: String,
    address: String,
    legal_representative: RepresentativeWire,
    status: String,
}

#[async_trait]
impl BusinessRegistry for HttpBusinessRegistry {
    async fn business(&self, tax_code: &TaxCode) -> Result<RegisteredBusiness, ConnectorError> {
        let span = tracing::info_span!("connector", system = "business_registry", op = "business");
        async {
            let path = ["v1", "businesses", tax_code.as_str()];
            let answer: BusinessWire = self.client.get(&path).await?;
            if &answer.tax_code != tax_code {
                return Err(self.client.invalid("the record is for another tax code"));
            }
            let name = answer.name.trim();
            if name.is_empty() {
                return Err(self.client.invalid("the business has no name"));
            }
            Ok(RegisteredBusiness {
                name: name.to_owned(),
                tax_code: answer.tax_code,
                address: answer.address,
                representative: answer.legal_representative.personal_id,
                representative_name: answer.legal_representative.full_name,
                active: answer.status == "active",
            })
        }
        .instrument(span)
        .await
    }
}
