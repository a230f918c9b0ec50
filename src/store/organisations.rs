//! Établissements, installations, cost centres and billing codes.

use super::{StoreError, Tx, on_conn};
use crate::domain::ids::{BillingCodeId, CostCentreId, EstablishmentId, InstallationId};
use crate::domain::organisation::{BillingCode, CostCentre, Establishment, EstablishmentSummary, Installation};
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
struct EstablishmentRow {
    id: i64,
    code: String,
    name: String,
    request_prefix: Option<String>,
}

impl From<EstablishmentRow> for Establishment {
    fn from(r: EstablishmentRow) -> Self {
        Establishment {
            id: EstablishmentId(r.id),
            code: r.code,
            name: r.name,
            request_prefix: r.request_prefix,
        }
    }
}

#[derive(sqlx::FromRow)]
struct InstallationRow {
    id: i64,
    establishment_id: i64,
    name: String,
    address: Option<String>,
    postal_code: Option<String>,
}

impl From<InstallationRow> for Installation {
    fn from(r: InstallationRow) -> Self {
        Installation {
            id: InstallationId(r.id),
            establishment_id: EstablishmentId(r.establishment_id),
            name: r.name,
            address: r.address,
            postal_code: r.postal_code,
        }
    }
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    id: i64,
    establishment_id: i64,
    code: String,
    description: String,
    active: bool,
}

impl From<CodeRow> for CostCentre {
    fn from(r: CodeRow) -> Self {
        CostCentre {
            id: CostCentreId(r.id),
            establishment_id: EstablishmentId(r.establishment_id),
            code: r.code,
            description: r.description,
            active: r.active,
        }
    }
}

impl From<CodeRow> for BillingCode {
    fn from(r: CodeRow) -> Self {
        BillingCode {
            id: BillingCodeId(r.id),
            establishment_id: EstablishmentId(r.establishment_id),
            code: r.code,
            description: r.description,
            active: r.active,
        }
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    #[sqlx(flatten)]
    establishment: EstablishmentRow,
    installations: i64,
    requesters: i64,
}

impl Tx {
    pub async fn insert_establishment(
        &mut self,
        code: &str,
        name: &str,
        request_prefix: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Establishment, StoreError> {
        const SQL: &str = "INSERT INTO establishments (code, name, request_prefix, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, code, name, request_prefix";
        let row: EstablishmentRow = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(code)
            .bind(name)
            .bind(request_prefix)
            .bind(now)
            .fetch_one(c)
            .await
            .map_err(|e| StoreError::from_unique(e, "establishment code already used"))?);
        Ok(row.into())
    }

    /// An establishment, read once per transaction ([`super::ReadCache`]).
    pub async fn establishment(&mut self, id: EstablishmentId) -> Result<Establishment, StoreError> {
        if let Some(kept) = self.read.establishments.get(&id) {
            return Ok(kept.clone());
        }
        const SQL: &str = "SELECT id, code, name, request_prefix FROM establishments WHERE id = $1";
        let row: Option<EstablishmentRow> =
            on_conn!(self, |c| sqlx::query_as(SQL).bind(id.0).fetch_optional(c).await?);
        let establishment: Establishment = row.map(Into::into).ok_or(StoreError::NotFound)?;
        self.read.establishments.insert(id, establishment.clone());
        Ok(establishment)
    }

    pub async fn establishment_by_code(&mut self, code: &str) -> Result<Option<Establishment>, StoreError> {
        const SQL: &str = "SELECT id, code, name, request_prefix FROM establishments WHERE code = $1";
        let row: Option<EstablishmentRow> =
            on_conn!(self, |c| sqlx::query_as(SQL).bind(code).fetch_optional(c).await?);
        Ok(row.map(Into::into))
    }

    pub async fn insert_installation(
        &mut self,
        establishment_id: EstablishmentId,
        name: &str,
        address: Option<&str>,
        postal_code: Option<&str>,
    ) -> Result<Installation, StoreError> {
        const SQL: &str = "INSERT INTO installations (establishment_id, name, address, postal_code) VALUES ($1, $2, $3, $4) \
             RETURNING id, establishment_id, name, address, postal_code";
        let row: InstallationRow = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(establishment_id.0)
            .bind(name)
            .bind(address)
            .bind(postal_code)
            .fetch_one(c)
            .await
            .map_err(|e| StoreError::from_unique(e, "installation name already used in this establishment"))?);
        Ok(row.into())
    }

    /// An installation, read once per transaction ([`super::ReadCache`]).
    pub async fn installation(&mut self, id: InstallationId) -> Result<Installation, StoreError> {
        if let Some(kept) = self.read.installations.get(&id) {
            return Ok(kept.clone());
        }
        const SQL: &str = "SELECT id, establishment_id, name, address, postal_code FROM installations WHERE id = $1";
        let row: Option<InstallationRow> = on_conn!(self, |c| sqlx::query_as(SQL).bind(id.0).fetch_optional(c).await?);
        let installation: Installation = row.map(Into::into).ok_or(StoreError::NotFound)?;
        self.read.installations.insert(id, installation.clone());
        Ok(installation)
    }

    pub async fn installations_of(
        &mut self,
        establishment_id: EstablishmentId,
    ) -> Result<Vec<Installation>, StoreError> {
        const SQL: &str = "SELECT id, establishment_id, name, address, postal_code FROM installations \
             WHERE establishment_id = $1 ORDER BY name";
        let rows: Vec<InstallationRow> = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(establishment_id.0)
            .fetch_all(c)
            .await?);
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The people whose requester profile is at the establishment (its team), by id.
    pub async fn requesters_of(
        &mut self,
        establishment_id: EstablishmentId,
    ) -> Result<Vec<crate::domain::ids::PersonId>, StoreError> {
        const SQL: &str = "SELECT person_id FROM requester_profiles WHERE establishment_id = $1 ORDER BY person_id";
        let ids: Vec<i64> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(establishment_id.0)
            .fetch_all(c)
            .await?);
        Ok(ids.into_iter().map(crate::domain::ids::PersonId).collect())
    }

    pub async fn insert_cost_centre(
        &mut self,
        establishment_id: EstablishmentId,
        code: &str,
        description: &str,
    ) -> Result<CostCentre, StoreError> {
        const SQL: &str = "INSERT INTO cost_centres (establishment_id, code, description) VALUES ($1, $2, $3) \
             RETURNING id, establishment_id, code, description, active";
        let r: CodeRow = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(establishment_id.0)
            .bind(code)
            .bind(description)
            .fetch_one(c)
            .await
            .map_err(|e| StoreError::from_unique(
                e,
                "cost centre code already used in this establishment"
            ))?);
        Ok(r.into())
    }

    pub async fn cost_centre(&mut self, id: CostCentreId) -> Result<CostCentre, StoreError> {
        const SQL: &str = "SELECT id, establishment_id, code, description, active FROM cost_centres WHERE id = $1";
        let r: Option<CodeRow> = on_conn!(self, |c| sqlx::query_as(SQL).bind(id.0).fetch_optional(c).await?);
        let r = r.ok_or(StoreError::NotFound)?;
        Ok(r.into())
    }

    /// An establishment's cost centres, by code.
    pub async fn cost_centres_of(&mut self, establishment_id: EstablishmentId) -> Result<Vec<CostCentre>, StoreError> {
        const SQL: &str = "SELECT id, establishment_id, code, description, active FROM cost_centres \
             WHERE establishment_id = $1 ORDER BY code";
        let rows: Vec<CodeRow> = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(establishment_id.0)
            .fetch_all(c)
            .await?);
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn insert_billing_code(
        &mut self,
        establishment_id: EstablishmentId,
        code: &str,
        description: &str,
    ) -> Result<BillingCode, StoreError> {
        const SQL: &str = "INSERT INTO billing_codes (establishment_id, code, description) VALUES ($1, $2, $3) \
             RETURNING id, establishment_id, code, description, active";
        let r: CodeRow = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(establishment_id.0)
            .bind(code)
            .bind(description)
            .fetch_one(c)
            .await
            .map_err(|e| StoreError::from_unique(e, "billing code already used in this establishment"))?);
        Ok(r.into())
    }

    pub async fn billing_code(&mut self, id: BillingCodeId) -> Result<BillingCode, StoreError> {
        const SQL: &str = "SELECT id, establishment_id, code, description, active FROM billing_codes WHERE id = $1";
        let r: Option<CodeRow> = on_conn!(self, |c| sqlx::query_as(SQL).bind(id.0).fetch_optional(c).await?);
        let r = r.ok_or(StoreError::NotFound)?;
        Ok(r.into())
    }

    /// Every establishment by code, with how many installations and requesters it has.
    pub async fn establishment_summaries(&mut self) -> Result<Vec<EstablishmentSummary>, StoreError> {
        const SQL: &str = "SELECT e.id, e.code, e.name, e.request_prefix, \
             (SELECT COUNT(*) FROM installations i WHERE i.establishment_id = e.id) AS installations, \
             (SELECT COUNT(*) FROM requester_profiles rp WHERE rp.establishment_id = e.id) AS requesters \
             FROM establishments e ORDER BY e.code";
        let rows: Vec<SummaryRow> = on_conn!(self, |c| sqlx::query_as(SQL).fetch_all(c).await?);
        Ok(rows
            .into_iter()
            .map(|r| EstablishmentSummary {
                establishment: r.establishment.into(),
                installations: r.installations,
                requesters: r.requesters,
            })
            .collect())
    }

    /// Sets an establishment's name and request-number prefix (its code stays).
    pub async fn update_establishment(
        &mut self,
        id: EstablishmentId,
        name: &str,
        request_prefix: Option<&str>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE establishments SET name = $2, request_prefix = $3 WHERE id = $1";
        self.read.establishments.remove(&id);
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(id.0)
            .bind(name)
            .bind(request_prefix)
            .execute(c)
            .await?
            .rows_affected());
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub async fn update_installation(
        &mut self,
        id: InstallationId,
        name: &str,
        address: Option<&str>,
        postal_code: Option<&str>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE installations SET name = $2, address = $3, postal_code = $4 WHERE id = $1";
        self.read.installations.remove(&id);
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(id.0)
            .bind(name)
            .bind(address)
            .bind(postal_code)
            .execute(c)
            .await
            .map_err(|e| StoreError::from_unique(e, "installation name already used in this establishment"))?
            .rows_affected());
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Sets a cost centre's description and whether it is in use (its code stays).
    pub async fn update_cost_centre(
        &mut self,
        id: CostCentreId,
        description: &str,
        active: bool,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE cost_centres SET description = $2, active = $3 WHERE id = $1";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(id.0)
            .bind(description)
            .bind(active)
            .execute(c)
            .await?
            .rows_affected());
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Sets a billing code's description and whether it is in use (its code stays).
    pub async fn update_billing_code(
        &mut self,
        id: BillingCodeId,
        description: &str,
        active: bool,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE billing_codes SET description = $2, active = $3 WHERE id = $1";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(id.0)
            .bind(description)
            .bind(active)
            .execute(c)
            .await?
            .rows_affected());
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// An establishment's billing codes, by code.
    pub async fn billing_codes_of(
        &mut self,
        establishment_id: EstablishmentId,
    ) -> Result<Vec<BillingCode>, StoreError> {
        const SQL: &str = "SELECT id, establishment_id, code, description, active FROM billing_codes \
             WHERE establishment_id = $1 ORDER BY code";
        let rows: Vec<CodeRow> = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(establishment_id.0)
            .fetch_all(c)
            .await?);
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
