//! Offline structure checks: a secret that passes is far less likely to be
//! a placeholder, so its confidence rises; one that fails is not a secret of
//! that format and the match is dropped.

use crate::decode::{base64_decode, base64url_decode};

/// A named offline check a rule can ask for with `validate:`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Validator {
    /// GitHub classic and app tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`,
    /// `ghr_`): the last 6 characters are the base62 CRC32 of the 30 before
    /// them. Fine-grained tokens (`github_pat_`) are checked for shape only.
    GithubChecksum,
    /// npm tokens (`npm_`): the same CRC32 scheme as GitHub.
    NpmChecksum,
    /// A JSON Web Token: header and payload are base64url JSON objects and
    /// the header names an `alg`.
    Jwt,
    /// A JWT whose payload grants a privileged role (`service_role`,
    /// `supabase_admin`, `admin`).
    JwtPrivileged,
    /// A JWT whose payload carries the `anon` role (a public key).
    JwtAnon,
    /// A JWT issued by `supabase-demo`: the published default keys of
    /// Supabase's local stack and self-hosting template.
    JwtSupabaseDemo,
    /// A PEM or OpenSSH private key: matching BEGIN/END labels and a body
    /// that decodes to a DER sequence, an OpenSSH key or a PGP packet.
    Pem,
    /// A PyPI API token: `pypi-` and a base64 macaroon for pypi.org or
    /// test.pypi.org.
    PypiMacaroon,
    /// An Upstash QStash token: base64 of a JSON object naming a `UserID`,
    /// other than the default user of QStash's local development server.
    QstashUser,
    /// The token of the default user QStash's local development server
    /// creates and prints (`defaultUser` / `defaultPassword`).
    QstashDev,
    /// One of the two signing keys QStash's local development server
    /// always prints (deterministic, published in its documentation),
    /// recognised by their SHA-256 so that no key is spelled here.
    QstashDevSigningKey,
}

impl Validator {
    /// Every validator name a rule may use.
    pub const NAMES: &'static [&'static str] = &[
        "github-checksum",
        "npm-checksum",
        "jwt",
        "jwt-privileged",
        "jwt-anon",
        "jwt-supabase-demo",
        "pem",
        "pypi-macaroon",
        "qstash-user",
        "qstash-dev",
        "qstash-dev-signing-key",
    ];

    /// Parses a validator name.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "github-checksum" => Self::GithubChecksum,
            "npm-checksum" => Self::NpmChecksum,
            "jwt" => Self::Jwt,
            "jwt-privileged" => Self::JwtPrivileged,
            "jwt-anon" => Self::JwtAnon,
            "jwt-supabase-demo" => Self::JwtSupabaseDemo,
            "pem" => Self::Pem,
            "pypi-macaroon" => Self::PypiMacaroon,
            "qstash-user" => Self::QstashUser,
            "qstash-dev" => Self::QstashDev,
            "qstash-dev-signing-key" => Self::QstashDevSigningKey,
            _ => return None,
        })
    }

    /// The validator's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::GithubChecksum => "github-checksum",
            Self::NpmChecksum => "npm-checksum",
            Self::Jwt => "jwt",
            Self::JwtPrivileged => "jwt-privileged",
            Self::JwtAnon => "jwt-anon",
            Self::JwtSupabaseDemo => "jwt-supabase-demo",
            Self::Pem => "pem",
            Self::PypiMacaroon => "pypi-macaroon",
            Self::QstashUser => "qstash-user",
            Self::QstashDev => "qstash-dev",
            Self::QstashDevSigningKey => "qstash-dev-signing-key",
        }
    }

    /// Whether the validator reads a JSON Web Token.
    pub(crate) fn is_jwt(self) -> bool {
        matches!(
            self,
            Self::Jwt | Self::JwtPrivileged | Self::JwtAnon | Self::JwtSupabaseDemo
        )
    }

    /// How specific a pass is, for choosing between rules that match the
    /// same text: role checks beat plain structure checks.
    pub(crate) fn specificity(self) -> u8 {
        match self {
            Self::JwtSupabaseDemo | Self::QstashDev | Self::QstashDevSigningKey => 3,
            Self::JwtPrivileged | Self::JwtAnon => 2,
            _ => 1,
        }
    }

    /// Whether `secret` passes the check.
    pub fn check(self, secret: &str) -> bool {
        match self {
            Self::GithubChecksum => github_checksum(secret),
            Self::NpmChecksum => prefixed_crc32(secret, "npm_"),
            Self::Jwt => jwt_parts(secret).is_some(),
            // The published demo keys grant nothing of the target's own.
            Self::JwtPrivileged => {
                !jwt_supabase_demo(secret)
                    && jwt_role(secret).is_some_and(|role| {
                        matches!(role.as_str(), "service_role" | "supabase_admin" | "admin")
                    })
            }
            Self::JwtSupabaseDemo => jwt_supabase_demo(secret),
            Self::JwtAnon => jwt_role(secret).is_some_and(|role| role == "anon"),
            Self::Pem => pem(secret),
            Self::PypiMacaroon => pypi(secret),
            Self::QstashUser => {
                qstash_user(secret).is_some_and(|(user, _)| user != QSTASH_DEV_USER)
            }
            Self::QstashDev => qstash_user(secret).is_some_and(|(user, password)| {
                user == QSTASH_DEV_USER && password == QSTASH_DEV_PASSWORD
            }),
            Self::QstashDevSigningKey => {
                use sha2::Digest;
                let digest: [u8; 32] = sha2::Sha256::digest(secret.as_bytes()).into();
                QSTASH_DEV_SIGNING_KEYS.contains(&digest)
            }
        }
    }
}

/// SHA-256 of the current and next signing keys QStash's local development
/// server prints on every start (published in its documentation).
const QSTASH_DEV_SIGNING_KEYS: [[u8; 32]; 2] = [
    hex32("e0c74a99dae086939cf599a95e46d9e62bb32c63841a02ff99d1ae27b48943a0"),
    hex32("f5f0ff3f6ee0f124c10869018b9c72c6160031ef682737086551f6e20ae56987"),
];

/// 32 bytes from 64 hexadecimal digits, at compile time.
const fn hex32(hex: &str) -> [u8; 32] {
    const fn digit(b: u8) -> u8 {
        match crate::decode::hex(b) {
            Some(d) => d,
            None => panic!("not a hexadecimal digit"),
        }
    }
    let bytes = hex.as_bytes();
    assert!(bytes.len() == 64, "64 hexadecimal digits");
    let mut out = [0; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = digit(bytes[2 * i]) << 4 | digit(bytes[2 * i + 1]);
        i += 1;
    }
    out
}

/// The user and password of the default user QStash's local development
/// server creates (published in its documentation).
const QSTASH_DEV_USER: &str = "defaultUser";
const QSTASH_DEV_PASSWORD: &str = "defaultPassword";

/// The `UserID` and `Password` a QStash token encodes: base64 (standard
/// or URL-safe) of a JSON object.
fn qstash_user(secret: &str) -> Option<(String, String)> {
    let object = json_object(&base64_decode(secret)?)?;
    let field = |name: &str| object.get(name)?.as_str().map(str::to_owned);
    Some((field("UserID")?, field("Password").unwrap_or_default()))
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 6-character base62 CRC32 checksum GitHub and npm append to tokens.
pub(crate) fn base62_crc32(data: &[u8]) -> String {
    let mut n = crc32fast::hash(data);
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn prefixed_crc32(secret: &str, prefix: &str) -> bool {
    let Some(body) = secret.strip_prefix(prefix) else {
        return false;
    };
    if body.len() != 36 || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    base62_crc32(&body.as_bytes()[..30]) == body[30..]
}

fn github_checksum(secret: &str) -> bool {
    if let Some(rest) = secret.strip_prefix("github_pat_") {
        // Fine-grained: 22 characters, `_`, 59 characters; no public checksum.
        let mut parts = rest.split('_');
        return matches!(
            (parts.next(), parts.next(), parts.next()),
            (Some(a), Some(b), None)
                if a.len() == 22 && b.len() == 59
                    && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_alphanumeric())
        );
    }
    ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
        .iter()
        .any(|prefix| prefixed_crc32(secret, prefix))
}

fn json_object(bytes: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_slice::<serde_json::Value>(bytes).ok()? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    }
}

type JsonObject = serde_json::Map<String, serde_json::Value>;

fn jwt_parts(secret: &str) -> Option<(JsonObject, JsonObject)> {
    let mut parts = secret.split('.');
    let header = json_object(&base64url_decode(parts.next()?)?)?;
    let payload = json_object(&base64url_decode(parts.next()?)?)?;
    let _signature = parts.next()?;
    if parts.next().is_some() || !header.contains_key("alg") {
        return None;
    }
    Some((header, payload))
}

/// Whether a value is an unsigned JWT: `alg` `none`, an empty signature,
/// or a word in its place (`….invalid` of a test of rejected tokens; the
/// shortest real signature, HMAC-SHA256's, is 43 characters). It proves
/// nothing and grants nothing by itself.
pub(crate) fn jwt_unsigned(secret: &str) -> bool {
    jwt_parts(secret).is_some_and(|(header, _)| {
        let signature = secret.rsplit('.').next().unwrap_or_default();
        header
            .get("alg")
            .and_then(|alg| alg.as_str())
            .is_some_and(|alg| alg.eq_ignore_ascii_case("none"))
            || signature.is_empty()
            || (signature.len() < 32 && signature.bytes().all(|b| b.is_ascii_alphabetic()))
    })
}

/// The `exp` claim of a JWT, in seconds since the epoch.
pub(crate) fn jwt_expiry(secret: &str) -> Option<i64> {
    let (_, payload) = jwt_parts(secret)?;
    let exp = payload.get("exp")?;
    exp.as_i64()
        .or_else(|| exp.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
}

fn jwt_role(secret: &str) -> Option<String> {
    let (_, payload) = jwt_parts(secret)?;
    payload.get("role")?.as_str().map(str::to_owned)
}

/// Issuer of the default keys that Supabase's local stack (`supabase
/// start`) and its self-hosting template publish, signed with a published
/// JWT secret.
fn jwt_supabase_demo(secret: &str) -> bool {
    jwt_parts(secret).is_some_and(|(_, payload)| {
        payload.get("iss").and_then(|v| v.as_str()) == Some("supabase-demo")
    })
}

fn pem(secret: &str) -> bool {
    // A block inside a string literal (`"-----BEGIN ...\r\n...\r\n-----END ..."`):
    // read it with its escapes undone.
    let text = if secret.contains('\\') {
        String::from_utf8_lossy(&crate::decode::unescape(secret.as_bytes())).into_owned()
    } else {
        secret.to_owned()
    };
    let text = text.trim().trim_matches('"').trim();
    let Some(rest) = text.strip_prefix("-----BEGIN ") else {
        return false;
    };
    let Some((label, rest)) = rest.split_once("-----") else {
        return false;
    };
    let end_marker = format!("-----END {label}-----");
    let Some(body) = rest.trim_end().strip_suffix(end_marker.as_str()) else {
        return false;
    };
    // Skip RFC 1421 headers (Proc-Type, DEK-Info) and PGP armor headers.
    let mut lines: Vec<&str> = body.lines().map(str::trim).collect();
    if let Some(blank) = lines.iter().position(|l| l.is_empty())
        && lines[..blank].iter().any(|l| l.contains(':'))
    {
        lines.drain(..=blank);
    }
    let mut b64: String = lines
        .iter()
        .filter(|l| !l.contains(':'))
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace() && *c != '\\' && *c != '"')
        .collect();
    // PGP armor ends with a `=XXXX` checksum line.
    if label.contains("PGP")
        && let Some(pos) = b64.rfind('=')
        && b64.len() - pos == 5
    {
        b64.truncate(pos);
    }
    let Some(der) = base64_decode(&b64) else {
        return false;
    };
    if der.len() < 64 {
        // A short key (an Ed25519 or X25519 PKCS #8 key is 48 bytes): a
        // whole DER SEQUENCE of exactly its stated length.
        return der.len() >= 32 && der[0] == 0x30 && usize::from(der[1]) == der.len() - 2;
    }
    if label.contains("OPENSSH") {
        return der.starts_with(b"openssh-key-v1\0");
    }
    if label.contains("PGP") {
        return der[0] & 0x80 != 0;
    }
    // DER SEQUENCE; encrypted legacy PEM bodies are ciphertext and pass on length.
    der[0] == 0x30 || text.contains("ENCRYPTED")
}

fn pypi(secret: &str) -> bool {
    let Some(body) = secret.strip_prefix("pypi-") else {
        return false;
    };
    let Some(bytes) = base64url_decode(body) else {
        return false;
    };
    // Macaroon v2: version byte 2, then field 1 (location) with its length.
    bytes.len() > 12
        && bytes[0] == 2
        && bytes[1] == 1
        && (bytes[3..].starts_with(b"pypi.org") || bytes[3..].starts_with(b"test.pypi.org"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(prefix: &str, body: &str) -> String {
        format!("{prefix}{body}{}", base62_crc32(body.as_bytes()))
    }

    #[test]
    fn qstash_dev_signing_keys_by_their_digest() {
        let check = |parts: &[&str]| Validator::QstashDevSigningKey.check(&parts.concat());
        assert!(check(&["sig_", "7RvLjqfZBvP5KE", "UimQCE1pvpLuou"]));
        assert!(check(&["sig_", "7W3ZNbfKWk5NWw", "Es3U4ixuQ7fxwE"]));
        // One character off, or another project's key: a signing key.
        assert!(!check(&["sig_", "7RvLjqfZBvP5KE", "UimQCE1pvpLuoU"]));
        assert!(!check(&["sig_", "osrZYfyjJemG4H", "x5dZWOHBX12M4F"]));
        assert_eq!(hex32(&"0f".repeat(32)), [0x0f; 32]);
    }

    #[test]
    fn github_checksum_accepts_valid_and_rejects_altered() {
        let body = ["Zq8vR2mK", "x7Lp4Nw9Bt3Hc6Yd5Fg1Js"].concat();
        assert_eq!(body.len(), 30);
        let good = token("ghp_", &body);
        assert!(Validator::GithubChecksum.check(&good));
        let mut bad = good.clone().into_bytes();
        bad[10] = if bad[10] == b'a' { b'b' } else { b'a' };
        assert!(!Validator::GithubChecksum.check(&String::from_utf8(bad).unwrap()));
        assert!(Validator::NpmChecksum.check(&token("npm_", &body)));
        assert!(!Validator::NpmChecksum.check(&good));
    }

    #[test]
    fn short_pkcs8_keys_are_whole_der_sequences() {
        // An Ed25519 PKCS #8 structure (RFC 8410), its key bytes drawn here.
        let mut der = vec![
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        der.extend((0u8..32).map(|i| i.wrapping_mul(37).wrapping_add(11)));
        let block = |der: &[u8]| {
            format!(
                "-----BEGIN {}-----\n{}\n-----END {}-----",
                "PRIVATE KEY",
                crate::decode::base64_encode(der),
                "PRIVATE KEY"
            )
        };
        assert!(Validator::Pem.check(&block(&der)));
        // Cut short, or with a length that does not match: not a key.
        assert!(!Validator::Pem.check(&block(&der[..40])));
        let mut wrong = der.clone();
        wrong[1] = 0x2f;
        assert!(!Validator::Pem.check(&block(&wrong)));
    }

    #[test]
    fn jwt_roles() {
        let enc = |s: &str| crate::decode::base64url_encode(s.as_bytes());
        let header = enc(r#"{"alg":"HS256","typ":"JWT"}"#);
        let service = format!(
            "{header}.{}.{}",
            enc(r#"{"iss":"supabase","role":"service_role"}"#),
            "c2lnbmF0dXJlLXZhbHVlLWhlcmUx"
        );
        let anon = format!("{header}.{}.{}", enc(r#"{"role":"anon"}"#), "c2ln");
        assert!(Validator::Jwt.check(&service));
        assert!(Validator::JwtPrivileged.check(&service));
        assert!(!Validator::JwtAnon.check(&service));
        assert!(Validator::JwtAnon.check(&anon));
        assert!(!Validator::Jwt.check("eyJhbGciOi.not-json.sig"));
    }
}
