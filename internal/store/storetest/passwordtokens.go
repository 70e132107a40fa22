package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/internal/core"
)

func newPasswordToken(u core.User, ttl time.Duration) core.PasswordToken {
	sum := sha256.Sum256([]byte(randomHex(16)))
	ts := now()
	return core.PasswordToken{Hash: sum[:], UserID: u.ID, TenantID: u.TenantID, ExpiresAt: ts.Add(ttl), CreatedAt: ts}
}

func mustInsertPasswordToken(t *testing.T, s core.Store, pt core.PasswordToken) {
	t.Helper()
	if err := s.Write(context.Background(), func(tx core.Tx) error {
		return tx.InsertPasswordToken(context.Background(), &pt)
	}); err != nil {
		t.Fatalf("insert password token: %v", err)
	}
}

func spend(s core.Store, hash []byte, at time.Time) error {
	ctx := context.Background()
	return s.Write(ctx, func(tx core.Tx) error { return tx.SpendPasswordToken(ctx, hash, at) })
}

func testPasswordTokens(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	u := mustCreateUser(t, s, a.ID, "token@example.com")

	t.Run("RoundTripAndSpendOnce", func(t *testing.T) {
		pt := newPasswordToken(u, time.Hour)
		mustInsertPasswordToken(t, s, pt)
		got, err := s.GetPasswordToken(ctx, pt.Hash)
		if err != nil {
			t.Fatalf("get token: %v", err)
		}
		if diff := cmp.Diff(pt, got); diff != "" {
			t.Errorf("token (-want +got):\n%s", diff)
		}
		at := now()
		if err := spend(s, pt.Hash, at); err != nil {
			t.Fatalf("spend: %v", err)
		}
		got, err = s.GetPasswordToken(ctx, pt.Hash)
		if err != nil || got.SpentAt == nil || !got.SpentAt.Equal(at) {
			t.Fatalf("spent token: got spent at %v, %v; want %v", got.SpentAt, err, at)
		}
		wantCode(t, spend(s, pt.Hash, now()), core.NotFound, "")
	})

	t.Run("Unknown", func(t *testing.T) {
		sum := sha256.Sum256([]byte("unknown"))
		_, err := s.GetPasswordToken(ctx, sum[:])
		wantCode(t, err, core.NotFound, "")
		wantCode(t, spend(s, sum[:], now()), core.NotFound, "")
	})

	t.Run("Expired", func(t *testing.T) {
		pt := newPasswordToken(u, time.Minute)
		mustInsertPasswordToken(t, s, pt)
		wantCode(t, spend(s, pt.Hash, pt.ExpiresAt), core.NotFound, "")
		wantCode(t, spend(s, pt.Hash, pt.ExpiresAt.Add(time.Second)), core.NotFound, "")
		if err := spend(s, pt.Hash, pt.ExpiresAt.Add(-time.Microsecond)); err != nil {
			t.Fatalf("spend just before expiry: %v", err)
		}
	})

	t.Run("SpendAllOfUser", func(t *testing.T) {
		other := mustCreateUser(t, s, a.ID, "other-token@example.com")
		p1, p2, theirs := newPasswordToken(u, time.Hour), newPasswordToken(u, time.Hour), newPasswordToken(other, time.Hour)
		for _, pt := range []core.PasswordToken{p1, p2, theirs} {
			mustInsertPasswordToken(t, s, pt)
		}
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.SpendPasswordTokensOfUser(ctx, u.ID, now()) }); err != nil {
			t.Fatalf("spend tokens of user: %v", err)
		}
		wantCode(t, spend(s, p1.Hash, now()), core.NotFound, "")
		wantCode(t, spend(s, p2.Hash, now()), core.NotFound, "")
		if err := spend(s, theirs.Hash, now()); err != nil {
			t.Fatalf("another user's token was spent too: %v", err)
		}
	})

	t.Run("DeletedWithTheUser", func(t *testing.T) {
		gone := mustCreateUser(t, s, a.ID, "gone@example.com")
		pt := newPasswordToken(gone, time.Hour)
		mustInsertPasswordToken(t, s, pt)
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteUser(ctx, a.ID, gone.ID) }); err != nil {
			t.Fatalf("delete user: %v", err)
		}
		_, err := s.GetPasswordToken(ctx, pt.Hash)
		wantCode(t, err, core.NotFound, "")
	})
}

// testPasswordTokenSpendRace has two writers spend the same token at once:
// exactly one may succeed.
func testPasswordTokenSpendRace(t *testing.T, s core.Store) {
	a := mustCreateTenant(t, s)
	u := mustCreateUser(t, s, a.ID, "race@example.com")
	for round := range 10 {
		pt := newPasswordToken(u, time.Hour)
		mustInsertPasswordToken(t, s, pt)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for i := range 2 {
			wg.Go(func() {
				<-start
				errs[i] = spend(s, pt.Hash, now())
			})
		}
		close(start)
		wg.Wait()
		ok, refused := 0, 0
		for _, err := range errs {
			switch core.ErrorCodeOf(err) {
			case "":
				ok++
			case core.NotFound:
				refused++
			default:
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		if ok != 1 || refused != 1 {
			t.Fatalf("round %d: got %d spends and %d refusals, want 1 and 1", round, ok, refused)
		}
	}
}

// testUserCountAndOffset checks CountUsers and ListUsers' Offset.
func testUserCountAndOffset(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)
	var ids []int64
	for i := range 7 {
		ids = append(ids, mustCreateUser(t, s, a.ID, fmt.Sprintf("count%d@example.com", i)).ID)
	}
	mustCreateUser(t, s, b.ID, "count-b@example.com")

	for _, tt := range []struct {
		name string
		f    core.UserFilter
		want int
	}{
		{"All", core.UserFilter{}, 7},
		{"IgnoresPaging", core.UserFilter{AfterID: ids[3], Limit: 1, Offset: 2}, 7},
		{"Email", core.UserFilter{Email: "COUNT3@example.com"}, 1},
		{"EmailOfAnotherTenant", core.UserFilter{Email: "count-b@example.com"}, 0},
	} {
		t.Run("Count"+tt.name, func(t *testing.T) {
			n, err := s.CountUsers(ctx, a.ID, tt.f)
			if err != nil || n != tt.want {
				t.Fatalf("CountUsers(%+v): got %d, %v; want %d", tt.f, n, err, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name string
		f    core.UserFilter
		want []int64
	}{
		{"Offset", core.UserFilter{Limit: 3, Offset: 2}, ids[2:5]},
		{"OffsetPastTheEnd", core.UserFilter{Limit: 3, Offset: 7}, []int64{}},
		{"OffsetAfterCursor", core.UserFilter{AfterID: ids[1], Limit: 2, Offset: 1}, ids[3:5]},
		{"OffsetWithEmail", core.UserFilter{Email: "count4@example.com", Offset: 1}, []int64{}},
	} {
		t.Run("List"+tt.name, func(t *testing.T) {
			list, err := s.ListUsers(ctx, a.ID, tt.f)
			if err != nil {
				t.Fatalf("ListUsers(%+v): %v", tt.f, err)
			}
			if diff := cmp.Diff(tt.want, userIDs(list)); diff != "" {
				t.Errorf("ListUsers(%+v) ids (-want +got):\n%s", tt.f, diff)
			}
		})
	}
}
