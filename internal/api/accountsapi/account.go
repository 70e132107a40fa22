package accountsapi

import (
	"net/http"
	"regexp"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// AccountHeader names the header by which a request says which account
// (tenant) it is for. The credential decides the tenant; the header must
// agree with it.
const AccountHeader = "x-account-id"

// accountIDPattern is the form of an account id: a decimal number without
// leading zeros.
var accountIDPattern = regexp.MustCompile(`^[1-9][0-9]{0,18}$`)

// account authenticates r and checks its x-account-id header against the
// credential's tenant, which it returns. The header is compared, never
// looked up: it cannot make a request act for another tenant.
//
// Errors: 401 (core Unauthenticated) without a usable credential; 400
// (*httpkit.RequestError) when the header is missing or is not an account
// id; 403 (core Forbidden) when it names another account.
func (h *handlers) account(w http.ResponseWriter, r *http.Request) (core.Actor, core.Tenant, error) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		return core.Actor{}, core.Tenant{}, err
	}
	id := r.Header.Get(AccountHeader)
	switch {
	case id == "":
		return core.Actor{}, core.Tenant{}, &httpkit.RequestError{Status: http.StatusBadRequest, Field: AccountHeader,
			Message: "the header is required: send your organization's account id"}
	case !accountIDPattern.MatchString(id):
		return core.Actor{}, core.Tenant{}, &httpkit.RequestError{Status: http.StatusBadRequest, Field: AccountHeader,
			Message: `must be an account id, a decimal number such as "2311"`}
	}
	tenant, err := h.Service.TenantByClientID(r.Context(), actor.ClientID)
	if core.ErrorCodeOf(err) == core.NotFound { // removed since the credential was checked
		return core.Actor{}, core.Tenant{}, core.Errorf(core.Unauthenticated, "the credential's organization no longer exists")
	}
	if err != nil {
		return core.Actor{}, core.Tenant{}, err
	}
	if id != tenant.AccountID() {
		return core.Actor{}, core.Tenant{}, core.FieldError(core.Forbidden, AccountHeader,
			"%q is not the account of this credential, whose account id is %q", id, tenant.AccountID())
	}
	return actor, tenant, nil
}
