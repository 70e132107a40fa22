-- +goose Up
-- externalId identifies a user within its home tenant, so that an import can
-- match (upsert) by it. Empty means "none" and is not unique. A database
-- holding two users of one tenant with the same externalId must have one of
-- them changed before this migration can run.
CREATE UNIQUE INDEX users_home_tenant_id_external_id_key
    ON users (home_tenant_id, external_id) WHERE external_id <> '';

-- +goose Down
DROP INDEX users_home_tenant_id_external_id_key;
