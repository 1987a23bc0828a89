-- The native realm's users and the native roles: what Elasticsearch keeps as
-- `user` and `role` documents of the `.security` index. Lists and objects are
-- JSON text, so that one portable migration serves SQLite and PostgreSQL.

CREATE TABLE IF NOT EXISTS native_users (
    username TEXT PRIMARY KEY,
    -- A hash by xpack.security.authc.password_hashing.algorithm, never the password.
    password_hash TEXT NOT NULL,
    -- JSON array of role names, in the order given.
    roles TEXT NOT NULL,
    full_name TEXT,
    email TEXT,
    -- JSON object.
    metadata TEXT NOT NULL,
    enabled BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS native_roles (
    name TEXT PRIMARY KEY,
    -- The role descriptor as JSON, in the form GET /_security/role shows it.
    descriptor TEXT NOT NULL
);

-- Reserved users can be disabled (and given passwords) through the user APIs;
-- one disabled before it had a password has an empty hash, which matches none.
ALTER TABLE reserved_users ADD COLUMN enabled BOOLEAN NOT NULL DEFAULT TRUE;
