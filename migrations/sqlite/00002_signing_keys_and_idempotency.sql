-- +goose Up
CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,
    algorithm   TEXT NOT NULL,
    private_key BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    retired_at  TEXT
);

CREATE TABLE idempotency_records (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    fingerprint BLOB NOT NULL,
    completed   INTEGER NOT NULL DEFAULT 0,
    status      INTEGER NOT NULL DEFAULT 0,
    body        BLOB,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_records_created_at_idx ON idempotency_records (created_at);

-- +goose Down
DROP TABLE idempotency_records;
DROP TABLE signing_keys;
