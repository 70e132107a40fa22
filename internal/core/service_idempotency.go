package core

import (
	"bytes"
	"context"
	"fmt"
	"time"
)

// idempotencyTakeover is how long a request may hold an Idempotency-Key
// without finishing before a retry may take the key over: a process that
// crashed mid-request must not block its client's retries for a day.
const idempotencyTakeover = time.Minute

// maxIdempotencyKeyLen bounds an Idempotency-Key (Stripe allows 255).
const maxIdempotencyKeyLen = 255

// BeginIdempotent claims key for one request of the actor's tenant,
// identified by fingerprint. It returns the stored record when that request
// was already answered (replay its response), or nil when the caller should
// go ahead and then call FinishIdempotent or AbandonIdempotent.
//
// Errors: Invalid (field "Idempotency-Key") for a malformed key;
// Unprocessable when the key was used for a different request; Conflict when
// a request with the key is still in progress.
func (s *Service) BeginIdempotent(ctx context.Context, a Actor, key string, fingerprint []byte) (*IdempotencyRecord, error) {
	if err := a.requireTenant(); err != nil {
		return nil, err
	}
	if err := validateIdempotencyKey(key); err != nil {
		return nil, err
	}
	now := s.now()
	var replay *IdempotencyRecord
	err := s.store.Write(ctx, func(tx Tx) error {
		rec, err := tx.GetIdempotencyRecord(ctx, a.TenantID, key)
		switch {
		case ErrorCodeOf(err) == NotFound:
		case err != nil:
			return err
		case now.Sub(rec.CreatedAt) >= IdempotencyTTL,
			!rec.Completed && now.Sub(rec.CreatedAt) >= idempotencyTakeover:
			if err := tx.DeleteIdempotencyRecord(ctx, a.TenantID, key); err != nil {
				return err
			}
		case !rec.Completed:
			// Whatever it carries, nothing can be compared or replayed yet.
			return errInProgress()
		case !bytes.Equal(rec.Fingerprint, fingerprint):
			return FieldError(Unprocessable, "Idempotency-Key", "was already used with a different request; use a new key for a new request")
		default:
			replay = &rec
			return nil
		}
		err = tx.InsertIdempotencyRecord(ctx, &IdempotencyRecord{
			TenantID: a.TenantID, Key: key, Fingerprint: fingerprint, CreatedAt: now,
		})
		if ErrorCodeOf(err) == Conflict {
			return errInProgress() // lost the race to a concurrent request with the key
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("begin idempotent request: %w", err)
	}
	return replay, nil
}

// FinishIdempotent stores the response of the request that holds key, to be
// replayed to retries for IdempotencyTTL.
func (s *Service) FinishIdempotent(ctx context.Context, a Actor, key string, status int, body []byte) error {
	return s.store.Write(ctx, func(tx Tx) error {
		return tx.CompleteIdempotencyRecord(ctx, a.TenantID, key, status, body)
	})
}

// AbandonIdempotent releases key without a response (the request failed in
// a way worth retrying, such as a busy server), so a retry runs afresh.
func (s *Service) AbandonIdempotent(ctx context.Context, a Actor, key string) error {
	err := s.store.Write(ctx, func(tx Tx) error { return tx.DeleteIdempotencyRecord(ctx, a.TenantID, key) })
	if ErrorCodeOf(err) == NotFound {
		return nil
	}
	return err
}

// PurgeIdempotency removes records older than IdempotencyTTL and returns
// how many it removed.
func (s *Service) PurgeIdempotency(ctx context.Context) (int64, error) {
	var n int64
	err := s.store.Write(ctx, func(tx Tx) (err error) {
		n, err = tx.DeleteIdempotencyRecordsBefore(ctx, s.now().Add(-IdempotencyTTL))
		return err
	})
	return n, err
}

func errInProgress() error {
	return FieldError(Conflict, "Idempotency-Key", "a request with this key is still in progress; retry later")
}

func validateIdempotencyKey(key string) error {
	if key == "" || len(key) > maxIdempotencyKeyLen {
		return FieldError(Invalid, "Idempotency-Key", "must be 1 to %d characters", maxIdempotencyKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return FieldError(Invalid, "Idempotency-Key", "must be printable ASCII without spaces")
		}
	}
	return nil
}
