-- +goose Up
CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,
    algorithm   TEXT NOT NULL,
    private_key BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    retired_at  TIMESTAMPTZ
);

CREATE TABLE idempotency_records (
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    fingerprint BYTEA NOT NULL,
    completed   BOOLEAN NOT NULL DEFAULT FALSE,
    status      INTEGER NOT NULL DEFAULT 0,
    body        BYTEA,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_records_created_at_idx ON idempotency_records (created_at);

-- +goose Down
DROP TABLE idempotency_records;
DROP TABLE signing_keys;
