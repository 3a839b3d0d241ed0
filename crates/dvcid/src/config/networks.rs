//! A list of IP networks in configuration: a TOML array, or (as an environment variable can only
//! be text) one string of comma-separated entries. An entry is a CIDR network (`10.0.0.0/8`,
//! `2001:db8::/32`) or a single address (`192.0.2.10`, `::1`).

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Deserializer, de};

#[derive(Deserialize)]
#[serde(untagged)]
enum Entries {
    List(Vec<String>),
    Text(String),
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<IpNet>, D::Error> {
    let entries = match Entries::deserialize(deserializer)? {
        Entries::List(list) => list,
        Entries::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    entries.iter().map(|entry| parse(entry)).collect()
}

fn parse<E: de::Error>(entry: &str) -> Result<IpNet, E> {
    let entry = entry.trim();
    entry
        .parse::<IpNet>()
        .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
        .map(|network| network.trunc())
        .map_err(|_| {
            E::custom(format!(
                "`{entry}` is not an IP network (e.g. 10.0.0.0/8, 2001:db8::/32) or address"
            ))
        })
}
