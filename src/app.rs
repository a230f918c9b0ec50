//! Building and running the service: database, migrations, web server, workers.

use crate::clock::Clock;
use crate::config::Settings;
use crate::store::Store;
use crate::web::{self, AppState};
use crate::workflow::{Workflow, WorkflowConfig};
use anyhow::Context as _;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A built, not yet running, Relais.
pub struct App {
    listener: TcpListener,
    workflow: Workflow,
    sweep_interval: Duration,
}

impl App {
    /// Connects to the database, runs migrations and binds the web address
    /// (port 0 picks a free one; see [`App::port`]).
    pub async fn build(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        crate::security::signing_key(settings)?;
        let store = Store::connect(
            settings.database.url.expose(),
            settings.database.max_connections,
        )
        .await?;
        store.migrate().await?;
        let listener = TcpListener::bind(settings.web.bind)
            .await
            .with_context(|| {
                format!(
                    "configuration key `web.bind`: cannot listen on {}",
                    settings.web.bind
                )
            })?;
        let workflow = Workflow::new(store, WorkflowConfig::from_settings(settings), clock);
        Ok(App {
            listener,
            workflow,
            sweep_interval: Duration::from_secs(settings.workers.sweep_interval_seconds),
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
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let sweeper = tokio::spawn(crate::scheduler::run_sweeper(
            self.workflow.clone(),
            self.sweep_interval,
            stop_rx,
        ));
        let router = web::router(AppState {
            workflow: self.workflow.clone(),
        });
        tracing::info!(address = %self.listener.local_addr()?, "relais is listening");
        axum::serve(self.listener, router)
            .with_graceful_shutdown(async move {
                shutdown.await;
                tracing::info!("stopping");
            })
            .await
            .context("web server failed")?;
        let _ = stop_tx.send(true);
        let _ = sweeper.await;
        self.workflow.store().close().await;
        tracing::info!("stopped");
        Ok(())
    }
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
