//! A TCP proxy in front of the real PostgreSQL server, so a test can cut the
//! database off from the service and restore it, as an outage would.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub struct DbProxy {
    pub addr: SocketAddr,
    target: String,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    acceptor: Option<JoinHandle<()>>,
    /// While false, new connections are accepted but not forwarded: the database
    /// is "slow", and whatever waits on it stays in flight.
    gate: tokio::sync::watch::Sender<bool>,
}

impl DbProxy {
    /// Starts forwarding a free local port to `target` (`host:port`).
    pub async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let mut proxy = Self {
            addr,
            target: target.to_owned(),
            tasks: Arc::default(),
            acceptor: None,
            gate: tokio::sync::watch::channel(true).0,
        };
        proxy.accept_on(listener);
        proxy
    }

    fn accept_on(&mut self, listener: TcpListener) {
        let target = self.target.clone();
        let tasks = Arc::clone(&self.tasks);
        let gate = self.gate.subscribe();
        self.acceptor = Some(tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let mut gate = gate.clone();
                let task = tokio::spawn(async move {
                    if gate.wait_for(|open| *open).await.is_err() {
                        return;
                    }
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().expect("lock").push(task);
            }
        }));
    }

    /// The database "goes down": no new connections, open ones are cut.
    pub fn cut(&mut self) {
        if let Some(acceptor) = self.acceptor.take() {
            acceptor.abort();
        }
        for task in self.tasks.lock().expect("lock").drain(..) {
            task.abort();
        }
    }

    /// New connections wait until [`DbProxy::release`].
    pub fn hold(&self) {
        self.gate.send_replace(false);
    }

    pub fn release(&self) {
        self.gate.send_replace(true);
    }

    /// The database "comes back" on the same address.
    pub async fn restore(&mut self) {
        let listener = TcpListener::bind(self.addr).await.expect("rebind proxy");
        self.accept_on(listener);
    }

    /// `url` (a postgres URL to the real server) rewritten to go through the proxy.
    pub fn url_through(&self, url: &str) -> String {
        let host_port = &self.target;
        url.replacen(host_port, &self.addr.to_string(), 1)
    }
}

/// `host:port` of a postgres URL.
pub fn host_port(url: &str) -> String {
    let rest = &url[url.find("://").map(|i| i + 3).unwrap_or(0)..];
    let rest = rest.rsplit_once('@').map(|(_, r)| r).unwrap_or(rest);
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    rest[..end].to_owned()
}
