//! People, their roles, and the requester and interpreter profiles.

use super::{Engine, StoreError, Tx, decode, on_conn};
use crate::domain::contact::{EmailAddress, PhoneE164};
use crate::domain::ids::{CostCentreId, EstablishmentId, InstallationId, PersonId};
use crate::domain::interpreter::{
    Availability, EligibilityDocument, FinancialFile, Inactivity, InterpreterProfile, LanguagePair, TaxNumber,
    WeeklyHours,
};
use crate::domain::language::LanguageTag;
use crate::domain::person::{NewPerson, Person, RequesterProfile, UserCode};
use crate::domain::person_search;
use crate::domain::role::Role;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};

pub(super) const PERSON_COLUMNS: &str =
    "id, user_code, first_name, last_name, email, mobile, phone, locale, notify_email, notify_sms, active";

/// What the People page finds `person` by (`people.search_key`).
pub(super) fn search_parts(person: &Person) -> person_search::Parts<'_> {
    person_search::Parts {
        first_name: &person.first_name,
        last_name: &person.last_name,
        email: person.email.as_str(),
        user_code: person.user_code.as_str(),
        mobile: person.mobile.as_ref().map(|m| m.as_str()),
        phone: person.phone.as_deref(),
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct PersonRow {
    id: i64,
    user_code: String,
    first_name: String,
    last_name: String,
    email: String,
    mobile: Option<String>,
    phone: Option<String>,
    locale: String,
    notify_email: bool,
    notify_sms: bool,
    active: bool,
}

/// What a person is looked up by.
#[derive(Clone, Copy)]
enum PersonKey<'a> {
    Id(i64),
    Text(&'a str),
}

/// A person's row with their roles joined by commas (none: no role).
#[derive(sqlx::FromRow)]
struct PersonWithRoles {
    #[sqlx(flatten)]
    row: PersonRow,
    roles: Option<String>,
}

impl PersonWithRoles {
    fn into_person(self) -> Result<Person, StoreError> {
        let mut roles = self
            .roles
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|r| !r.is_empty())
            .map(|r| decode("person_roles.role", r.parse::<Role>()))
            .collect::<Result<Vec<_>, _>>()?;
        roles.sort();
        roles.dedup();
        self.row.into_person(roles)
    }
}

impl PersonRow {
    pub(super) fn into_person(self, roles: Vec<Role>) -> Result<Person, StoreError> {
        Ok(Person {
            id: PersonId(self.id),
            user_code: UserCode::parse(&self.user_code)
                .ok_or_else(|| StoreError::Corrupt(format!("people.user_code {:?}", self.user_code)))?,
            first_name: self.first_name,
            last_name: self.last_name,
            email: decode("people.email", EmailAddress::parse(&self.email))?,
            mobile: self
                .mobile
                .map(|m| decode("people.mobile", PhoneE164::from_e164(&m)))
                .transpose()?,
            phone: self.phone,
            locale: decode("people.locale", self.locale.parse())?,
            notify_email: self.notify_email,
            notify_sms: self.notify_sms,
            roles,
            active: self.active,
        })
    }
}

#[derive(sqlx::FromRow)]
struct InterpreterRow {
    main_region: Option<String>,
    work_postal_code: Option<String>,
    address: Option<String>,
    postal_code: Option<String>,
    gender: Option<String>,
    always_available: bool,
    legal_name: Option<String>,
    supplier_number: Option<String>,
    tax_registration: String,
    gst_number: Option<String>,
    gst_from: Option<NaiveDate>,
    gst_until: Option<NaiveDate>,
    qst_number: Option<String>,
    qst_from: Option<NaiveDate>,
    qst_until: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct DocumentRow {
    name: String,
    description: Option<String>,
    valid_until: Option<NaiveDate>,
    inactive_if_invalid: bool,
    comments: Option<String>,
    file_id: Option<i64>,
}

fn tax_number(number: Option<String>, from: Option<NaiveDate>, until: Option<NaiveDate>) -> Option<TaxNumber> {
    number.map(|number| TaxNumber { number, from, until })
}

impl Tx {
    /// Creates a person with a fresh user code (`UBIPN0002`).
    pub async fn insert_person(
        &mut self,
        person: &NewPerson,
        user_code_prefix: &str,
        now: DateTime<Utc>,
    ) -> Result<Person, StoreError> {
        // A lookup that found nobody may find this one now.
        self.read.people_found.clear();
        let stem = UserCode::stem(user_code_prefix, &person.first_name, &person.last_name);
        let seq = self.next_in_sequence(&format!("user:{stem}")).await?;
        let code = UserCode::new(&stem, seq);
        const SQL: &str = "INSERT INTO people (user_code, first_name, last_name, email, mobile, phone, locale, \
             notify_email, notify_sms, active, created_at, updated_at, search_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE, $10, $10, $11) RETURNING id";
        let search_key = person_search::key(&person_search::Parts {
            first_name: &person.first_name,
            last_name: &person.last_name,
            email: person.email.as_str(),
            user_code: code.as_str(),
            mobile: person.mobile.as_ref().map(|m| m.as_str()),
            phone: person.phone.as_deref(),
        });
        let id: i64 = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(code.as_str())
            .bind(&person.first_name)
            .bind(&person.last_name)
            .bind(person.email.as_str())
            .bind(person.mobile.as_ref().map(|m| m.as_str()))
            .bind(person.phone.as_deref())
            .bind(person.locale.as_str())
            .bind(person.notify_email)
            .bind(person.notify_sms)
            .bind(now)
            .bind(&search_key)
            .fetch_one(c)
            .await
            .map_err(|e| StoreError::from_unique(e, "email address already used by another person"))?);
        for role in &person.roles {
            self.add_role(PersonId(id), *role).await?;
        }
        self.person(PersonId(id)).await
    }

    pub async fn add_role(&mut self, person: PersonId, role: Role) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO person_roles (person_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING";
        self.read.people.remove(&person);
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(role.as_str())
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Replaces a person's roles.
    pub async fn set_roles(&mut self, person: PersonId, roles: &[Role]) -> Result<(), StoreError> {
        const SQL: &str = "DELETE FROM person_roles WHERE person_id = $1";
        self.read.people.remove(&person);
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .execute(c)
            .await?
            .rows_affected());
        for role in roles {
            self.add_role(person, *role).await?;
        }
        Ok(())
    }

    /// Where signing in lands the person, if a coordinator chose it.
    pub async fn default_role(&mut self, person: PersonId) -> Result<Option<Role>, StoreError> {
        const SQL: &str = "SELECT default_role FROM people WHERE id = $1";
        let role: Option<String> = on_conn!(self, |c| sqlx::query_scalar(SQL).bind(person.0).fetch_one(c).await?);
        role.map(|r| decode("people.default_role", r.parse::<Role>()))
            .transpose()
    }

    pub async fn set_default_role(&mut self, person: PersonId, role: Option<Role>) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE people SET default_role = $2 WHERE id = $1";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(role.map(Role::as_str))
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// A person and their roles, in one statement: the roles come as one comma-joined
    /// column.
    async fn person_where(&mut self, column: &'static str, value: PersonKey<'_>) -> Result<Option<Person>, StoreError> {
        if let PersonKey::Text(text) = value {
            match self.read.people_found.get(&(column, text.to_string())) {
                Some(None) => return Ok(None),
                Some(Some(id)) => {
                    if let Some(kept) = self.read.people.get(id) {
                        return Ok(Some(kept.clone()));
                    }
                }
                None => {}
            }
        }
        let sql = format!(
            "SELECT {PERSON_COLUMNS}, {} AS roles FROM people WHERE {column} = $1",
            self.roles_column("people")
        );
        let row: Option<PersonWithRoles> = match value {
            PersonKey::Id(id) => on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id)
                .fetch_optional(c)
                .await?),
            PersonKey::Text(text) => on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(text)
                .fetch_optional(c)
                .await?),
        };
        let person = row.map(PersonWithRoles::into_person).transpose()?;
        if let Some(person) = &person {
            self.read.people.insert(person.id, person.clone());
        }
        if let PersonKey::Text(text) = value {
            self.read
                .people_found
                .insert((column, text.to_string()), person.as_ref().map(|p| p.id));
        }
        Ok(person)
    }

    /// A person and their roles, read once per transaction ([`super::ReadCache`]).
    pub async fn person(&mut self, id: PersonId) -> Result<Person, StoreError> {
        if let Some(kept) = self.read.people.get(&id) {
            return Ok(kept.clone());
        }
        self.person_where("id", PersonKey::Id(id.0))
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn person_by_email(&mut self, email: &EmailAddress) -> Result<Option<Person>, StoreError> {
        self.person_where("email", PersonKey::Text(email.as_str())).await
    }

    pub async fn person_by_mobile(&mut self, mobile: &PhoneE164) -> Result<Option<Person>, StoreError> {
        self.person_where("mobile", PersonKey::Text(mobile.as_str())).await
    }

    pub async fn person_by_user_code(&mut self, code: &UserCode) -> Result<Option<Person>, StoreError> {
        self.person_where("user_code", PersonKey::Text(code.as_str())).await
    }

    /// Writes a person's editable fields as given.
    pub async fn update_person(&mut self, person: &Person, now: DateTime<Utc>) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE people SET first_name = $2, last_name = $3, email = $4, mobile = $5, phone = $6, \
             locale = $7, notify_email = $8, notify_sms = $9, active = $10, updated_at = $11, search_key = $12 \
             WHERE id = $1";
        let search_key = person_search::key(&search_parts(person));
        self.read.people.remove(&person.id);
        // Their address or number may change.
        self.read.people_found.clear();
        let done = on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.id.0)
            .bind(&person.first_name)
            .bind(&person.last_name)
            .bind(person.email.as_str())
            .bind(person.mobile.as_ref().map(|m| m.as_str()))
            .bind(person.phone.as_deref())
            .bind(person.locale.as_str())
            .bind(person.notify_email)
            .bind(person.notify_sms)
            .bind(person.active)
            .bind(now)
            .bind(&search_key)
            .execute(c)
            .await
            .map_err(|e| StoreError::from_unique(e, "email address already used by another person"))?
            .rows_affected());
        if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Active people holding `role`, by name.
    pub async fn people_with_role(&mut self, role: Role) -> Result<Vec<Person>, StoreError> {
        self.holding(role, true).await
    }

    /// Everyone holding `role`, active or not, by name: the coordinators' roster.
    pub async fn roster(&mut self, role: Role) -> Result<Vec<Person>, StoreError> {
        self.holding(role, false).await
    }

    async fn holding(&mut self, role: Role, only_active: bool) -> Result<Vec<Person>, StoreError> {
        let sql = format!(
            "SELECT {}, {} AS roles FROM people p JOIN person_roles r ON r.person_id = p.id \
             WHERE r.role = $1 AND (p.active OR NOT $2) ORDER BY p.last_name, p.first_name, p.id",
            PERSON_COLUMNS
                .split(", ")
                .map(|c| format!("p.{c}"))
                .collect::<Vec<_>>()
                .join(", "),
            self.roles_column("p")
        );
        let rows: Vec<PersonWithRoles> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(role.as_str())
            .bind(only_active)
            .fetch_all(c)
            .await?);
        rows.into_iter().map(PersonWithRoles::into_person).collect()
    }

    /// A column listing the roles of the person `people` names, comma-joined.
    fn roles_column(&self, people: &str) -> String {
        let joined = match self.engine() {
            Engine::Sqlite => "group_concat(role, ',')",
            Engine::Postgres => "string_agg(role, ',')",
        };
        format!("(SELECT {joined} FROM person_roles WHERE person_id = {people}.id)")
    }

    pub async fn set_requester_profile(
        &mut self,
        person: PersonId,
        profile: &RequesterProfile,
    ) -> Result<(), StoreError> {
        const UPSERT: &str = "INSERT INTO requester_profiles (person_id, establishment_id, cost_centre_id, notify_when_offered) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (person_id) DO UPDATE SET establishment_id = excluded.establishment_id, \
             cost_centre_id = excluded.cost_centre_id, notify_when_offered = excluded.notify_when_offered";
        const CLEAR: &str = "DELETE FROM requester_installations WHERE person_id = $1";
        const ADD: &str = "INSERT INTO requester_installations (person_id, installation_id) VALUES ($1, $2)";
        self.read.requester_profiles.remove(&person);
        on_conn!(self, |c| sqlx::query(UPSERT)
            .bind(person.0)
            .bind(profile.establishment_id.0)
            .bind(profile.cost_centre_id.map(|c| c.0))
            .bind(profile.notify_when_offered)
            .execute(c)
            .await?
            .rows_affected());
        on_conn!(self, |c| sqlx::query(CLEAR)
            .bind(person.0)
            .execute(c)
            .await?
            .rows_affected());
        for inst in &profile.installations {
            on_conn!(self, |c| sqlx::query(ADD)
                .bind(person.0)
                .bind(inst.0)
                .execute(c)
                .await?
                .rows_affected());
        }
        Ok(())
    }

    /// A requester's profile, read once per transaction ([`super::ReadCache`]).
    pub async fn requester_profile(&mut self, person: PersonId) -> Result<Option<RequesterProfile>, StoreError> {
        if let Some(kept) = self.read.requester_profiles.get(&person) {
            return Ok(kept.clone());
        }
        let profile = self.read_requester_profile(person).await?;
        self.read.requester_profiles.insert(person, profile.clone());
        Ok(profile)
    }

    async fn read_requester_profile(&mut self, person: PersonId) -> Result<Option<RequesterProfile>, StoreError> {
        const SQL: &str =
            "SELECT establishment_id, cost_centre_id, notify_when_offered FROM requester_profiles WHERE person_id = $1";
        const INST: &str =
            "SELECT installation_id FROM requester_installations WHERE person_id = $1 ORDER BY installation_id";
        let row: Option<(i64, Option<i64>, bool)> =
            on_conn!(self, |c| sqlx::query_as(SQL).bind(person.0).fetch_optional(c).await?);
        let Some((establishment_id, cost_centre_id, notify_when_offered)) = row else {
            return Ok(None);
        };
        let installations: Vec<i64> = on_conn!(self, |c| sqlx::query_scalar(INST).bind(person.0).fetch_all(c).await?);
        Ok(Some(RequesterProfile {
            establishment_id: EstablishmentId(establishment_id),
            installations: installations.into_iter().map(InstallationId).collect(),
            cost_centre_id: cost_centre_id.map(CostCentreId),
            notify_when_offered,
        }))
    }

    /// Replaces an interpreter's whole profile: its row, then each of its lists.
    pub async fn set_interpreter_profile(
        &mut self,
        person: PersonId,
        p: &InterpreterProfile,
    ) -> Result<(), StoreError> {
        self.upsert_interpreter_row(person, p).await?;
        self.clear_interpreter_lists(person).await?;
        self.insert_interpreter_skills(person, p).await?;
        self.insert_interpreter_availability(person, p).await?;
        self.insert_interpreter_documents_and_blocks(person, p).await
    }

    /// The profile's own row: where they work, who they are, their taxes.
    async fn upsert_interpreter_row(&mut self, person: PersonId, p: &InterpreterProfile) -> Result<(), StoreError> {
        const UPSERT: &str = "INSERT INTO interpreter_profiles (person_id, main_region, work_postal_code, address, \
             postal_code, gender, always_available, legal_name, supplier_number, tax_registration, gst_number, gst_from, \
             gst_until, qst_number, qst_from, qst_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             ON CONFLICT (person_id) DO UPDATE SET main_region = excluded.main_region, \
             work_postal_code = excluded.work_postal_code, address = excluded.address, \
             postal_code = excluded.postal_code, gender = excluded.gender, \
             always_available = excluded.always_available, legal_name = excluded.legal_name, \
             supplier_number = excluded.supplier_number, tax_registration = excluded.tax_registration, \
             gst_number = excluded.gst_number, gst_from = excluded.gst_from, gst_until = excluded.gst_until, \
             qst_number = excluded.qst_number, qst_from = excluded.qst_from, qst_until = excluded.qst_until";
        let f = &p.financial;
        let always = matches!(p.availability, Availability::Always);
        on_conn!(self, |c| sqlx::query(UPSERT)
            .bind(person.0)
            .bind(p.main_region.as_deref())
            .bind(p.work_postal_code.as_deref())
            .bind(p.address.as_deref())
            .bind(p.postal_code.as_deref())
            .bind(p.gender.map(|g| g.as_str()))
            .bind(always)
            .bind(f.legal_name.as_deref())
            .bind(f.supplier_number.as_deref())
            .bind(f.tax_registration.as_str())
            .bind(f.gst.as_ref().map(|t| t.number.as_str()))
            .bind(f.gst.as_ref().and_then(|t| t.from))
            .bind(f.gst.as_ref().and_then(|t| t.until))
            .bind(f.qst.as_ref().map(|t| t.number.as_str()))
            .bind(f.qst.as_ref().and_then(|t| t.from))
            .bind(f.qst.as_ref().and_then(|t| t.until))
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Empties every list the profile holds, before it is written again.
    async fn clear_interpreter_lists(&mut self, person: PersonId) -> Result<(), StoreError> {
        for table in [
            "interpreter_languages",
            "interpreter_request_types",
            "interpreter_weekly_hours",
            "interpreter_inactivity",
            "interpreter_documents",
            "interpreter_blocks",
            "interpreter_contexts",
        ] {
            let sql = format!("DELETE FROM {table} WHERE person_id = $1");
            on_conn!(self, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(person.0)
                .execute(c)
                .await?
                .rows_affected());
        }
        Ok(())
    }

    /// The language pairs and request types they take.
    async fn insert_interpreter_skills(&mut self, person: PersonId, p: &InterpreterProfile) -> Result<(), StoreError> {
        for pair in &p.language_pairs {
            const SQL: &str = "INSERT INTO interpreter_languages (person_id, source_language, target_language, origin_country) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
            on_conn!(self, |c| sqlx::query(SQL)
                .bind(person.0)
                .bind(pair.source.as_str())
                .bind(pair.target.as_str())
                .bind(pair.origin_country.as_deref())
                .execute(c)
                .await?
                .rows_affected());
        }
        for t in &p.request_types {
            const SQL: &str = "INSERT INTO interpreter_request_types (person_id, request_type) VALUES ($1, $2) ON CONFLICT DO NOTHING";
            on_conn!(self, |c| sqlx::query(SQL)
                .bind(person.0)
                .bind(t.as_str())
                .execute(c)
                .await?
                .rows_affected());
        }
        for context in &p.contexts {
            const SQL: &str =
                "INSERT INTO interpreter_contexts (person_id, context) VALUES ($1, $2) ON CONFLICT DO NOTHING";
            on_conn!(self, |c| sqlx::query(SQL)
                .bind(person.0)
                .bind(context.as_str())
                .execute(c)
                .await?
                .rows_affected());
        }
        Ok(())
    }

    /// Their weekly hours (unless always available) and their times away.
    async fn insert_interpreter_availability(
        &mut self,
        person: PersonId,
        p: &InterpreterProfile,
    ) -> Result<(), StoreError> {
        if let Availability::Weekly(hours) = &p.availability {
            for h in hours {
                const SQL: &str =
                    "INSERT INTO interpreter_weekly_hours (person_id, weekday, starts, ends) VALUES ($1, $2, $3, $4)";
                on_conn!(self, |c| sqlx::query(SQL)
                    .bind(person.0)
                    .bind(i64::from(h.weekday.number_from_monday()))
                    .bind(h.starts)
                    .bind(h.ends)
                    .execute(c)
                    .await?
                    .rows_affected());
            }
        }
        for i in &p.inactivity {
            const SQL: &str =
                "INSERT INTO interpreter_inactivity (person_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4)";
            on_conn!(self, |c| sqlx::query(SQL)
                .bind(person.0)
                .bind(i.starts_at)
                .bind(i.ends_at)
                .bind(i.reason.as_deref())
                .execute(c)
                .await?
                .rows_affected());
        }
        Ok(())
    }

    /// Their documents, and the establishments they are kept from.
    async fn insert_interpreter_documents_and_blocks(
        &mut self,
        person: PersonId,
        p: &InterpreterProfile,
    ) -> Result<(), StoreError> {
        for d in &p.documents {
            const SQL: &str = "INSERT INTO interpreter_documents (person_id, name, description, valid_until, \
                 inactive_if_invalid, comments, file_id) VALUES ($1, $2, $3, $4, $5, $6, $7)";
            on_conn!(self, |c| sqlx::query(SQL)
                .bind(person.0)
                .bind(&d.name)
                .bind(d.description.as_deref())
                .bind(d.valid_until)
                .bind(d.inactive_if_invalid)
                .bind(d.comments.as_deref())
                .bind(d.file_id)
                .execute(c)
                .await?
                .rows_affected());
        }
        for e in &p.blocked_establishments {
            const SQL: &str =
                "INSERT INTO interpreter_blocks (person_id, establishment_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
            on_conn!(self, |c| sqlx::query(SQL)
                .bind(person.0)
                .bind(e.0)
                .execute(c)
                .await?
                .rows_affected());
        }
        Ok(())
    }

    pub async fn interpreter_profile(&mut self, person: PersonId) -> Result<Option<InterpreterProfile>, StoreError> {
        const MAIN: &str = "SELECT main_region, work_postal_code, address, postal_code, gender, always_available, \
             legal_name, supplier_number, tax_registration, gst_number, gst_from, gst_until, qst_number, qst_from, \
             qst_until FROM interpreter_profiles WHERE person_id = $1";
        let row: Option<InterpreterRow> =
            on_conn!(self, |c| sqlx::query_as(MAIN).bind(person.0).fetch_optional(c).await?);
        let Some(r) = row else { return Ok(None) };

        const TYPES: &str =
            "SELECT request_type FROM interpreter_request_types WHERE person_id = $1 ORDER BY request_type";
        let types: Vec<String> = on_conn!(self, |c| sqlx::query_scalar(TYPES).bind(person.0).fetch_all(c).await?);
        const INACTIVE: &str =
            "SELECT starts_at, ends_at, reason FROM interpreter_inactivity WHERE person_id = $1 ORDER BY starts_at";
        let inactive: Vec<(DateTime<Utc>, DateTime<Utc>, Option<String>)> =
            on_conn!(self, |c| sqlx::query_as(INACTIVE).bind(person.0).fetch_all(c).await?);
        const DOCS: &str = "SELECT name, description, valid_until, inactive_if_invalid, comments, file_id FROM interpreter_documents \
             WHERE person_id = $1 ORDER BY id";
        let docs: Vec<DocumentRow> = on_conn!(self, |c| sqlx::query_as(DOCS).bind(person.0).fetch_all(c).await?);
        const BLOCKS: &str =
            "SELECT establishment_id FROM interpreter_blocks WHERE person_id = $1 ORDER BY establishment_id";
        let blocks: Vec<i64> = on_conn!(self, |c| sqlx::query_scalar(BLOCKS).bind(person.0).fetch_all(c).await?);

        let availability = self.availability(person, r.always_available).await?;
        Ok(Some(InterpreterProfile {
            language_pairs: self.language_pairs(person).await?,
            request_types: types
                .iter()
                .map(|t| decode("interpreter_request_types.request_type", t.parse()))
                .collect::<Result<_, _>>()?,
            main_region: r.main_region,
            work_postal_code: r.work_postal_code,
            address: r.address,
            postal_code: r.postal_code,
            gender: r
                .gender
                .map(|g| decode("interpreter_profiles.gender", g.parse()))
                .transpose()?,
            availability,
            inactivity: inactive
                .into_iter()
                .map(|(starts_at, ends_at, reason)| Inactivity {
                    starts_at,
                    ends_at,
                    reason,
                })
                .collect(),
            documents: docs
                .into_iter()
                .map(|d| EligibilityDocument {
                    name: d.name,
                    description: d.description,
                    valid_until: d.valid_until,
                    inactive_if_invalid: d.inactive_if_invalid,
                    comments: d.comments,
                    file_id: d.file_id,
                })
                .collect(),
            blocked_establishments: blocks.into_iter().map(EstablishmentId).collect(),
            contexts: self.contexts(person).await?,
            financial: FinancialFile {
                legal_name: r.legal_name,
                supplier_number: r.supplier_number,
                tax_registration: decode("interpreter_profiles.tax_registration", r.tax_registration.parse())?,
                gst: tax_number(r.gst_number, r.gst_from, r.gst_until),
                qst: tax_number(r.qst_number, r.qst_from, r.qst_until),
            },
        }))
    }

    /// Their contexts or domains ("DPJ"), in alphabetical order.
    async fn contexts(&mut self, person: PersonId) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT context FROM interpreter_contexts WHERE person_id = $1 ORDER BY context";
        Ok(on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(person.0)
            .fetch_all(c)
            .await?))
    }

    async fn language_pairs(&mut self, person: PersonId) -> Result<Vec<LanguagePair>, StoreError> {
        const LANGS: &str = "SELECT source_language, target_language, origin_country FROM interpreter_languages \
             WHERE person_id = $1 ORDER BY source_language, target_language";
        let langs: Vec<(String, String, Option<String>)> =
            on_conn!(self, |c| sqlx::query_as(LANGS).bind(person.0).fetch_all(c).await?);
        langs
            .into_iter()
            .map(|(s, t, origin)| {
                Ok(LanguagePair {
                    source: decode("interpreter_languages.source_language", LanguageTag::parse(&s))?,
                    target: decode("interpreter_languages.target_language", LanguageTag::parse(&t))?,
                    origin_country: origin,
                })
            })
            .collect()
    }

    /// Always, or the weekly hours the interpreter gave.
    async fn availability(&mut self, person: PersonId, always: bool) -> Result<Availability, StoreError> {
        if always {
            return Ok(Availability::Always);
        }
        const HOURS: &str =
            "SELECT weekday, starts, ends FROM interpreter_weekly_hours WHERE person_id = $1 ORDER BY weekday, starts";
        let hours: Vec<(i64, NaiveTime, NaiveTime)> =
            on_conn!(self, |c| sqlx::query_as(HOURS).bind(person.0).fetch_all(c).await?);
        Ok(Availability::Weekly(
            hours
                .into_iter()
                .map(|(day, starts, ends)| {
                    let weekday = weekday_from_number(day)
                        .ok_or_else(|| StoreError::Corrupt(format!("interpreter_weekly_hours.weekday {day}")))?;
                    Ok(WeeklyHours { weekday, starts, ends })
                })
                .collect::<Result<_, StoreError>>()?,
        ))
    }
}

pub(super) fn weekday_from_number(n: i64) -> Option<Weekday> {
    let all = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    all.into_iter().find(|d| i64::from(d.number_from_monday()) == n)
}
