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
use std::future::{Future, IntoFuture as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

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
    digest_slots: crate::domain::daily_slots::DailySlots,
    /// `workers.shutdown_grace_seconds`: how long work in flight may take after SIGTERM.
    shutdown_grace: Duration,
}

impl App {
    /// Connects to the database, runs migrations and binds the web address
    /// (port 0 picks a free one; see [`App::port`]).
    pub async fn build(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        let listener = TcpListener::bind(settings.web.bind)
            .await
            .with_context(|| format!("configuration key `web.bind`: cannot listen on {}", settings.web.bind))?;
        App::build_on(settings, clock, listener).await
    }

    /// [`App::build`] on a listener bound already: whoever bound it (a test on port 0, a
    /// supervisor handing over a socket) knows the port before anything is built, so the
    /// public address in the settings can name it.
    pub async fn build_on(settings: &Settings, clock: Arc<dyn Clock>, listener: TcpListener) -> anyhow::Result<App> {
        // First: a missing or short key stops start-up before anything else is opened.
        let signing_key = crate::security::signing_key(settings)?;
        let store = Store::connect(settings.database.url.expose(), settings.database.max_connections).await?;
        store.migrate().await?;
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
        // Claims carry this process's name. One that a previous process of the same name
        // (gone: this one holds its port) left are released now, not after their lease.
        let (instance, reused) =
            crate::outbound::worker::instance_name(settings, listener.local_addr().ok().map(|a| a.port()));
        let outbound = Outbound::new(settings, store, clock)?.with_instance(&instance);
        if reused {
            let released = outbound
                .release_own_claims(false)
                .await
                .context("cannot release the outbox claims of a previous run")?;
            if released > 0 {
                tracing::info!(instance = %instance, released, "outbox: claims left by a previous run released");
            }
        }
        tracing::debug!(instance = %instance, "outbox claims are made under this name");
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
            shutdown_grace: Duration::from_secs(settings.workers.shutdown_grace_seconds),
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The port of `metrics.bind`, when `/metrics` has an address of its own.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_listener.as_ref()?.local_addr().ok().map(|a| a.port())
    }

    pub fn workflow(&self) -> &Workflow {
        &self.workflow
    }

    /// Serves until `shutdown` completes, then stops: no new connection or new piece of
    /// work is taken, and requests and work in flight get the grace period
    /// (`workers.shutdown_grace_seconds`) from the signal to finish. What still runs then
    /// is aborted, the outbox claims this process holds are released for the next start,
    /// and the database is closed.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let grace = self.shutdown_grace;
        let (stop_tx, stop_rx) = watch::channel(false);
        let stop_tx = Arc::new(stop_tx);
        let workers = self.spawn_workers(&stop_rx)?;
        let state = self.app_state();
        let router = web::router(state.clone());
        // When the stop signal came: the grace period runs from then.
        let (down_tx, down_rx) = watch::channel(None::<Instant>);
        let metrics_server = serve_metrics(self.metrics_listener, state, down_rx.clone())?;
        tracing::info!(address = %self.listener.local_addr()?, "relais is listening");
        // The peer address feeds the sign-in limits per client.
        let signal_workers = stop_tx.clone();
        let web = axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!(grace_seconds = grace.as_secs(), "stopping");
            let _ = down_tx.send(Some(Instant::now()));
            // The workers stop taking work now, while the web server drains.
            let _ = signal_workers.send(true);
        })
        .into_future();
        let mut drained = down_rx.clone();
        let web_cut = async move {
            let _ = drained.wait_for(Option::is_some).await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            served = web => served.context("web server failed")?,
            () = web_cut => tracing::warn!("requests still in flight after the grace period are dropped"),
        }
        let deadline = down_rx.borrow().unwrap_or_else(Instant::now) + grace;
        drop(down_rx);
        let _ = stop_tx.send(true);
        wind_down(deadline, metrics_server, workers, &self.outbound, &self.workflow).await
    }

    /// The timers, the outbox worker and the configured mail source, each a task that
    /// stops taking work when `stop` turns true.
    fn spawn_workers(&self, stop_rx: &watch::Receiver<bool>) -> anyhow::Result<Vec<JoinHandle<()>>> {
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
                stop_rx.clone(),
            )));
        }
        if self.inbound == InboundSource::Imap {
            let source = crate::inbound::imap::ImapSource::new(self.imap.clone(), self.pipeline.clone());
            workers.push(tokio::spawn(source.run(stop_rx.clone())));
        }
        Ok(workers)
    }

    fn app_state(&self) -> AppState {
        AppState {
            workflow: self.workflow.clone(),
            sms_hooks: self.sms_hooks.clone(),
            link_pages: self.link_pages.clone(),
            account_pages: self.account_pages.clone(),
            settings: self.settings.clone(),
            mail_pipeline: self.pipeline.clone(),
            metrics: web::MetricsAccess {
                bearer_token: self.settings.metrics.bearer_token.clone(),
                separate: self.metrics_listener.is_some(),
            },
        }
    }
}

/// The metrics on their own address, when one is set; it stops when `down` is set.
fn serve_metrics(
    listener: Option<TcpListener>,
    state: AppState,
    down: watch::Receiver<Option<Instant>>,
) -> anyhow::Result<Option<JoinHandle<std::io::Result<()>>>> {
    let Some(listener) = listener else {
        return Ok(None);
    };
    tracing::info!(address = %listener.local_addr()?, "metrics are served on their own address");
    let mut down = down;
    let serve =
        axum::serve(listener, web::metrics_router(state).into_make_service()).with_graceful_shutdown(async move {
            let _ = down.wait_for(Option::is_some).await;
        });
    Ok(Some(tokio::spawn(async move { serve.await })))
}

/// After the web server: the metrics server and the workers get until `deadline`, then
/// are aborted; the outbox claims this process holds are released and the database is
/// closed.
async fn wind_down(
    deadline: Instant,
    metrics_server: Option<JoinHandle<std::io::Result<()>>>,
    workers: Vec<JoinHandle<()>>,
    outbound: &Outbound,
    workflow: &Workflow,
) -> anyhow::Result<()> {
    if let Some(mut server) = metrics_server {
        match tokio::time::timeout_at(deadline, &mut server).await {
            Ok(served) => served
                .context("metrics server stopped")?
                .context("metrics server failed")?,
            Err(_) => server.abort(),
        }
    }
    // A worker whose own grace ran out (the outbox worker, on a delivery in flight)
    // gets a moment to put its house in order before it is aborted.
    let mut aborted = Vec::new();
    for mut worker in workers {
        if tokio::time::timeout_at(deadline + WRAP_UP, &mut worker).await.is_err() {
            worker.abort();
            aborted.push(worker);
        }
    }
    if !aborted.is_empty() {
        tracing::warn!(
            aborted = aborted.len(),
            "workers still busy after the grace period were stopped"
        );
        // An aborted task ends at its next await; give it a moment to drop what it held.
        for worker in aborted {
            let _ = tokio::time::timeout(WRAP_UP, worker).await;
        }
    }
    // What an aborted worker held, and any delivery it abandoned, is due again at once.
    match tokio::time::timeout(WRAP_UP, outbound.release_own_claims(true)).await {
        Ok(Ok(0)) => {}
        Ok(Ok(released)) => tracing::info!(released, "outbox: claims released for the next start"),
        Ok(Err(e)) => {
            tracing::warn!(error = %format!("{e:#}"), "outbox: claims not released; they lapse after their lease")
        }
        Err(_) => tracing::warn!("outbox: the database did not answer; claims lapse after their lease"),
    }
    if tokio::time::timeout(WRAP_UP, workflow.store().close()).await.is_err() {
        tracing::warn!("the database connections did not close in time");
    }
    tracing::info!("stopped");
    Ok(())
}

/// How long each last step of a stop (workers wrapping up, aborted tasks ending, claims
/// released, connections closed) may take once the grace period is over: the whole stop
/// takes at most the grace period and one second.
const WRAP_UP: Duration = Duration::from_millis(250);

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
