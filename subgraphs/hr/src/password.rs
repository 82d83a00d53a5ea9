//! Password hashing with argon2id at the OWASP minimum (m = 19 MiB, t = 2, p = 1), off the
//! async threads.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt_bytes: [u8; 16] = rand::random();
        let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hash: {e}"))
    })
    .await?
}

/// Verifies a password against a PHC string; a missing hash burns the same time and fails.
pub async fn verify(password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        // A fixed dummy hash keeps timing similar for unknown users.
        const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Zr3KfTxsXbqy0n7GQ7Yf7U1v0D0A7JtV1YzQ6b5mX9s";
        let target = phc.as_deref().unwrap_or(DUMMY);
        match PasswordHash::new(target) {
            Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok() && phc.is_some(),
            Err(_) => false,
        }
    })
    .await
    .unwrap_or(false)
}
