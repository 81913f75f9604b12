//! `spawn_app()`: a fresh database cloned from a migrated template, and the real
//! server on port 0, reached over HTTP.

use std::collections::HashMap;
use std::time::Duration;

use ccc::config::Config;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use uuid::Uuid;

pub const JWT_SECRET: &str = "test-signing-key-0123456789abcdef0123456789";
pub const ADMIN_EMAIL: &str = "admin@network.test";
pub const ADMIN_PASSWORD: &str = "bootstrap admin pass phrase";
/// A password that meets the policy, for accounts tests make.
pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The instance's own pool (the jobs'), for the tests' own queries.
    pub pool: ccc::db::Pool,
    /// The HTTP workers' pools.
    pub worker_pools: ccc::db::WorkerPools,
    pub database_url: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }

    /// GET with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request failed")
    }

    /// POST a JSON body, with a bearer token when given.
    pub async fn post_json(
        &self,
        token: Option<&str>,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request failed")
    }

    /// Any method, with a bearer token and a JSON body when given.
    pub async fn send(
        &self,
        method: reqwest::Method,
        token: Option<&str>,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request failed")
    }

    /// Sends a request and reads its JSON answer, checking the status.
    pub async fn json_of(
        &self,
        method: reqwest::Method,
        token: Option<&str>,
        path: &str,
        body: Option<&serde_json::Value>,
        status: u16,
    ) -> serde_json::Value {
        let response = self.send(method.clone(), token, path, body).await;
        let got = response.status().as_u16();
        let text = response.text().await.expect("body");
        assert_eq!(got, status, "{method} {path}: {text}");
        if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).expect("json body")
        }
    }

    /// The `ETag` of a case (a referral or family) as `token` reads it.
    pub async fn etag(&self, token: &str, path: &str) -> String {
        let response = self
            .send(reqwest::Method::GET, Some(token), path, None)
            .await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.headers()["etag"]
            .to_str()
            .expect("etag")
            .to_owned()
    }

    /// Like [`Self::json_of`], sending `tag` in `If-Match`.
    pub async fn json_if_match(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: &serde_json::Value,
        tag: &str,
        status: u16,
    ) -> serde_json::Value {
        let response = self
            .client
            .request(method.clone(), self.url(path))
            .bearer_auth(token)
            .header("if-match", tag)
            .json(body)
            .send()
            .await
            .expect("request failed");
        let got = response.status().as_u16();
        let text = response.text().await.expect("body");
        assert_eq!(got, status, "{method} {path}: {text}");
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    }

    /// Logs in; returns the whole token answer.
    pub async fn login(&self, email: &str, password: &str) -> serde_json::Value {
        let response = self
            .post_json(
                None,
                "/api/v1/auth/login",
                &serde_json::json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(response.status(), 200, "login of {email}");
        response.json().await.expect("token JSON")
    }

    pub async fn admin_token(&self) -> String {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// The newest token sent to `recipient` with `template`, from the outbox.
    pub async fn outbox_token(&self, recipient: &str, template: &str) -> String {
        let payload = self.outbox_payload(recipient, template).await;
        payload["token"]
            .as_str()
            .expect("a token in the message")
            .to_owned()
    }

    pub async fn outbox_payload(&self, recipient: &str, template: &str) -> serde_json::Value {
        use diesel::sql_types::{Jsonb, Text};
        use diesel_async::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = Jsonb)]
            payload: serde_json::Value,
        }
        let mut conn = self.pool.get().await.expect("connection");
        diesel::sql_query(
            "SELECT payload FROM notifications_outbox WHERE recipient = $1 AND template = $2 \
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind::<Text, _>(recipient.to_lowercase())
        .bind::<Text, _>(template)
        .get_result::<Row>(&mut conn)
        .await
        .expect("a message in the outbox")
        .payload
    }

    /// Runs SQL on the app's database and returns the first column of each row as text.
    pub async fn query_texts(&self, sql: &str) -> Vec<String> {
        use diesel_async::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            value: String,
        }
        let mut conn = self.pool.get().await.expect("connection");
        diesel::sql_query(sql)
            .load::<Row>(&mut conn)
            .await
            .expect("query")
            .into_iter()
            .map(|r| r.value)
            .collect()
    }

    /// Creates a centre as the admin; returns its id.
    pub async fn create_centre(&self, admin: &str, name: &str) -> String {
        let response = self
            .post_json(
                Some(admin),
                "/api/v1/centres",
                &serde_json::json!({"name": name}),
            )
            .await;
        assert_eq!(response.status(), 201);
        let body: serde_json::Value = response.json().await.expect("json");
        body["id"].as_str().expect("id").to_owned()
    }

    /// Invites a person as `inviter`, accepts the invitation with [`PASSWORD`],
    /// and returns (user id, access token).
    pub async fn invite_and_login(
        &self,
        inviter: &str,
        email: &str,
        role: &str,
        centre_ids: &[&str],
    ) -> (String, String) {
        let response = self
            .post_json(
                Some(inviter),
                "/api/v1/users",
                &serde_json::json!({"email": email, "name": "Test Person", "role": role, "centre_ids": centre_ids}),
            )
            .await;
        assert_eq!(response.status(), 201, "invite {email}");
        let user: serde_json::Value = response.json().await.expect("json");
        let token = self.outbox_token(email, "invitation").await;
        let accepted = self
            .post_json(
                None,
                "/api/v1/auth/accept-invitation",
                &serde_json::json!({"token": token, "password": PASSWORD}),
            )
            .await;
        assert_eq!(accepted.status(), 204, "accept invitation of {email}");
        let login = self.login(email, PASSWORD).await;
        (
            user["id"].as_str().expect("id").to_owned(),
            login["access_token"].as_str().expect("token").to_owned(),
        )
    }
}

/// The server every test database lives on: `TEST_DATABASE_URL`, else
/// `DATABASE_URL`. `make test` sets it.
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .expect("set TEST_DATABASE_URL (make test does) to a PostgreSQL server URL")
}

/// `url` with its database name replaced by `db` (query parameters dropped).
pub fn with_database(url: &str, db: &str) -> String {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    let end = url[after_scheme..]
        .find(['/', '?'])
        .map(|i| after_scheme + i)
        .unwrap_or(url.len());
    format!("{}/{db}", &url[..end])
}

async fn maintenance() -> AsyncPgConnection {
    AsyncPgConnection::establish(&with_database(&server_url(), "postgres"))
        .await
        .expect("cannot reach the test PostgreSQL server")
}

/// The template's name changes with the migrations, so a changed migration gets
/// a fresh template.
fn template_name() -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let mut entries: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .expect("migrations folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for dir in entries {
        for file in ["up.sql", "down.sql"] {
            dir.join(file).to_string_lossy().hash(&mut hasher);
            std::fs::read(dir.join(file))
                .unwrap_or_default()
                .hash(&mut hasher);
        }
    }
    format!("ccc_tpl_{:016x}", hasher.finish())
}

/// Creates the migrated template once per migration set. Test binaries run in
/// parallel processes, so creation is serialised by an advisory lock and marked
/// complete by a comment.
async fn ensure_template() -> String {
    let name = template_name();
    let mut conn = maintenance().await;
    conn.batch_execute("SELECT pg_advisory_lock(7210001)")
        .await
        .expect("lock");
    let ready: bool = {
        use diesel::sql_types::Text;
        use diesel_async::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            ready: bool,
        }
        diesel::sql_query(
            "SELECT coalesce(shobj_description(oid, 'pg_database') = 'ready', false) AS ready \
             FROM pg_database WHERE datname = $1",
        )
        .bind::<Text, _>(&name)
        .get_result::<Row>(&mut conn)
        .await
        .map(|r| r.ready)
        .unwrap_or(false)
    };
    if !ready {
        conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\""))
            .await
            .expect("drop stale template");
        conn.batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create template");
        let url = with_database(&server_url(), &name);
        std::thread::spawn(move || ccc::db::run_migrations_blocking(&url))
            .join()
            .expect("migration thread")
            .expect("migrate template");
        conn.batch_execute(&format!("COMMENT ON DATABASE \"{name}\" IS 'ready'"))
            .await
            .expect("mark template");
    }
    conn.batch_execute("SELECT pg_advisory_unlock(7210001)")
        .await
        .expect("unlock");
    name
}

/// A new, migrated, empty database; returns its URL.
pub async fn fresh_database() -> String {
    let template = ensure_template().await;
    let db = format!("ccc_test_{}", Uuid::now_v7().simple());
    let mut conn = maintenance().await;
    let mut tries = 0;
    loop {
        match conn
            .batch_execute(&format!("CREATE DATABASE \"{db}\" TEMPLATE \"{template}\""))
            .await
        {
            Ok(()) => break,
            // Another process may be connected to the template for a moment.
            Err(e) if tries < 20 => {
                tries += 1;
                eprintln!("retrying CREATE DATABASE: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("cannot create the test database: {e}"),
        }
    }
    with_database(&server_url(), &db)
}

/// A new database with no tables at all (not from the template).
pub async fn empty_database() -> String {
    let db = format!("ccc_test_{}", Uuid::now_v7().simple());
    let mut conn = maintenance().await;
    conn.batch_execute(&format!("CREATE DATABASE \"{db}\""))
        .await
        .expect("create database");
    with_database(&server_url(), &db)
}

/// Configuration for a test server on `database_url`, with `overrides` on top.
pub fn test_config(database_url: &str, overrides: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".to_owned(), database_url.to_owned()),
        ("PORT".to_owned(), "0".to_owned()),
        ("WORKERS".to_owned(), "1".to_owned()),
        ("DB_POOL_SIZE".to_owned(), "4".to_owned()),
        ("DB_TIMEOUT_MS".to_owned(), "1000".to_owned()),
        ("JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
        ("BOOTSTRAP_ADMIN_EMAIL".to_owned(), ADMIN_EMAIL.to_owned()),
        (
            "BOOTSTRAP_ADMIN_PASSWORD".to_owned(),
            ADMIN_PASSWORD.to_owned(),
        ),
    ]);
    for (k, v) in overrides {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    Config::from_lookup(|k| vars.get(k).cloned()).expect("valid test configuration")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// A server on a fresh database, with configuration overrides.
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    let database_url = fresh_database().await;
    spawn_app_on(&database_url, overrides).await
}

/// A server on an existing database URL (which may lead through a proxy).
pub async fn spawn_app_on(database_url: &str, overrides: &[(&str, &str)]) -> TestApp {
    let config = test_config(database_url, overrides);
    let app = ccc::run(config).await.expect("the service starts");
    tokio::spawn(app.server);
    let address = format!("http://127.0.0.1:{}", app.port);
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        pool: app.pool,
        worker_pools: app.worker_pools,
        database_url: database_url.to_owned(),
    }
}
