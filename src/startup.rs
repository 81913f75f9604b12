//! Builds the HTTP server: the router, its shared state and middleware.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, App, HttpResponse, HttpServer};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::db::{Pool, WorkerPools};
use crate::http::{extractors, fallback, middleware};
use crate::identity::tokens::TokenKeys;
use crate::pagination::CursorKey;
use crate::{centres, router};

/// Starts serving on `listener` with `config.workers` workers, each with its
/// own pool of `worker_pools`; the jobs run on `pool`. The returned server
/// runs until stopped (SIGTERM or SIGINT stop it gracefully: no new
/// connections, in-flight requests finish).
pub fn run(
    listener: TcpListener,
    config: Config,
    pool: Pool,
    worker_pools: WorkerPools,
) -> std::io::Result<Server> {
    let route_table = web::Data::new(fallback::RouteTable::from_openapi(&router::spec()));
    let spec = router::spec_value();
    let shutdown_timeout = config.shutdown_timeout.as_secs();
    let workers = config.workers;
    let max_json_bytes = config.max_json_bytes;
    let keys = web::Data::new(TokenKeys::new(&config.jwt));
    let cursor_key = web::Data::new(CursorKey::derive(config.jwt.secret.expose().as_bytes()));
    let cors_origins = config.cors_allowed_origins.clone();
    let mailer = crate::notifications::delivery::Mailer::from_config(&config)
        .map_err(std::io::Error::other)?
        .map(std::sync::Arc::new);
    match (&mailer, config.jobs_interval) {
        (Some(m), Some(_)) => log::info!("{}", m.describe()),
        (Some(_), None) => log::warn!(
            "a mailer is configured but JOBS_INTERVAL_SECS=0: nothing delivers the outbox"
        ),
        (None, _) => log::info!("messages wait in the notifications outbox (MAIL_TRANSPORT=none)"),
    }
    if let Some(every) = config.jobs_interval {
        crate::jobs::spawn(pool.clone(), every, mailer);
    }
    let config = web::Data::new(config);
    // One snapshot of the directory per instance, shared by its workers.
    let directory = web::Data::new(centres::directory::DirectoryCache::new(
        config.directory_recheck,
    ));
    let server = HttpServer::new(move || {
        App::new()
            .into_utoipa_app()
            .app_data(config.clone())
            .app_data(web::Data::new(worker_pools.take()))
            .app_data(route_table.clone())
            .app_data(keys.clone())
            .app_data(cursor_key.clone())
            .app_data(directory.clone())
            .app_data(extractors::form_config())
            .app_data(extractors::json_config(max_json_bytes))
            .app_data(extractors::query_config())
            .app_data(extractors::path_config())
            .configure(router::routes)
            .into_app()
            .service(
                SwaggerUi::new("/docs/{_:.*}")
                    .external_url_unchecked("/api-docs/openapi.json", spec.clone()),
            )
            .route(
                "/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header((header::LOCATION, "/docs/"))
                        .finish()
                }),
            )
            .route(
                "/problems/{kind}",
                web::get().to(crate::problem_types::page),
            )
            .default_service(web::to(fallback::not_routed))
            .wrap(DefaultHeaders::new().add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")))
            .wrap(middleware::cors(&cors_origins))
            .wrap(middleware::RequestContext)
    })
    .workers(workers)
    .listen(listener)?
    .shutdown_timeout(shutdown_timeout);
    Ok(server.run())
}
