-- +goose Up
-- Workspaces and groups (seed 003). Their ids are opaque strings unique per
-- tenant: a tenant migrating from another system keeps its ids.
CREATE TABLE workspaces (
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- A workspace with groups cannot be deleted: the foreign key to it has no
-- action (checked at the end of the statement, so deleting a tenant, which
-- cascades to both tables, still works).
CREATE TABLE groups (
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    permissions  TEXT NOT NULL DEFAULT '[]', -- JSON array of {_id, page_id, filters}
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, workspace_id) REFERENCES workspaces (tenant_id, id)
);
CREATE INDEX groups_tenant_id_workspace_id_idx ON groups (tenant_id, workspace_id);

-- A user's groups in one tenant. The foreign key to the membership (not to
-- the user) removes them when the user leaves the tenant, and when the user
-- or the tenant is deleted.
CREATE TABLE user_groups (
    tenant_id INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    group_id  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, group_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_groups_tenant_id_group_id_user_id_idx ON user_groups (tenant_id, group_id, user_id);

-- +goose Down
DROP TABLE user_groups;
DROP TABLE groups;
DROP TABLE workspaces;
