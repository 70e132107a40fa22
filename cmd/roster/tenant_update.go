package main

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/rosterhq/roster/internal/core"
)

// tenantLimitsJSON is how `roster tenant update --json` shows a tenant's
// rate limits; null means the server's setting.
type tenantLimitsJSON struct {
	ClientID  string `json:"clientId"`
	RateLimit *int   `json:"rateLimit"`
	RateBurst *int   `json:"rateBurst"`
}

func (a *app) tenantUpdateCommand() *cobra.Command {
	var clientID string
	var rateLimit, rateBurst int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "update --tenant CLIENT_ID [--rate-limit N] [--rate-burst N] [--json]",
		Short: "Change a tenant's settings: its own rate limit (0: the server's)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var in core.UpdateTenantRateLimits
			if cmd.Flags().Changed("rate-limit") {
				in.RateLimit = &rateLimit
			}
			if cmd.Flags().Changed("rate-burst") {
				in.RateBurst = &rateBurst
			}
			var t core.Tenant
			err := a.asTenant(cmd.Context(), clientID, func(svc *core.Service, actor core.Actor) (err error) {
				t, err = svc.UpdateTenantRateLimits(cmd.Context(), actor, in)
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(tenantLimitsJSON{ClientID: t.ClientID, RateLimit: t.RateLimit, RateBurst: t.RateBurst})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Tenant %s: rate limit %s per minute, burst %s\n",
				t.ClientID, orServer(t.RateLimit), orServer(t.RateBurst))
			return nil
		},
	}
	cmd.Flags().StringVar(&clientID, "tenant", "", "the tenant's client ID (required)")
	cmd.Flags().IntVar(&rateLimit, "rate-limit", 0, "requests per minute per credential of this tenant (0: the server's --rate-limit)")
	cmd.Flags().IntVar(&rateBurst, "rate-burst", 0, "requests a credential of this tenant may make at once (0: the default: the tenant's --rate-limit when set, else the server's --rate-burst)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the tenant's limits as JSON")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

func orServer(v *int) string {
	if v == nil {
		return "(the server's)"
	}
	return strconv.Itoa(*v)
}
