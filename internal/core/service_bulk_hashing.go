package core

import (
	"context"
	"sync"
)

// hashBulkPasswords hashes the rows' passwords on the hash pool, at most
// Workers() at a time, so that this request alone never waits in (or
// fills) the pool's queue. A row updating a user first checks whether the
// password is already the user's: then it needs no new hash. Errors: Busy
// (other requests hold the pool too long), the context's error.
func (s *Service) hashBulkPasswords(ctx context.Context, plans []*bulkPlan) error {
	jobs := make(chan *bulkPlan)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range s.hashes.Workers() {
		wg.Go(func() {
			for p := range jobs {
				if err := s.hashBulkPassword(ctx, p); err != nil {
					once.Do(func() { firstErr = err; cancel() })
				}
			}
		})
	}
	for _, p := range plans {
		if p == nil || p.password == "" {
			continue
		}
		select {
		case jobs <- p:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

func (s *Service) hashBulkPassword(ctx context.Context, p *bulkPlan) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if p.existing != nil && p.existing.PasswordHash != "" {
		ok, _, err := s.hashes.Verify(ctx, p.password, p.existing.PasswordHash)
		if ErrorCodeOf(err) == Busy || ctx.Err() != nil {
			return err
		}
		// An unreadable stored hash is simply replaced.
		if err == nil && ok {
			p.samePassword = true
			return nil
		}
	}
	hash, err := s.hashes.Hash(ctx, p.password)
	if err != nil {
		return err
	}
	p.hash = hash
	return nil
}
