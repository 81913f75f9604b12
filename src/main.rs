use std::process::ExitCode;

use ccc::config::Config;

const USAGE: &str = "usage: ccc [serve | migrate]\n\
  serve    migrate the database, then serve the API (the default)\n\
  migrate  apply pending migrations and exit";

#[actix_web::main]
async fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let command = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "serve".to_owned());
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("ccc: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    match command.as_str() {
        "serve" => serve(config).await,
        "migrate" => match ccc::db::run_migrations(config.database_url.expose()).await {
            Ok(applied) => {
                log::info!("applied {} migration(s)", applied.len());
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("ccc: {err}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

async fn serve(config: Config) -> ExitCode {
    let public_url = config.public_url.clone();
    let app = match ccc::run(config).await {
        Ok(app) => app,
        Err(err) => {
            eprintln!("ccc: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    log::info!("listening on port {}", app.port);
    log::info!("API:   {public_url}/api/v1");
    log::info!("docs:  {public_url}/docs/");
    log::info!("spec:  {public_url}/api-docs/openapi.json");
    let result = app.server.await;
    app.pool.close();
    log::info!("stopped; database pool closed");
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ccc: server error: {err}");
            ExitCode::FAILURE
        }
    }
}
