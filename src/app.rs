//! Building and running the service: database, migrations, web server, workers.

use crate::clock::Clock;
use crate::config::{InboundSource, Settings};
use crate::inbound::mail::reading::ReadContext;
use crate::inbound::pipeline::{MailPipeline, PipelineConfig};
use crate::inbound::sms_pipeline::SmsPipeline;
use crate::outbound::worker::Outbound;
use crate::store::Store;
use crate::web::{self, AppState, SmsHooks};
use crate::workflow::{Workflow, WorkflowConfig};
use anyhow::Context as _;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A built, not yet running, Relais.
pub struct App {
    listener: TcpListener,
    /// `metrics.bind`: `/metrics` on an address of its own.
    metrics_listener: Option<TcpListener>,
    workflow: Workflow,
    pipeline: MailPipeline,
    outbound: Outbound,
    sms_hooks: SmsHooks,
    link_pages: web::links::LinkPages,
    account_pages: web::account::AccountPages,
    settings: Arc<Settings>,
    inbound: InboundSource,
    maildir: PathBuf,
    imap: crate::config::Imap,
    sweep_interval: Duration,
    digest_slots: crate::scheduler::slots::DailySlots,
}

impl App {
    /// Connects to the database, runs migrations and binds the web address
    /// (port 0 picks a free one; see [`App::port`]).
    pub async fn build(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        crate::security::signing_key(settings)?;
        let store = Store::connect(settings.database.url.expose(), settings.database.max_connections).await?;
        store.migrate().await?;
        let listener = TcpListener::bind(settings.web.bind)
            .await
            .with_context(|| format!("configuration key `web.bind`: cannot listen on {}", settings.web.bind))?;
        let metrics_listener = match settings.metrics.bind {
            Some(address) => Some(
                TcpListener::bind(address)
                    .await
                    .with_context(|| format!("configuration key `metrics.bind`: cannot listen on {address}"))?,
            ),
            None => None,
        };
        let workflow = Workflow::new(store.clone(), WorkflowConfig::from_settings(settings), clock.clone());
        let pipeline = mail_pipeline(settings, workflow.clone())?;
        let outbound = Outbound::new(settings, store, clock)?;
        let sms_hooks = SmsHooks {
            pipeline: SmsPipeline::new(
                workflow.clone(),
                &settings.general.default_phone_region,
                &settings.mail.from_name,
            )
            .answering_within(Duration::from_secs(settings.sms.answer_within_seconds)),
            public_base_url: settings.web.public_base_url.clone(),
            twilio_token: settings.sms.twilio.auth_token.clone(),
            kannel_secret: settings.sms.kannel.inbound_secret.clone(),
        };
        let link_pages = web::links::LinkPages {
            keys: crate::security::link_keys(settings)?,
            bank: settings.general.bank_name.clone(),
            secure_cookies: settings.web.public_base_url.starts_with("https://"),
            client_ip_header: settings.web.client_ip_header.trim().to_string(),
        };
        let signing_key = crate::security::signing_key(settings)?;
        let account_pages = web::account::AccountPages {
            accounts: crate::workflow::accounts::Accounts::new(
                workflow.clone(),
                signing_key,
                &settings.security.previous_keys,
                &settings.general.bank_name,
            )?,
            keys: link_pages.keys.clone(),
            bank: settings.general.bank_name.clone(),
            secure_cookies: link_pages.secure_cookies,
            client_ip_header: settings.web.client_ip_header.trim().to_string(),
        };
        Ok(App {
            listener,
            metrics_listener,
            link_pages,
            account_pages,
            settings: Arc::new(settings.clone()),
            workflow,
            pipeline,
            outbound,
            sms_hooks,
            inbound: settings.mail.inbound,
            maildir: settings.mail.maildir.clone(),
            imap: settings.imap.clone(),
            sweep_interval: Duration::from_secs(settings.workers.sweep_interval_seconds),
            digest_slots: crate::scheduler::digest_slots(settings),
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn workflow(&self) -> &Workflow {
        &self.workflow
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish and stops
    /// the workers.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut workers = vec![tokio::spawn(crate::scheduler::run_timers(
            self.workflow.clone(),
            self.sweep_interval,
            self.digest_slots.clone(),
            stop_rx.clone(),
        ))];
        workers.push(tokio::spawn(
            self.outbound.clone().run(Duration::from_secs(1), stop_rx.clone()),
        ));
        if self.inbound == InboundSource::Maildir {
            crate::inbound::maildir::ensure(&self.maildir)?;
            workers.push(tokio::spawn(crate::inbound::maildir::run(
                self.pipeline.clone(),
                self.maildir.clone(),
                Duration::from_secs(2),
                stop_rx.clone(),
            )));
        }
        if self.inbound == InboundSource::Imap {
            let source = crate::inbound::imap::ImapSource::new(self.imap.clone(), self.pipeline.clone());
            workers.push(tokio::spawn(source.run(stop_rx.clone())));
        }
        let state = AppState {
            workflow: self.workflow.clone(),
            sms_hooks: Some(self.sms_hooks.clone()),
            link_pages: Some(self.link_pages.clone()),
            account_pages: Some(self.account_pages.clone()),
            settings: Some(self.settings.clone()),
            mail_pipeline: self.pipeline.clone(),
            metrics: web::MetricsAccess {
                bearer_token: self.settings.metrics.bearer_token.clone(),
                separate: self.metrics_listener.is_some(),
            },
        };
        let router = web::router(state.clone());
        let (down_tx, down_rx) = watch::channel(false);
        let metrics_server = match self.metrics_listener {
            Some(listener) => {
                tracing::info!(address = %listener.local_addr()?, "metrics are served on their own address");
                let mut down = down_rx.clone();
                let serve = axum::serve(listener, web::metrics_router(state).into_make_service())
                    .with_graceful_shutdown(async move {
                        let _ = down.wait_for(|stopping| *stopping).await;
                    });
                Some(tokio::spawn(async move { serve.await }))
            }
            None => None,
        };
        tracing::info!(address = %self.listener.local_addr()?, "relais is listening");
        // The peer address feeds the sign-in limits per client.
        axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("stopping");
            let _ = down_tx.send(true);
        })
        .await
        .context("web server failed")?;
        if let Some(server) = metrics_server {
            server
                .await
                .context("metrics server stopped")?
                .context("metrics server failed")?;
        }
        drop(down_rx);
        let _ = stop_tx.send(true);
        for worker in workers {
            let _ = worker.await;
        }
        self.workflow.store().close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// What reading a mail needs of the settings.
pub fn read_context(settings: &Settings) -> ReadContext {
    let own = settings.mail.from_address.to_lowercase();
    ReadContext {
        relais_local_part: own.split('@').next().unwrap_or("relais").to_string(),
        time_zone: settings.general.time_zone,
    }
}

/// The inbound mail pipeline over `workflow`.
pub fn mail_pipeline(settings: &Settings, workflow: Workflow) -> anyhow::Result<MailPipeline> {
    Ok(MailPipeline::new(
        workflow,
        PipelineConfig {
            read: read_context(settings),
            own_address: settings.mail.from_address.to_lowercase(),
            signing_key: crate::security::signing_key(settings)?,
            previous_keys: settings.security.previous_keys.clone(),
            sender_auth: crate::inbound::sender_auth::SenderAuth::from_settings(settings)?,
            confirmations_per_day: settings.mail.confirmations_per_day,
            public_base_url: settings.web.public_base_url.clone(),
            max_message_bytes: settings.mail.max_message_bytes,
        },
    ))
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
