package jsonapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/rosterhq/roster/internal/core"
)

// The header that names the caller's tenant, and its alias. Seed 001
// requires it on every request; it must name the credential's own tenant.
const (
	SubdomainHeader      = "X-Clarus-Subdomain"
	SubdomainAliasHeader = "X-Tenant-Subdomain"
)

// authenticate checks the request's Accept header, resolves its credential
// (taking the request from the credential's rate limit) and checks the
// subdomain header against the credential's tenant.
//
// Errors: *Error 406 (Accept), 400 (subdomain header missing, repeated or
// contradicting its alias), 403 (the subdomain of another tenant, or of no
// tenant); core Unauthenticated and RateLimited from authn.
func (h *handlers) authenticate(w http.ResponseWriter, r *http.Request) (core.Actor, error) {
	if err := checkAccept(r); err != nil {
		return core.Actor{}, err
	}
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		return core.Actor{}, err
	}
	if err := h.checkSubdomain(r.Context(), r, actor); err != nil {
		return core.Actor{}, err
	}
	return actor, nil
}

// checkSubdomain holds the subdomain header to the actor's tenant. The
// header never chooses a tenant: the credential does, and the header must
// agree with it.
func (h *handlers) checkSubdomain(ctx context.Context, r *http.Request, actor core.Actor) error {
	var name, subdomain string
	for _, header := range []string{SubdomainHeader, SubdomainAliasHeader} {
		values := r.Header.Values(header)
		if len(values) == 0 {
			continue
		}
		if len(values) > 1 {
			return &Error{Status: http.StatusBadRequest, Code: "invalid_header", Header: header,
				Detail: header + " must be sent once"}
		}
		v := strings.TrimSpace(values[0])
		if v == "" {
			return &Error{Status: http.StatusBadRequest, Code: "invalid_header", Header: header,
				Detail: header + " is empty: send your organization's subdomain"}
		}
		if name != "" && !strings.EqualFold(v, subdomain) {
			return &Error{Status: http.StatusBadRequest, Code: "invalid_header", Header: header,
				Detail: header + " and " + name + " name different subdomains: send one of them"}
		}
		name, subdomain = header, v
	}
	if name == "" {
		return &Error{Status: http.StatusBadRequest, Code: "missing_header", Header: SubdomainHeader,
			Detail: "the " + SubdomainHeader + " header is required: send your organization's subdomain (" +
				SubdomainAliasHeader + " is accepted too)"}
	}
	t, err := h.Service.TenantBySubdomain(ctx, subdomain)
	switch {
	case core.ErrorCodeOf(err) == core.NotFound, err == nil && t.ID != actor.TenantID:
		// The same answer whether the subdomain is another tenant's or
		// nobody's: the header is not a way to find out which exist.
		return &Error{Status: http.StatusForbidden, Code: "tenant_mismatch", Header: name,
			Detail: name + " does not name the tenant of the credential; send your own organization's subdomain"}
	case err != nil:
		return err
	}
	return nil
}
