package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/rosterhq/roster/internal/core"
)

// printFirstStart tells the operator, once, how to use the demo tenant.
// It goes to stdout, not to the log: the key and password must never reach
// a log line, and this is the only time they are shown.
func printFirstStart(w io.Writer, demo core.TenantCreated, baseURL string) {
	line := strings.Repeat("─", 72)
	fmt.Fprintf(w, `%s
Roster's first start: a demo tenant was created. These secrets are shown once.

  Client ID       %s
  API key         %s
  Admin email     %s
  Admin password  %s

Create a user (the request from the Client API's own documentation):

  curl -X POST %s/api/users \
    -H "Content-Type: application/json" \
    -H "Authorization: Bearer %s" \
    -d '{"email": "john.doe@example.com", "displayName": "John Doe", "password": "securepassword123", "role": "clientUser", "emailFilteringEnabled": true}'

Then log in as that user:

  curl -X POST %s/api/auth/login \
    -H "Content-Type: application/json" \
    -d '{"email": "john.doe@example.com", "password": "securepassword123"}'
%s
`, line, demo.Tenant.ClientID, demo.APIKey, demo.Admin.Email, demo.AdminPassword,
		baseURL, demo.APIKey, baseURL, line)
}
