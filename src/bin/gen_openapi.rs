//! Writes the OpenAPI document to `openapi/openapi.json` (or the path given).

fn main() -> std::process::ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "openapi/openapi.json".to_owned());
    match std::fs::write(&path, ccc::router::spec_json()) {
        Ok(()) => {
            println!("wrote {path}");
            std::process::ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("gen_openapi: cannot write {path}: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
