package storetest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/internal/core"
)

// newSigningKey returns an unsaved ES256 key with a real PKCS #8 private key.
func newSigningKey(t *testing.T, id string, created time.Time) core.SigningKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatalf("marshal key: %v", err)
	}
	return core.SigningKey{ID: id, Algorithm: "ES256", PrivateKey: der, CreatedAt: created}
}

func insertSigningKeys(ctx context.Context, s core.Store, keys ...*core.SigningKey) error {
	return s.Write(ctx, func(tx core.Tx) error {
		for _, k := range keys {
			if err := tx.InsertSigningKey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
}

func signingKeyIDs(ks []core.SigningKey) []string {
	ids := make([]string, len(ks))
	for i, k := range ks {
		ids[i] = k.ID
	}
	return ids
}

func testSigningKeys(t *testing.T, s core.Store) {
	ctx := context.Background()
	list, err := s.ListSigningKeys(ctx)
	if err != nil || len(list) != 0 {
		t.Fatalf("list signing keys of an empty store: got %v, %v; want none", signingKeyIDs(list), err)
	}

	// Newest first, and among keys created at the same time, greatest id
	// first: kid-c, kid-a, kid-b although the ids alone sort otherwise.
	t0 := now().Add(-time.Hour)
	t1 := t0.Add(30 * time.Minute)
	kb := newSigningKey(t, "kid-b", t0)
	ka := newSigningKey(t, "kid-a", t1)
	kc := newSigningKey(t, "kid-c", t1)
	// Bytes that a text column or a C string would mangle.
	kc.PrivateKey = append([]byte{0x00, 0xff, 0x00, '\n', 0x80, 0xfe, '\'', '\\'}, kc.PrivateKey...)
	if err := insertSigningKeys(ctx, s, &kb, &ka, &kc); err != nil {
		t.Fatalf("insert signing keys: %v", err)
	}

	list, err = s.ListSigningKeys(ctx)
	if err != nil {
		t.Fatalf("list signing keys: %v", err)
	}
	if diff := cmp.Diff([]core.SigningKey{kc, ka, kb}, list); diff != "" {
		t.Fatalf("list signing keys, newest first (-want +got):\n%s", diff)
	}

	t.Run("DuplicateID", func(t *testing.T) {
		dup := newSigningKey(t, ka.ID, now())
		err := insertSigningKeys(ctx, s, &dup)
		wantCode(t, err, core.Conflict, "")

		// The Conflict leaves the transaction usable, as on every store.
		kd := newSigningKey(t, "kid-d", t0.Add(-time.Hour))
		err = s.Write(ctx, func(tx core.Tx) error {
			if err := tx.InsertSigningKey(ctx, &dup); core.ErrorCodeOf(err) != core.Conflict {
				t.Errorf("duplicate id inside a transaction: got %v, want a conflict", err)
			}
			return tx.InsertSigningKey(ctx, &kd)
		})
		if err != nil {
			t.Fatalf("insert after a handled conflict: %v", err)
		}
		list, err := s.ListSigningKeys(ctx)
		if err != nil {
			t.Fatalf("list signing keys: %v", err)
		}
		if diff := cmp.Diff([]core.SigningKey{kc, ka, kb, kd}, list); diff != "" {
			t.Fatalf("list after duplicate (-want +got):\n%s", diff)
		}
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteSigningKey(ctx, kd.ID) }); err != nil {
			t.Fatalf("delete kid-d: %v", err)
		}
	})

	t.Run("Retire", func(t *testing.T) {
		retired := now()
		err := s.Write(ctx, func(tx core.Tx) error {
			if err := tx.RetireSigningKey(ctx, kb.ID, retired); err != nil {
				return err
			}
			// The transaction reads its own change.
			list, err := tx.ListSigningKeys(ctx)
			if err != nil {
				return err
			}
			if len(list) != 3 || list[2].RetiredAt == nil || !list[2].RetiredAt.Equal(retired) {
				t.Errorf("retired key inside the transaction: got %+v", list)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("retire: %v", err)
		}
		list, err := s.ListSigningKeys(ctx)
		if err != nil {
			t.Fatalf("list signing keys: %v", err)
		}
		want := kb
		want.RetiredAt = &retired
		if diff := cmp.Diff([]core.SigningKey{kc, ka, want}, list); diff != "" {
			t.Fatalf("list after retire (-want +got):\n%s", diff)
		}

		err = s.Write(ctx, func(tx core.Tx) error { return tx.RetireSigningKey(ctx, "kid-unknown", now()) })
		wantCode(t, err, core.NotFound, "")
	})

	t.Run("Delete", func(t *testing.T) {
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteSigningKey(ctx, ka.ID) }); err != nil {
			t.Fatalf("delete: %v", err)
		}
		list, err := s.ListSigningKeys(ctx)
		if err != nil {
			t.Fatalf("list signing keys: %v", err)
		}
		if got := signingKeyIDs(list); !cmp.Equal(got, []string{kc.ID, kb.ID}) {
			t.Fatalf("list after delete: got %v, want [%s %s]", got, kc.ID, kb.ID)
		}
		err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteSigningKey(ctx, ka.ID) })
		wantCode(t, err, core.NotFound, "")
		err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteSigningKey(ctx, "kid-unknown") })
		wantCode(t, err, core.NotFound, "")
		err = s.Write(ctx, func(tx core.Tx) error { return tx.RetireSigningKey(ctx, ka.ID, now()) })
		wantCode(t, err, core.NotFound, "")

		// A deleted id may be used again.
		again := newSigningKey(t, ka.ID, now())
		if err := insertSigningKeys(ctx, s, &again); err != nil {
			t.Fatalf("reinsert deleted id: %v", err)
		}
	})
}
