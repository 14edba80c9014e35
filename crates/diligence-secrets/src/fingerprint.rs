//! Keyed fingerprints of secrets: HMAC-SHA256, hex, 16 characters.
//!
//! A fingerprint identifies a secret across rescans, rules and files, so
//! baselines can accept it, without revealing it. The default key is fixed
//! and public (documented in `docs/collectors/secrets.md`), which keeps
//! fingerprints stable between machines; whoever shares reports outside the
//! team should set a key of their own, so that a short password cannot be
//! recovered by hashing guesses.

use sha2::{Digest, Sha256};

/// The default fingerprint key.
pub const DEFAULT_FINGERPRINT_KEY: &[u8] = b"diligence secrets fingerprint v1";

/// Computes fingerprints with one key.
#[derive(Clone)]
pub struct Fingerprinter {
    inner: [u8; 64],
    outer: [u8; 64],
}

impl std::fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fingerprinter(..)")
    }
}

impl Default for Fingerprinter {
    fn default() -> Self {
        Self::new(DEFAULT_FINGERPRINT_KEY)
    }
}

impl Fingerprinter {
    /// A fingerprinter keyed with `key` (HMAC key rules: longer keys are hashed).
    pub fn new(key: &[u8]) -> Self {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let mut inner = [0x36u8; 64];
        let mut outer = [0x5cu8; 64];
        for i in 0..64 {
            inner[i] ^= block[i];
            outer[i] ^= block[i];
        }
        Self { inner, outer }
    }

    /// The fingerprint of a secret value: the first 16 hex digits of its HMAC.
    pub fn fingerprint(&self, secret: &[u8]) -> String {
        let inner = Sha256::new()
            .chain_update(self.inner)
            .chain_update(secret)
            .finalize();
        let mac = Sha256::new()
            .chain_update(self.outer)
            .chain_update(inner)
            .finalize();
        let mut out = String::with_capacity(16);
        for byte in &mac[..8] {
            out.push_str(&format!("{byte:02x}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let fp = Fingerprinter::new(b"Jefe").fingerprint(b"what do ya want for nothing?");
        assert_eq!(fp, "5bdcc146bf60754e");
    }

    #[test]
    fn keys_change_fingerprints() {
        let a = Fingerprinter::default().fingerprint(b"value");
        let b = Fingerprinter::new(b"other").fingerprint(b"value");
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
    }
}
