-- +goose Up
-- Timestamps are TEXT in UTC, formatted 2006-01-02T15:04:05.000000Z so that
-- they sort as they compare.
CREATE TABLE tenants (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id   TEXT NOT NULL UNIQUE,
    subdomain   TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER REFERENCES tenants(id) ON DELETE CASCADE, -- NULL: built in
    key         TEXT NOT NULL,
    name        TEXT NOT NULL,
    permissions TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO roles (id, tenant_id, key, name) VALUES
    (1, NULL, 'clientUser', 'User'),
    (2, NULL, 'editor', 'Editor'),
    (3, NULL, 'clientAdmin', 'Admin');
-- Custom roles get ids from 1000 up.
UPDATE sqlite_sequence SET seq = 999 WHERE name = 'roles';

CREATE TABLE users (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    home_tenant_id           INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email                    TEXT NOT NULL,
    email_normalized         TEXT NOT NULL,
    name                     TEXT NOT NULL DEFAULT '',
    password_hash            TEXT,
    active                   INTEGER NOT NULL DEFAULT 1,
    email_filtering_enabled  INTEGER NOT NULL DEFAULT 1,
    notifications            INTEGER NOT NULL DEFAULT 0,
    notification_preferences TEXT NOT NULL DEFAULT '[]',
    language                 TEXT NOT NULL DEFAULT '',
    timezone                 TEXT NOT NULL DEFAULT '',
    phone                    TEXT NOT NULL DEFAULT '',
    image_url                TEXT NOT NULL DEFAULT '',
    team_id                  INTEGER,
    external_id              TEXT NOT NULL DEFAULT '',
    external_ref1            TEXT NOT NULL DEFAULT '',
    external_ref2            TEXT NOT NULL DEFAULT '',
    external_ref3            TEXT NOT NULL DEFAULT '',
    string1                  TEXT NOT NULL DEFAULT '',
    string2                  TEXT NOT NULL DEFAULT '',
    string3                  TEXT NOT NULL DEFAULT '',
    string4                  TEXT NOT NULL DEFAULT '',
    string5                  TEXT NOT NULL DEFAULT '',
    created_by               TEXT NOT NULL DEFAULT '',
    updated_by               TEXT NOT NULL DEFAULT '',
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL,
    version                  INTEGER NOT NULL DEFAULT 1
);
-- Emails are unique across the platform, case-insensitively: the core stores
-- the normalized form and this index is the only arbiter.
CREATE UNIQUE INDEX users_email_normalized_key ON users (email_normalized);
CREATE INDEX users_home_tenant_id_idx ON users (home_tenant_id);

CREATE TABLE memberships (
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id       INTEGER NOT NULL REFERENCES roles(id),
    is_primary    INTEGER NOT NULL DEFAULT 0,
    account_admin INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    prefix       TEXT NOT NULL,
    hash         BLOB NOT NULL UNIQUE,
    scopes       TEXT NOT NULL DEFAULT '[]',
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_keys_tenant_id_idx ON api_keys (tenant_id);

-- Events outlive their tenant (an audit log), so tenant_id has no foreign key.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id    INTEGER NOT NULL,
    type         TEXT NOT NULL,
    actor        TEXT NOT NULL DEFAULT '',
    subject_type TEXT NOT NULL DEFAULT '',
    subject_id   TEXT NOT NULL DEFAULT '',
    payload      TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL
);
CREATE INDEX events_tenant_id_id_idx ON events (tenant_id, id);

-- +goose Down
DROP TABLE events;
DROP TABLE api_keys;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE roles;
DROP TABLE tenants;
