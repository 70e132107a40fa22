package core

import (
	"context"
	"fmt"
	"time"
)

// webhookPurgeBatch is how many deliveries one purge transaction removes at
// most: small enough that a big purge never holds the SQLite writer (or
// PostgreSQL row locks) for long.
const webhookPurgeBatch = 1000

// PurgeWebhookDeliveries removes the finished (succeeded or failed)
// deliveries of every tenant last updated more than olderThan ago, with
// their attempts, and returns how many deliveries it removed. Pending
// deliveries stay, however old: they are work still to do. It works in
// batches, each its own transaction, until a batch comes back short.
//
// Errors: Invalid (field "olderThan") when olderThan is not above 0.
func (s *Service) PurgeWebhookDeliveries(ctx context.Context, olderThan time.Duration) (int64, error) {
	if olderThan <= 0 {
		return 0, FieldError(Invalid, "olderThan", "must be above 0")
	}
	before := s.now().Add(-olderThan)
	var total int64
	for {
		var n int64
		err := s.store.Write(ctx, func(tx Tx) (err error) {
			n, err = tx.DeleteWebhookDeliveriesBefore(ctx, before, webhookPurgeBatch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("purge webhook deliveries after %d removed: %w", total, err)
		}
		total += n
		if n < webhookPurgeBatch {
			return total, nil
		}
	}
}
