//! The client's address as limits and the audit count it: the TCP peer, or
//! behind a trusted load balancer the hop it appended to `X-Forwarded-For`.

use actix_web::HttpRequest;

use crate::config::Config;

/// The client's address: the TCP peer, or the last `X-Forwarded-For` hop when
/// the service is configured to trust its load balancer.
pub fn client_addr(req: &HttpRequest, config: &Config) -> String {
    if config.trust_forwarded_for {
        // The rightmost hop is the one the trusted load balancer appended; any
        // earlier ones (and a `Forwarded` header) are the client's to forge.
        let last_hop = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .last();
        if let Some(addr) = last_hop {
            return address_key(addr);
        }
    }
    req.peer_addr()
        .map(|a| address_key(&a.ip().to_string()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The address as the limits count it: without a port, and for IPv6 its /64
/// network (one home or one customer holds a whole /64, so counting single
/// addresses would give each of them endless fresh ones).
fn address_key(raw: &str) -> String {
    use std::net::{IpAddr, SocketAddr};
    let ip = raw
        .parse::<SocketAddr>()
        .map(|s| s.ip())
        .or_else(|_| raw.parse::<IpAddr>());
    match ip {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", std::net::Ipv6Addr::from(network))
            }
        },
        Ok(ip) => ip.to_string(),
        Err(_) => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::address_key;

    #[test]
    fn addresses_lose_their_port_and_ipv6_counts_by_its_64() {
        assert_eq!(address_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(address_key("203.0.113.7:51234"), "203.0.113.7");
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            address_key("[2001:db8:1:2:bbbb::9]:443"),
            "2001:db8:1:2::/64"
        );
        assert_eq!(address_key("::ffff:198.51.100.4"), "198.51.100.4");
        assert_eq!(address_key("not an address"), "not an address");
    }
}
