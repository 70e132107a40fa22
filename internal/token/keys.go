package token

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/rosterhq/roster/internal/core"
)

// signingKey is a stored key, parsed, with its signer.
type signingKey struct {
	id        string
	priv      *ecdsa.PrivateKey
	signer    jose.Signer
	createdAt time.Time
	retiredAt *time.Time
}

// parseKey turns a stored ES256 key into a usable one. A key that cannot be
// parsed is an error: the store holds only keys Roster made.
func parseKey(k core.SigningKey) (signingKey, error) {
	parsed, err := x509.ParsePKCS8PrivateKey(k.PrivateKey)
	if err != nil {
		return signingKey{}, fmt.Errorf("signing key %s: parse PKCS #8: %w", k.ID, err)
	}
	priv, ok := parsed.(*ecdsa.PrivateKey)
	if !ok || priv.Curve != elliptic.P256() {
		return signingKey{}, fmt.Errorf("signing key %s: not an ECDSA P-256 key", k.ID)
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: algorithm, Key: jose.JSONWebKey{Key: priv, KeyID: k.ID}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return signingKey{}, fmt.Errorf("signing key %s: make signer: %w", k.ID, err)
	}
	return signingKey{id: k.ID, priv: priv, signer: signer, createdAt: k.CreatedAt, retiredAt: k.RetiredAt}, nil
}

// newKey makes a fresh P-256 key with a random kid, ready to store.
func newKey(now time.Time) (core.SigningKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return core.SigningKey{}, fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return core.SigningKey{}, fmt.Errorf("encode signing key: %w", err)
	}
	kid, err := randomID()
	if err != nil {
		return core.SigningKey{}, err
	}
	return core.SigningKey{ID: kid, Algorithm: string(algorithm), PrivateKey: der, CreatedAt: now}, nil
}

// storeTime is now as the store keeps times: UTC, to the microsecond.
func (i *Issuer) storeTime() time.Time { return i.cfg.Now().UTC().Truncate(time.Microsecond) }

// ensureKey creates a key when the store has no current (unretired) one.
func (i *Issuer) ensureKey(ctx context.Context) error {
	err := i.store.Write(ctx, func(tx core.Tx) error {
		list, err := tx.ListSigningKeys(ctx)
		if err != nil {
			return err
		}
		for _, k := range list {
			if k.RetiredAt == nil && k.Algorithm == string(algorithm) {
				return nil
			}
		}
		k, err := newKey(i.storeTime())
		if err != nil {
			return err
		}
		return tx.InsertSigningKey(ctx, &k)
	})
	if err != nil {
		return fmt.Errorf("create the first signing key: %w", err)
	}
	return nil
}

// Rotate makes a new signing key and retires every other current one, in
// one transaction; tokens they signed keep verifying, and they stay in the
// JWKS, until those tokens expire. It returns the new key's id.
//
// Errors: the store's.
func (i *Issuer) Rotate(ctx context.Context) (kid string, err error) {
	now := i.storeTime()
	k, err := newKey(now)
	if err != nil {
		return "", err
	}
	err = i.store.Write(ctx, func(tx core.Tx) error {
		list, err := tx.ListSigningKeys(ctx)
		if err != nil {
			return err
		}
		for _, old := range list {
			if old.RetiredAt == nil {
				if err := tx.RetireSigningKey(ctx, old.ID, now); err != nil {
					return err
				}
			}
		}
		return tx.InsertSigningKey(ctx, &k)
	})
	if err != nil {
		return "", fmt.Errorf("rotate signing keys: %w", err)
	}
	if err := i.reload(ctx); err != nil {
		return "", err
	}
	return k.ID, nil
}

// reload reads every key from the store and replaces the ones in memory.
func (i *Issuer) reload(ctx context.Context) error {
	i.reloadMu.Lock()
	defer i.reloadMu.Unlock()
	return i.load(ctx)
}

// refresh reloads the keys when they were read more than refreshInterval
// ago. Callers that find them stale at once wait for one reload, not one
// each.
func (i *Issuer) refresh(ctx context.Context) error {
	if !i.stale() {
		return nil
	}
	i.reloadMu.Lock()
	defer i.reloadMu.Unlock()
	if !i.stale() { // another caller reloaded while this one waited
		return nil
	}
	return i.load(ctx)
}

func (i *Issuer) stale() bool {
	i.mu.RLock()
	defer i.mu.RUnlock()
	since := i.cfg.Now().Sub(i.loadedAt)
	return since < 0 || since >= refreshInterval
}

// load reads the keys; the caller holds reloadMu, so that an older read
// never replaces a newer one.
func (i *Issuer) load(ctx context.Context) error {
	list, err := i.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	keys := make([]signingKey, 0, len(list))
	for _, k := range list {
		if k.Algorithm != string(algorithm) {
			continue // made by a newer Roster for an algorithm this one does not sign with
		}
		parsed, err := parseKey(k)
		if err != nil {
			return err
		}
		keys = append(keys, parsed)
	}
	i.mu.Lock()
	i.keys, i.loadedAt = keys, i.cfg.Now()
	i.mu.Unlock()
	return nil
}

// current returns the newest unretired key.
func (i *Issuer) current() (signingKey, bool) {
	i.mu.RLock()
	defer i.mu.RUnlock()
	for _, k := range i.keys {
		if k.retiredAt == nil {
			return k, true
		}
	}
	return signingKey{}, false
}

// keyByID finds the key with that kid. When it is not in memory, the keys
// are read again — at most once per missReloadInterval — so that a key made
// by another process is found.
func (i *Issuer) keyByID(ctx context.Context, kid string) (signingKey, bool, error) {
	if k, ok := i.lookup(kid); ok {
		return k, true, nil
	}
	i.mu.Lock()
	now := i.cfg.Now()
	since := now.Sub(i.missReloadAt)
	if !i.missReloadAt.IsZero() && since >= 0 && since < missReloadInterval {
		i.mu.Unlock()
		return signingKey{}, false, nil
	}
	i.missReloadAt = now
	i.mu.Unlock()
	if err := i.reload(ctx); err != nil {
		return signingKey{}, false, err
	}
	k, ok := i.lookup(kid)
	return k, ok, nil
}

func (i *Issuer) lookup(kid string) (signingKey, bool) {
	i.mu.RLock()
	defer i.mu.RUnlock()
	for _, k := range i.keys {
		if k.id == kid {
			return k, true
		}
	}
	return signingKey{}, false
}

// publishedFor is how long a retired key stays in the JWKS: until every
// token it signed has expired. A process learns of a rotation made elsewhere
// within refreshInterval, and may sign with the retired key until then.
func (i *Issuer) publishedFor() time.Duration { return refreshInterval + i.cfg.TTL + i.cfg.Leeway }

// JWKS returns the JSON Web Key Set of the public keys that verify live
// tokens: the current keys, and retired ones until their tokens have
// expired. Each key has kid, "use": "sig" and "alg": "ES256".
//
// Errors: the store's, when the keys are due to be read again.
func (i *Issuer) JWKS(ctx context.Context) ([]byte, error) {
	if err := i.refresh(ctx); err != nil {
		return nil, err
	}
	now := i.cfg.Now()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	i.mu.RLock()
	for _, k := range i.keys {
		if k.retiredAt != nil && now.After(k.retiredAt.Add(i.publishedFor())) {
			continue
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key: &k.priv.PublicKey, KeyID: k.id, Algorithm: string(algorithm), Use: "sig",
		})
	}
	i.mu.RUnlock()
	out, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("encode JWKS: %w", err)
	}
	return out, nil
}
