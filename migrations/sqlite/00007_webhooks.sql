-- +goose Up
-- Webhook endpoints. The secrets are kept as they are (not hashed): Roster
-- needs them to sign every delivery.
CREATE TABLE webhook_endpoints (
    id                         TEXT PRIMARY KEY, -- whe_ + 24 base62
    tenant_id                  INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    url                        TEXT NOT NULL,
    description                TEXT NOT NULL DEFAULT '',
    event_types                TEXT NOT NULL DEFAULT '[]', -- JSON array; empty: every event
    enabled                    INTEGER NOT NULL DEFAULT 1,
    kind                       TEXT NOT NULL DEFAULT 'webhook', -- webhook | zapier
    secret                     TEXT NOT NULL,
    previous_secret            TEXT NOT NULL DEFAULT '',
    previous_secret_expires_at TEXT,
    disabled_reason            TEXT NOT NULL DEFAULT '',
    created_at                 TEXT NOT NULL,
    updated_at                 TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_tenant_id_idx ON webhook_endpoints (tenant_id, created_at);

-- One row per (endpoint, event): made by the fan-out, updated by every
-- attempt. locked_by/locked_until are a dispatcher's lease on the row.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id        INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id         INTEGER NOT NULL,
    event_type       TEXT NOT NULL,
    message_id       TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending', -- pending | succeeded | failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_status_code INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    locked_by        TEXT,
    locked_until     TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_status_next_attempt_at_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint_id_id_idx ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_tenant_id_idx ON webhook_deliveries (tenant_id);

CREATE TABLE webhook_attempts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id      INTEGER NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    tenant_id        INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    at               TEXT NOT NULL,
    status_code      INTEGER NOT NULL DEFAULT 0,
    latency_us       INTEGER NOT NULL DEFAULT 0,
    error            TEXT NOT NULL DEFAULT '',
    response_excerpt TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_delivery_id_idx ON webhook_attempts (delivery_id, id);
CREATE INDEX webhook_attempts_tenant_id_idx ON webhook_attempts (tenant_id);

-- The events table is the outbox: dispatched_at is NULL until the event is
-- fanned out into deliveries. Events older than this migration count as
-- dispatched (no endpoint existed to receive them).
ALTER TABLE events ADD COLUMN dispatched_at TEXT;
UPDATE events SET dispatched_at = created_at;
CREATE INDEX events_undispatched_idx ON events (id) WHERE dispatched_at IS NULL;
-- Zapier samples: a tenant's latest events of one type.
CREATE INDEX events_tenant_id_type_id_idx ON events (tenant_id, type, id);

-- +goose Down
DROP INDEX events_tenant_id_type_id_idx;
DROP INDEX events_undispatched_idx;
ALTER TABLE events DROP COLUMN dispatched_at;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
