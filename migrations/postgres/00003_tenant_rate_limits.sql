-- +goose Up
-- A tenant's own per-credential rate limit (requests per minute) and burst;
-- NULL takes the server's setting.
ALTER TABLE tenants ADD COLUMN rate_limit INTEGER CHECK (rate_limit > 0);
ALTER TABLE tenants ADD COLUMN rate_burst INTEGER CHECK (rate_burst > 0);

-- +goose Down
ALTER TABLE tenants DROP COLUMN rate_burst;
ALTER TABLE tenants DROP COLUMN rate_limit;
