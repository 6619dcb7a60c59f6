//! Ed25519 keys, signatures and the trusted-keys model.
//!
//! What is signed (as flavorpack 0.5.4 does): the decompressed metadata JSON,
//! exactly the bytes that were gzip'd. Keys come from a seed
//! (`secret = SHA-256(seed as UTF-8)`, flavorpack's `--key-seed`) or from PEM
//! files (PKCS#8 private, SPKI public).
//!
//! Trust: a package is *trusted* only when its embedded public key equals a
//! `*.pub` SPKI PEM file in one of the configured directories; a valid
//! signature by any other key is merely *self-signed* (it proves integrity
//! since signing, not who signed).

use std::path::{Path, PathBuf};

use ed25519_dalek::Signer;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use sha2::{Digest, Sha256};

use super::error::{PackageError, Result};
use super::metadata::hex;

/// A raw Ed25519 public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// Lowercase hex SHA-256 of the raw key: FEP-0004 `attestation_key_fp`.
    pub fn fingerprint(&self) -> String {
        hex(&Sha256::digest(self.0))
    }

    /// Lowercase hex of the raw key.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Parse an SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_spki_pem(pem: &str) -> Result<PublicKey> {
        let vk = ed25519_dalek::VerifyingKey::from_public_key_pem(pem)
            .map_err(|e| PackageError::Key(format!("invalid SPKI PEM public key: {e}")))?;
        Ok(PublicKey(vk.to_bytes()))
    }

    /// Read an SPKI PEM file.
    pub fn from_pem_file(path: &Path) -> Result<PublicKey> {
        let s = std::fs::read_to_string(path).map_err(|e| PackageError::io(path, e))?;
        PublicKey::from_spki_pem(&s)
    }

    /// Encode as SPKI PEM (the flavorpack `*.pub` format).
    pub fn to_spki_pem(&self) -> Result<String> {
        let vk = ed25519_dalek::VerifyingKey::from_bytes(&self.0)
            .map_err(|e| PackageError::Key(format!("invalid public key: {e}")))?;
        vk.to_public_key_pem(LineEnding::LF)
            .map_err(|e| PackageError::Key(format!("cannot encode public key: {e}")))
    }
}

/// An Ed25519 signing key.
pub struct SigningKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        write!(f, "SigningKey(public {})", self.public_key().to_hex())
    }
}

impl SigningKey {
    /// flavorpack's deterministic key: secret = SHA-256(seed UTF-8 bytes).
    pub fn from_seed(seed: &str) -> SigningKey {
        let secret: [u8; 32] = Sha256::digest(seed.as_bytes()).into();
        SigningKey(ed25519_dalek::SigningKey::from_bytes(&secret))
    }

    /// From the 32 secret bytes.
    pub fn from_secret_bytes(secret: &[u8; 32]) -> SigningKey {
        SigningKey(ed25519_dalek::SigningKey::from_bytes(secret))
    }

    /// Parse a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<SigningKey> {
        ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map(SigningKey)
            .map_err(|e| PackageError::Key(format!("invalid PKCS#8 PEM private key: {e}")))
    }

    /// Read a PKCS#8 PEM private key file.
    pub fn from_pem_file(path: &Path) -> Result<SigningKey> {
        let s = std::fs::read_to_string(path).map_err(|e| PackageError::io(path, e))?;
        SigningKey::from_pkcs8_pem(&s)
    }

    /// Encode the private key as PKCS#8 PEM.
    pub fn to_pkcs8_pem(&self) -> Result<String> {
        self.0
            .to_pkcs8_pem(LineEnding::LF)
            .map(|z| z.to_string())
            .map_err(|e| PackageError::Key(format!("cannot encode private key: {e}")))
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key().to_bytes())
    }

    /// Sign a message (the metadata JSON).
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.0.sign(msg).to_bytes()
    }
}

/// Verify an Ed25519 signature. All-zero keys or signatures mean "not
/// signed", which is refused like a bad signature (as flavorpack's verifier).
/// Uses strict verification (rejects small-order keys and malleable
/// signatures); honest signers always pass it.
pub fn verify_signature(public_key: &[u8; 32], signature: &[u8; 64], msg: &[u8]) -> Result<()> {
    if public_key.iter().all(|&b| b == 0) {
        return Err(PackageError::Signature(
            "package is not signed (zero public key)".into(),
        ));
    }
    if signature.iter().all(|&b| b == 0) {
        return Err(PackageError::Signature(
            "package is not signed (zero signature)".into(),
        ));
    }
    let vk = ed25519_dalek::VerifyingKey::from_bytes(public_key)
        .map_err(|e| PackageError::Signature(format!("invalid public key: {e}")))?;
    let sig = ed25519_dalek::Signature::from_bytes(signature);
    vk.verify_strict(msg, &sig).map_err(|_| {
        PackageError::Signature("Ed25519 signature over the metadata JSON does not verify".into())
    })
}

/// Who vouches for a package whose signature verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trust {
    /// The key matches this `*.pub` file in a trusted-keys directory.
    Trusted {
        /// The matching key file.
        key_file: PathBuf,
    },
    /// Valid signature, but by a key nobody configured as trusted.
    SelfSigned,
}

impl Trust {
    /// Is this [`Trust::Trusted`]?
    pub fn is_trusted(&self) -> bool {
        matches!(self, Trust::Trusted { .. })
    }
}

/// flavorpack's trusted-key directories (FEP-0004 §6), in search order:
/// `$FLAVOR_TRUSTED_KEYS_DIR`, `$FLAVOR_CONFIG_DIR/trusted-keys`,
/// `$XDG_CONFIG_HOME/flavor/trusted-keys`, `~/.config/flavor/trusted-keys`,
/// `/etc/flavor/trusted-keys`. Unset variables are skipped; directories are
/// not required to exist.
pub fn default_trusted_key_dirs() -> Vec<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let mut dirs = Vec::new();
    if let Some(d) = var("FLAVOR_TRUSTED_KEYS_DIR") {
        dirs.push(d);
    }
    if let Some(d) = var("FLAVOR_CONFIG_DIR") {
        dirs.push(d.join("trusted-keys"));
    }
    if let Some(d) = var("XDG_CONFIG_HOME") {
        dirs.push(d.join("flavor").join("trusted-keys"));
    }
    if let Some(h) = var("HOME") {
        dirs.push(h.join(".config").join("flavor").join("trusted-keys"));
    }
    dirs.push(PathBuf::from("/etc/flavor/trusted-keys"));
    let mut seen = std::collections::HashSet::new();
    dirs.retain(|d| seen.insert(d.clone()));
    dirs
}

/// Look for `key` among the `*.pub` files of `dirs` (sorted, so the result
/// is deterministic). Unreadable or malformed files are skipped: a broken
/// key file must not make trust decisions fail open or abort verification.
pub fn find_trusted_key(dirs: &[PathBuf], key: &PublicKey) -> Option<PathBuf> {
    for dir in dirs {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pub"))
            .collect();
        files.sort();
        for f in files {
            if PublicKey::from_pem_file(&f).is_ok_and(|k| k == *key) {
                return Some(f);
            }
        }
    }
    None
}

/// Decide trust for a verified key.
pub fn trust_for(dirs: &[PathBuf], key: &PublicKey) -> Trust {
    match find_trusted_key(dirs, key) {
        Some(key_file) => Trust::Trusted { key_file },
        None => Trust::SelfSigned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_gives_flavorpack_key() {
        let k = SigningKey::from_seed("test-seed-123");
        assert!(k.public_key().to_hex().starts_with("df2325aa"));
        assert!(k.public_key().to_hex().ends_with("37844"));
    }

    #[test]
    fn pem_round_trip_and_verify() {
        let k = SigningKey::from_seed("x");
        let pem = k.to_pkcs8_pem().unwrap();
        let k2 = SigningKey::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(k.public_key(), k2.public_key());
        let pubpem = k.public_key().to_spki_pem().unwrap();
        assert_eq!(PublicKey::from_spki_pem(&pubpem).unwrap(), k.public_key());
        let sig = k.sign(b"msg");
        assert!(verify_signature(&k.public_key().0, &sig, b"msg").is_ok());
        let e = verify_signature(&k.public_key().0, &sig, b"msh").unwrap_err();
        assert_eq!(e.code(), "SJ-PKG-SIGNATURE");
    }
}
