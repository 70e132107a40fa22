package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/internal/core"
)

func newKey(tenantID int64) core.APIKey {
	secret := "bdk_" + randomHex(20)
	return core.APIKey{
		TenantID:  tenantID,
		Name:      "ci",
		Prefix:    secret[:12],
		Hash:      core.HashAPIKey(secret),
		Scopes:    []string{"users:read", "users:write"},
		CreatedAt: now(),
	}
}

func testAPIKeys(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)
	k1, k2, kb := newKey(a.ID), newKey(a.ID), newKey(b.ID)
	k2.Scopes = nil
	if err := s.Write(ctx, func(tx core.Tx) error {
		for _, k := range []*core.APIKey{&k1, &k2, &kb} {
			if err := tx.InsertAPIKey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("insert keys: %v", err)
	}

	got, err := s.GetAPIKey(ctx, a.ID, k1.ID)
	if err != nil {
		t.Fatalf("get key: %v", err)
	}
	if diff := cmp.Diff(k1, got); diff != "" {
		t.Errorf("get key (-want +got):\n%s", diff)
	}
	got, err = s.GetAPIKeyByHash(ctx, k2.Hash)
	if err != nil {
		t.Fatalf("get key by hash: %v", err)
	}
	if diff := cmp.Diff(k2, got); diff != "" {
		t.Errorf("get key by hash (-want +got):\n%s", diff)
	}
	_, err = s.GetAPIKeyByHash(ctx, core.HashAPIKey("bdk_unknown"))
	wantCode(t, err, core.NotFound, "")

	list, err := s.ListAPIKeys(ctx, a.ID)
	if err != nil {
		t.Fatalf("list keys: %v", err)
	}
	if len(list) != 2 || list[0].ID != k1.ID || list[1].ID != k2.ID {
		t.Fatalf("list keys of a: got %d keys, want k1 and k2 in order", len(list))
	}

	t.Run("CrossTenant", func(t *testing.T) {
		_, err := s.GetAPIKey(ctx, b.ID, k1.ID)
		wantCode(t, err, core.NotFound, "")
		err = s.Write(ctx, func(tx core.Tx) error { return tx.RevokeAPIKey(ctx, b.ID, k1.ID, now()) })
		wantCode(t, err, core.NotFound, "")
		got, err := s.GetAPIKey(ctx, a.ID, k1.ID)
		if err != nil || got.Revoked() {
			t.Fatalf("key revoked through another tenant: %+v, %v", got, err)
		}
	})

	t.Run("TouchAndRevoke", func(t *testing.T) {
		used := now()
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.TouchAPIKey(ctx, k1.ID, used) }); err != nil {
			t.Fatalf("touch: %v", err)
		}
		revoked := used.Add(time.Minute)
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.RevokeAPIKey(ctx, a.ID, k1.ID, revoked) }); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		got, err := s.GetAPIKeyByHash(ctx, k1.Hash)
		if err != nil {
			t.Fatalf("get revoked key: %v", err)
		}
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(used) {
			t.Errorf("last used: got %v, want %v", got.LastUsedAt, used)
		}
		if got.RevokedAt == nil || !got.RevokedAt.Equal(revoked) {
			t.Errorf("revoked at: got %v, want %v", got.RevokedAt, revoked)
		}
		err = s.Write(ctx, func(tx core.Tx) error { return tx.RevokeAPIKey(ctx, a.ID, k1.ID, now()) })
		wantCode(t, err, core.NotFound, "")
	})
}
