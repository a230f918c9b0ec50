//! One request walked through its whole life, step by step, each through its channel.

use super::seed::{Bank, next_business_day};
use crate::clock::{Clock, ManualClock};
use crate::config::Settings;
use crate::domain::ids::RequestId;
use crate::domain::locale::Locale;
use crate::domain::request::{RequestNumber, RequestStatus, ServiceRecord};
use crate::domain::role::Channel;
use crate::inbound::pipeline::{MailOutcome, MailPipeline};
use crate::inbound::sms_pipeline::{InboundSms, SmsPipeline};
use crate::outbound::worker::Outbound;
use crate::security::reply_key::{ReplyKey, ReplyPurpose};
use crate::workflow::{Actor, Command, Workflow};
use anyhow::Context as _;
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::io::Write;
use std::sync::Arc;

/// The walk's parts: the channels it goes through, its clock, and where it writes.
pub(super) struct Walk<'a, W: Write> {
    settings: &'a Settings,
    workflow: Workflow,
    clock: Arc<ManualClock>,
    tz: Tz,
    bank: Bank,
    mail: MailPipeline,
    sms: SmsPipeline,
    outbound: Outbound,
    signing_key: crate::config::Secret,
    /// Each run's messages get ids of their own, so a second run is not a duplicate.
    run_id: String,
    /// How many notifications left.
    delivered: usize,
    out: &'a mut W,
}

/// The appointment: the next business day at 10:00, an hour in person.
const START_HOUR: u32 = 10;

impl<'a, W: Write> Walk<'a, W> {
    pub(super) fn new(
        settings: &'a Settings,
        workflow: Workflow,
        clock: Arc<ManualClock>,
        bank: Bank,
        out: &'a mut W,
    ) -> anyhow::Result<Self> {
        let store = workflow.store().clone();
        Ok(Walk {
            settings,
            tz: workflow.config().time_zone,
            mail: crate::app::mail_pipeline(settings, workflow.clone())?,
            sms: SmsPipeline::new(
                workflow.clone(),
                &settings.general.default_phone_region,
                &settings.general.bank_name,
            ),
            outbound: Outbound::new(settings, store, clock.clone())?,
            signing_key: crate::security::signing_key(settings)?,
            run_id: uuid::Uuid::new_v4().simple().to_string(),
            delivered: 0,
            workflow,
            clock,
            bank,
            out,
        })
    }

    /// The whole story, then the request's history.
    pub(super) async fn run(&mut self) -> anyhow::Result<()> {
        let date = next_business_day(self.clock.now().with_timezone(&self.tz).date_naive());
        self.ask_for_the_form().await?;
        let (id, number) = self.send_the_form(date).await?;
        self.offer(id).await?;
        self.clock.advance(Duration::minutes(7));
        self.text_yes(id, 1, "la première interprète répond OUI (SMS)").await?;
        self.change_by_mail(id).await?;
        self.clock.advance(Duration::minutes(15));
        self.text_yes(id, 2, "l'interprète accepte de nouveau (SMS)").await?;
        self.record_on_the_web(id, date).await?;
        self.validate_without_answer(id).await?;
        self.close_on_the_web(id).await?;
        self.erase_after_retention(id).await?;
        self.summary(id, &number).await
    }

    fn now(&self) -> String {
        self.clock
            .now()
            .with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    async fn deliver(&mut self) -> anyhow::Result<()> {
        self.delivered += self.outbound.deliver_due().await?;
        Ok(())
    }

    async fn status(&self, id: RequestId) -> anyhow::Result<RequestStatus> {
        let mut tx = self.workflow.store().begin().await?;
        let request = tx.request(id).await?;
        tx.commit().await?;
        Ok(request.status)
    }

    /// One step's line: the time, what was done, the status it moved, and its answer.
    fn said(&mut self, what: &str, from: Option<RequestStatus>, to: RequestStatus, answer: &str) -> anyhow::Result<()> {
        writeln!(
            self.out,
            "[{}] {:<55} {} → {} ({}) · {answer}",
            self.now(),
            what,
            from.map_or("—", |s| s.as_str()),
            to.as_str(),
            to.label(Locale::Fr),
        )?;
        Ok(())
    }

    /// A mail from the requester, as their mail client would send it.
    fn requester_mail(&self, n: u32, to: &str, body: &str) -> Vec<u8> {
        format!(
            "Message-ID: <demo.{n}.{}@ciusss.example>\r\nDate: {}\r\nFrom: Marie Tremblay <marie.tremblay@ciusss.example>\r\n\
             To: {to}\r\nSubject: Interprète espagnol\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}",
            self.run_id,
            self.clock.now().to_rfc2822(),
            body.replace('\n', "\r\n")
        )
        .into_bytes()
    }

    /// Relais's address carrying a reply key, as its mails' Reply-To give it.
    fn reply_address(&self, key: ReplyKey) -> String {
        let from = &self.settings.mail.from_address;
        let (local, domain) = from.split_once('@').unwrap_or(("relais", "localhost"));
        format!("{local}+{}@{domain}", key.encode(&self.signing_key))
    }

    /// The requester writes to the bank's address and gets the request form.
    async fn ask_for_the_form(&mut self) -> anyhow::Result<()> {
        let to = self.settings.mail.from_address.clone();
        let raw = self.requester_mail(1, &to, "Bonjour, j'ai besoin d'un interprète en espagnol.");
        let outcome = self.mail.process(&raw, "demo").await?;
        self.deliver().await?;
        writeln!(
            self.out,
            "[{}] le demandeur écrit à {to} : {} (voir {})",
            self.now(),
            outcome.as_str(),
            self.settings.mail.outbox_folder.display()
        )?;
        Ok(())
    }

    /// The requester answers the form: the request is created.
    async fn send_the_form(&mut self, date: NaiveDate) -> anyhow::Result<(RequestId, String)> {
        self.clock.advance(Duration::minutes(10));
        let to = self.reply_address(ReplyKey {
            purpose: ReplyPurpose::Form,
            request: None,
            person: self.bank.requester,
        });
        let form = format!(
            "Type de demande : en présentiel\nDate du service : {date}\nHeure du service : {START_HOUR} h\nDurée : 1 h\n\
             Langue d'arrivée : espagnol\nLieu du rendez-vous : Clinique externe de pédiatrie, 3e étage\n\
             Nom du professionnel : Dre Marie Tremblay\nFonction : Pédiatre\nContexte : Suivi de santé physique\n\
             Nom de l'usager : Usager de démonstration\nL'interprète doit aviser l'usager : oui\n\nMerci !\nMarie"
        );
        let raw = self.requester_mail(2, &to, &form);
        let outcome = self.mail.process(&raw, "demo").await?;
        let MailOutcome::RequestCreated(number) = &outcome else {
            anyhow::bail!("the demo form was not accepted: {}", outcome.as_str());
        };
        self.deliver().await?;
        let mut tx = self.workflow.store().begin().await?;
        let id = tx
            .request_id_by_number(&RequestNumber::parse(number)?)
            .await?
            .context("the demo request")?;
        tx.commit().await?;
        writeln!(
            self.out,
            "Demande {number} : français → espagnol, {date} à {START_HOUR} h 00, 60 min, en présentiel"
        )?;
        self.said(
            "le demandeur répond au formulaire (courriel)",
            None,
            RequestStatus::New,
            "accusé de réception en file",
        )?;
        Ok((id, number.clone()))
    }

    /// The coordinator offers it to both Spanish interpreters from the web board.
    async fn offer(&mut self, id: RequestId) -> anyhow::Result<()> {
        self.clock.advance(Duration::minutes(20));
        let command = Command::OfferRequest {
            request: id,
            interpreters: self.bank.spanish_interpreters.clone(),
            expires_at: Some(self.clock.now() + Duration::hours(24)),
        };
        let applied = self
            .workflow
            .execute(Actor::coordinator(self.bank.coordinator, Channel::Web), command)
            .await?;
        self.deliver().await?;
        let answer = format!("{} notification(s)", applied.notifications);
        self.said(
            "le coordonnateur l'offre à 2 interprètes (web)",
            applied.from,
            applied.to,
            &answer,
        )
    }

    /// The first interpreter texts back "OUI <code>", as the gateway's webhook hands it over.
    async fn text_yes(&mut self, id: RequestId, n: u32, what: &str) -> anyhow::Result<()> {
        let first = self.bank.spanish_interpreters[0];
        let mut tx = self.workflow.store().begin().await?;
        let mobile = tx
            .person(first)
            .await?
            .mobile
            .context("the demo interpreter's mobile")?;
        let code = tx.offer_code(id, first).await?.context("the demo offer's code")?;
        tx.commit().await?;
        let before = self.status(id).await?;
        let gateway_id = format!("demo-{}-{n}", self.run_id);
        let answer = self
            .sms
            .process(InboundSms {
                gateway: "kannel",
                gateway_id: &gateway_id,
                from: mobile.as_str(),
                to: "",
                text: &format!("OUI {code}"),
            })
            .await?;
        self.deliver().await?;
        let after = self.status(id).await?;
        self.said(what, Some(before), after, &answer.outcome)
    }

    /// Two hours later the requester replies to a mail of the request: 90 minutes instead.
    async fn change_by_mail(&mut self, id: RequestId) -> anyhow::Result<()> {
        self.clock.advance(Duration::hours(2));
        let to = self.reply_address(ReplyKey {
            purpose: ReplyPurpose::Request,
            request: Some(id),
            person: self.bank.requester,
        });
        let raw = self.requester_mail(3, &to, "Durée : 1 h 30\n\nMerci,\nMarie");
        let before = self.status(id).await?;
        let outcome = self.mail.process(&raw, "demo").await?;
        self.deliver().await?;
        let after = self.status(id).await?;
        self.said(
            "le demandeur prolonge à 90 min (courriel)",
            Some(before),
            after,
            outcome.as_str(),
        )
    }

    /// After the appointment, the interpreter fills the service record's web form.
    async fn record_on_the_web(&mut self, id: RequestId, date: NaiveDate) -> anyhow::Result<()> {
        let start = NaiveTime::from_hms_opt(START_HOUR, 0, 0).context("time")?;
        let end = self
            .tz
            .from_local_datetime(&date.and_time(start))
            .earliest()
            .context("appointment time")?
            .with_timezone(&Utc)
            + Duration::minutes(100);
        self.clock.set(end);
        let record = ServiceRecord::completed(start, start + Duration::minutes(90));
        let applied = self
            .workflow
            .execute(
                Actor::interpreter(self.bank.spanish_interpreters[0], Channel::Web),
                Command::RecordService { request: id, record },
            )
            .await?;
        self.deliver().await?;
        let answer = format!("{} notification(s)", applied.notifications);
        self.said(
            "l'interprète enregistre la réalisation (formulaire web)",
            applied.from,
            applied.to,
            &answer,
        )
    }

    /// Nobody answers for 48 hours: Relais validates the record itself.
    async fn validate_without_answer(&mut self, id: RequestId) -> anyhow::Result<()> {
        let hours = i64::from(self.settings.workflow.auto_validate_after_hours) + 1;
        self.clock.advance(Duration::hours(hours));
        let report = self.workflow.sweep().await?;
        self.deliver().await?;
        let status = self.status(id).await?;
        let answer = format!("{} demande(s) validée(s)", report.validated);
        self.said(
            "sans réponse du demandeur en 48 h : validation automatique",
            Some(RequestStatus::ServiceRendered),
            status,
            &answer,
        )
    }

    /// The coordinator checks and closes it on the web.
    async fn close_on_the_web(&mut self, id: RequestId) -> anyhow::Result<()> {
        self.clock.advance(Duration::hours(1));
        let applied = self
            .workflow
            .execute(
                Actor::coordinator(self.bank.coordinator, Channel::Web),
                Command::CloseRequest { request: id },
            )
            .await?;
        self.deliver().await?;
        let answer = format!("{} notification(s)", applied.notifications);
        self.said(
            "le coordonnateur vérifie et ferme la demande (web)",
            applied.from,
            applied.to,
            &answer,
        )
    }

    /// After the retention period, the patient's details are erased.
    async fn erase_after_retention(&mut self, id: RequestId) -> anyhow::Result<()> {
        let days = i64::from(self.settings.privacy.patient_retention_days);
        self.clock.advance(Duration::days(days + 1));
        let report = self.workflow.sweep().await?;
        let mut tx = self.workflow.store().begin().await?;
        let erased = tx.request(id).await?;
        tx.commit().await?;
        let done = erased.details.patient.is_empty() && erased.patient_erased_at.is_some();
        writeln!(
            self.out,
            "[{}] {:<55} renseignements du patient effacés : {} ({} demande(s))",
            self.now(),
            format!("après {days} jours de conservation"),
            if done { "oui" } else { "non" },
            report.erased,
        )?;
        Ok(())
    }

    /// What left, and the request's history with the channel of each step.
    async fn summary(&mut self, id: RequestId, number: &str) -> anyhow::Result<()> {
        let mut tx = self.workflow.store().begin().await?;
        let history = tx.history_of(crate::domain::history::Entity::Request, id.0).await?;
        let outbox = tx.outbox_of_request(id).await?;
        tx.commit().await?;
        writeln!(
            self.out,
            "{} notifications envoyées : courriels dans {}, SMS dans {}",
            self.delivered,
            self.settings.mail.outbox_folder.display(),
            self.settings.sms.log_file.display()
        )?;
        writeln!(
            self.out,
            "Historique de {number} : {} entrées ; {} notifications à son sujet",
            history.len(),
            outbox.len()
        )?;
        for entry in &history {
            writeln!(
                self.out,
                "  {} {:<22} {:<12} {}",
                entry.at.with_timezone(&self.tz).format("%Y-%m-%d %H:%M"),
                entry.action,
                entry.actor_kind.as_str(),
                entry.channel.as_str()
            )?;
        }
        Ok(())
    }
}
