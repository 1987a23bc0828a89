-- The tables behind the `.security` index: service-account tokens, the
-- reserved users' passwords, and the index's own identity. Portable SQL: the
-- same migration runs on SQLite and PostgreSQL.

CREATE TABLE IF NOT EXISTS service_account_tokens (
    namespace TEXT NOT NULL,
    service TEXT NOT NULL,
    name TEXT NOT NULL,
    -- Only a hash of the secret is stored ({PBKDF2_STRETCH} by default).
    password_hash TEXT NOT NULL,
    creation_time BIGINT NOT NULL,
    enabled BOOLEAN NOT NULL,
    -- Who created it, as JSON (principal, full_name, email, metadata, realm, realm_type).
    creator TEXT NOT NULL,
    PRIMARY KEY (namespace, service, name)
);

CREATE TABLE IF NOT EXISTS reserved_users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS security_index_metadata (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
