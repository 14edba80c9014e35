//! Compose files: services parsed from YAML and checked for the practices
//! behind the `deploy.compose-*` rules.

use diligence_model::{Confidence, Severity};

use crate::collector::{Hit, Run};
use crate::yaml::{Node, Value};

/// Whether a path names a compose file: `docker-compose*.yml`,
/// `compose*.yml` (and `.yaml`).
pub fn is_compose_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    (name.starts_with("docker-compose")
        || (name.starts_with("compose") && !name.starts_with("composer")))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// Container ports of data stores, with the store's name.
const DATA_PORTS: &[(u16, &str)] = &[
    (5432, "PostgreSQL"),
    (3306, "MySQL"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (6379, "Redis"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
    (9200, "Elasticsearch"),
    (9300, "Elasticsearch"),
    (5984, "CouchDB"),
    (8086, "InfluxDB"),
    (7687, "Neo4j"),
    (9042, "Cassandra"),
    (26257, "CockroachDB"),
    (5672, "RabbitMQ"),
];

/// A service, for the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The compose file.
    pub path: String,
    /// The service name.
    pub name: String,
    /// Its image, or `build` when it is built from the repository.
    pub image: String,
}

/// A port mapping: host address (when given) and container port.
fn port_mapping(text: &str) -> Option<(Option<String>, u16)> {
    let text = text.split('/').next().unwrap_or(text).trim();
    let parts: Vec<&str> = text.rsplitn(3, ':').collect();
    let container = parts.first()?.split('-').next()?.parse().ok()?;
    let host_ip = (parts.len() == 3).then(|| parts[2].trim_matches(['[', ']']).to_owned());
    Some((host_ip, container))
}

fn all_interfaces(ip: Option<&str>) -> bool {
    matches!(ip, None | Some("" | "0.0.0.0" | "::"))
}

fn secret_like(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "ACCESS_KEY",
        "PRIVATE_KEY",
    ]
    .iter()
    .any(|s| upper.contains(s))
        && !["_FILE", "_PATH"].iter().any(|s| upper.ends_with(s))
}

/// A value written in the file rather than taken from the environment:
/// plain text, or an interpolation with an inline default.
fn inline_value(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return false;
    }
    if let Some(inner) = v.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        return inner.contains(":-") || (inner.contains('-') && !inner.contains('?'));
    }
    !v.starts_with('$')
}

/// Checks one compose file; returns its services.
pub(crate) fn check(run: &mut Run<'_>, path: &str, root: &Node) -> Vec<Service> {
    let mut services = Vec::new();
    let Some(list) = root.get("services") else {
        return services;
    };
    for (name, service) in list.entries() {
        let image = service.get("image").and_then(Node::as_str);
        let built = service.get("build").is_some();
        services.push(Service {
            path: path.to_owned(),
            name: name.clone(),
            image: match (image, built) {
                (_, true) => "build".to_owned(),
                (Some(i), false) => i.to_owned(),
                (None, false) => String::new(),
            },
        });
        if let Some(p) = service
            .get("privileged")
            .filter(|p| p.value == Value::Bool(true))
        {
            run.hit(Hit {
                rule: "deploy.compose-privileged",
                severity: Severity::High,
                confidence: Confidence::High,
                path,
                line: p.key_line,
                message: format!(
                    "Service {name} runs privileged: a process that escapes the application controls the host"
                ),
                remediation: "Remove `privileged: true`; grant the single capability needed with `cap_add`, if any.",
                excerpt: Some("privileged: true".to_owned()),
                heuristic: false,
            });
        }
        if let Some(n) = service
            .get("network_mode")
            .filter(|n| n.as_str() == Some("host"))
        {
            run.hit(Hit {
                rule: "deploy.compose-host-network",
                severity: Severity::Medium,
                confidence: Confidence::High,
                path,
                line: n.key_line,
                message: format!(
                    "Service {name} shares the host's network: every port it opens is open on the host, and it reaches services bound to localhost"
                ),
                remediation: "Use the default bridge network and publish only the ports that must be reachable.",
                excerpt: Some("network_mode: host".to_owned()),
                heuristic: false,
            });
        }
        if let Some(volumes) = service.get("volumes") {
            for v in volumes.items() {
                let source = match &v.value {
                    Value::Map(_) => v.get("source").and_then(Node::as_str).unwrap_or_default(),
                    _ => v.as_str().unwrap_or_default(),
                };
                if source.contains("docker.sock") {
                    run.hit(Hit {
                        rule: "deploy.compose-docker-socket",
                        severity: Severity::High,
                        confidence: Confidence::High,
                        path,
                        line: v.line,
                        message: format!(
                            "Service {name} mounts the Docker socket: whoever controls the service controls every container and the host"
                        ),
                        remediation: "Do not mount the Docker socket; if a tool needs the Docker API, give it a restricted socket proxy.",
                        excerpt: Some(source.to_owned()),
                        heuristic: false,
                    });
                }
            }
        }
        if let Some(ports) = service.get("ports") {
            for p in ports.items() {
                let mapping = match &p.value {
                    Value::Map(_) => p
                        .get("target")
                        .and_then(Node::as_str)
                        .and_then(|t| t.parse().ok())
                        .map(|t| {
                            (
                                p.get("host_ip").and_then(Node::as_str).map(str::to_owned),
                                t,
                            )
                        }),
                    _ => p.as_str().and_then(port_mapping),
                };
                let Some((ip, container)) = mapping else {
                    continue;
                };
                let Some((_, store)) = DATA_PORTS.iter().find(|(port, _)| *port == container)
                else {
                    continue;
                };
                if !all_interfaces(ip.as_deref()) {
                    continue;
                }
                run.hit(Hit {
                    rule: "deploy.compose-db-port-public",
                    severity: Severity::Medium,
                    confidence: Confidence::Medium,
                    path,
                    line: p.line,
                    message: format!(
                        "Service {name} publishes the {store} port {container} on every interface of the host, not only on localhost"
                    ),
                    remediation: "Bind it to localhost (`127.0.0.1:5432:5432`) or drop `ports:` and let other services reach it over the compose network.",
                    excerpt: p.as_str().map(str::to_owned),
                    heuristic: false,
                });
            }
        }
        if let Some(env) = service.get("environment") {
            let pairs: Vec<(String, String, u32)> = match &env.value {
                Value::Map(entries) => entries
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str().unwrap_or_default().to_owned(),
                            v.key_line,
                        )
                    })
                    .collect(),
                Value::Seq(items) => items
                    .iter()
                    .filter_map(|i| {
                        let (k, v) = i.as_str()?.split_once('=')?;
                        Some((k.to_owned(), v.to_owned(), i.line))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for (key, value, line) in pairs {
                if secret_like(&key) && inline_value(&value) {
                    run.hit(Hit {
                        rule: "deploy.compose-inline-password",
                        severity: Severity::Medium,
                        confidence: Confidence::Medium,
                        path,
                        line,
                        message: format!(
                            "Service {name} sets {key} to a value written in the compose file: whoever has the repository has it, and deployments that reuse the file keep it"
                        ),
                        remediation: "Take the value from the environment without a default (`${DB_PASSWORD:?}`), an env file kept out of git, or compose `secrets:`.",
                        excerpt: Some(key.clone()),
                        heuristic: true,
                    });
                }
            }
        }
        if let Some(i) = service.get("image").filter(|_| !built)
            && let Some(text) = i.as_str()
        {
            let last = text.rsplit('/').next().unwrap_or(text);
            let tag = last.split_once(':').map(|(_, t)| t);
            if !text.contains('@') && !text.contains('$') && matches!(tag, None | Some("latest")) {
                run.hit(Hit {
                    rule: "deploy.compose-latest-image",
                    severity: Severity::Low,
                    confidence: Confidence::High,
                    path,
                    line: i.key_line,
                    message: format!(
                        "Service {name} uses {text}, which follows `latest`: each pull may bring a different version"
                    ),
                    remediation: "Pin the image to a version tag (and a digest for reproducibility).",
                    excerpt: Some(format!("image: {text}")),
                    heuristic: false,
                });
            }
        }
    }
    services
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ports() {
        assert!(
            is_compose_file("docker-compose.yml") && is_compose_file("deploy/compose.prod.yaml")
        );
        assert!(!is_compose_file("composer.json") && !is_compose_file("docs/compose.md"));
        assert_eq!(port_mapping("5432:5432"), Some((None, 5432)));
        assert_eq!(
            port_mapping("127.0.0.1:6379:6379/tcp"),
            Some((Some("127.0.0.1".into()), 6379))
        );
        assert_eq!(port_mapping("27017"), Some((None, 27017)));
        assert_eq!(port_mapping("8000-8001:8000-8001"), Some((None, 8000)));
        assert!(inline_value("postgres") && inline_value("${DB_PASSWORD:-postgres}"));
        assert!(
            !inline_value("${DB_PASSWORD}")
                && !inline_value("${DB_PASSWORD:?required}")
                && !inline_value("")
        );
    }
}
