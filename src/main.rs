use std::process::ExitCode;

use ccc::config::Config;

const USAGE: &str =
    "usage: ccc [serve | migrate | import-postcodes [--if-empty] PATH | seed-demo [--force]]\n\
  serve                  migrate the database, then serve the API (the default)\n\
  migrate                apply pending migrations and exit\n\
  import-postcodes PATH  load OS Code-Point Open (csv or csv.gz) into the postcode table\n\
                         (--if-empty: only if no import has been done yet)\n\
  seed-demo [--force]    load the demo directory if there are no centres yet\n\
                         (--force: also when there are, unless it is already loaded)\n\
Every command reads DATABASE_URL; serve reads the rest of the configuration too.";

#[actix_web::main]
async fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str).unwrap_or("serve");
    if command == "serve" {
        return match Config::from_env() {
            Ok(config) => serve(config).await,
            Err(err) => {
                eprintln!("ccc: configuration error: {err}");
                ExitCode::from(2)
            }
        };
    }
    let Ok(database_url) = std::env::var("DATABASE_URL") else {
        eprintln!("ccc: configuration error: DATABASE_URL is not set");
        return ExitCode::from(2);
    };
    let result = match (command, &args[1..]) {
        ("migrate", []) => ccc::db::run_migrations(&database_url)
            .await
            .map(|applied| format!("applied {} migration(s)", applied.len()))
            .map_err(|e| e.to_string()),
        ("import-postcodes", [path]) => import_postcodes(&database_url, path, false).await,
        ("import-postcodes", [flag, path]) if flag == "--if-empty" => {
            import_postcodes(&database_url, path, true).await
        }
        ("seed-demo", flags) if flags.iter().all(|f| f == "--force") => {
            ccc::centres::demo::seed(&database_url, !flags.is_empty())
                .await
                .map_err(|e| e.to_string())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(summary) => {
            log::info!("{summary}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("ccc: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn import_postcodes(
    database_url: &str,
    path: &str,
    if_empty: bool,
) -> Result<String, String> {
    ccc::db::run_migrations(database_url)
        .await
        .map_err(|e| e.to_string())?;
    if if_empty {
        if let Some(report) = ccc::postcodes::import::loaded(database_url)
            .await
            .map_err(|e| e.to_string())?
        {
            return Ok(format!(
                "postcodes already imported ({report}); not importing again"
            ));
        }
    }
    let started = std::time::Instant::now();
    let report = ccc::postcodes::import::import(database_url, std::path::Path::new(path))
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "imported {} postcodes ({} without coordinates) and {} district centroids in {:.1} s. {}",
        report.postcodes,
        report.without_coordinates,
        report.districts,
        started.elapsed().as_secs_f64(),
        ccc::postcodes::ATTRIBUTION
    ))
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
    app.worker_pools.close();
    app.pool.close();
    log::info!("stopped; database pools closed");
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ccc: server error: {err}");
            ExitCode::FAILURE
        }
    }
}
