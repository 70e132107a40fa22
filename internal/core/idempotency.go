package core

import "time"

// IdempotencyTTL is how long an Idempotency-Key is remembered.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyRecord remembers the first request made with an
// Idempotency-Key in a tenant, and its response once there is one.
type IdempotencyRecord struct {
	TenantID    int64
	Key         string
	Fingerprint []byte // hash of what makes two requests "the same"
	Completed   bool   // a response is stored
	Status      int    // the response, opaque to the core
	Body        []byte
	CreatedAt   time.Time
}
