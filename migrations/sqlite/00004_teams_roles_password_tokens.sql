-- +goose Up
CREATE TABLE teams (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    name_normalized TEXT NOT NULL, -- lower case: names are unique case-insensitively
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (tenant_id, name_normalized)
);

-- users.team_id predates teams, and SQLite cannot add a foreign key to an
-- existing column without rebuilding users (whose rebuild would cascade
-- through memberships). Triggers give it the foreign key's effect instead:
-- a team_id must name a team, and deleting a team takes its members out of
-- it (the store's DeleteTeam also does so itself, bumping their version).
UPDATE users SET team_id = NULL WHERE team_id IS NOT NULL;
CREATE INDEX users_team_id_idx ON users (team_id) WHERE team_id IS NOT NULL;

-- +goose StatementBegin
CREATE TRIGGER users_team_id_insert BEFORE INSERT ON users
WHEN NEW.team_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM teams WHERE id = NEW.team_id)
BEGIN
    SELECT RAISE(ABORT, 'users.team_id: no such team');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_team_id_update BEFORE UPDATE OF team_id ON users
WHEN NEW.team_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM teams WHERE id = NEW.team_id)
BEGIN
    SELECT RAISE(ABORT, 'users.team_id: no such team');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER teams_delete_clears_users AFTER DELETE ON teams
BEGIN
    UPDATE users SET team_id = NULL, version = version + 1 WHERE team_id = OLD.id;
END;
-- +goose StatementEnd

-- Custom role keys are unique per tenant (the core also refuses the
-- built-in keys and aliases). memberships.role_id is a plain REFERENCES,
-- which SQLite enforces as RESTRICT at the end of each statement: a role in
-- use cannot be deleted (the core checks first, and reports a Conflict).
CREATE UNIQUE INDEX roles_tenant_id_key_key ON roles (tenant_id, key) WHERE tenant_id IS NOT NULL;
CREATE INDEX memberships_role_id_idx ON memberships (role_id);

-- One-time set-password tokens: only their SHA-256 is stored.
CREATE TABLE password_tokens (
    hash       BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    spent_at   TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX password_tokens_user_id_idx ON password_tokens (user_id);
CREATE INDEX password_tokens_tenant_id_idx ON password_tokens (tenant_id);

-- +goose Down
DROP TABLE password_tokens;
DROP INDEX memberships_role_id_idx;
DROP INDEX roles_tenant_id_key_key;
DROP TRIGGER teams_delete_clears_users;
DROP TRIGGER users_team_id_update;
DROP TRIGGER users_team_id_insert;
DROP INDEX users_team_id_idx;
DROP TABLE teams;
