package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rosterhq/roster/internal/core"
)

// apiKeyJSON is how the CLI shows a key; Key is set only on creation.
type apiKeyJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scopes     []string   `json:"scopes"`
	Key        string     `json:"key,omitempty"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
	RevokedAt  *time.Time `json:"revokedAt"`
}

func apiKeyView(k core.APIKey) apiKeyJSON {
	scopes := k.Scopes
	if len(scopes) == 0 {
		scopes = core.AllScopes
	}
	return apiKeyJSON{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scopes: scopes,
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
}

func (a *app) apikeyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "apikey", Short: "Manage a tenant's API keys"}
	var clientID string
	cmd.PersistentFlags().StringVar(&clientID, "tenant", "", "the tenant's client ID (required)")
	_ = cmd.MarkPersistentFlagRequired("tenant")
	cmd.AddCommand(a.apikeyCreateCommand(&clientID), a.apikeyListCommand(&clientID), a.apikeyRevokeCommand(&clientID))
	return cmd
}

func (a *app) apikeyCreateCommand(clientID *string) *cobra.Command {
	var name, scopes string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create --tenant CLIENT_ID [--name NAME] [--scopes users:read,users:write,admin]",
		Short: "Create an API key (shown once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.asTenant(cmd.Context(), *clientID, func(svc *core.Service, actor core.Actor) error {
				var list []string
				if scopes != "" {
					list = strings.Split(scopes, ",")
				}
				k, plaintext, err := svc.CreateAPIKey(cmd.Context(), actor, core.CreateAPIKey{Name: name, Scopes: list})
				if err != nil {
					return err
				}
				if asJSON {
					v := apiKeyView(k)
					v.Key = plaintext
					return json.NewEncoder(cmd.OutOrStdout()).Encode(v)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "API key %d created: %s\nIt is shown only now: keep it safe.\n", k.ID, plaintext)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "a label for the key")
	cmd.Flags().StringVar(&scopes, "scopes", "", "comma-separated scopes (default: all)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func (a *app) apikeyListCommand(clientID *string) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list --tenant CLIENT_ID",
		Short: "List a tenant's API keys (prefixes only)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.asTenant(cmd.Context(), *clientID, func(svc *core.Service, actor core.Actor) error {
				keys, err := svc.ListAPIKeys(cmd.Context(), actor)
				if err != nil {
					return err
				}
				views := make([]apiKeyJSON, len(keys))
				for i, k := range keys {
					views[i] = apiKeyView(k)
				}
				if asJSON {
					return json.NewEncoder(cmd.OutOrStdout()).Encode(views)
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tPREFIX\tSCOPES\tCREATED\tLAST USED\tREVOKED")
				for _, v := range views {
					fmt.Fprintf(tw, "%d\t%s\t%s…\t%s\t%s\t%s\t%s\n", v.ID, v.Name, v.Prefix, strings.Join(v.Scopes, ","),
						v.CreatedAt.Format(time.RFC3339), optTime(v.LastUsedAt), optTime(v.RevokedAt))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func (a *app) apikeyRevokeCommand(clientID *string) *cobra.Command {
	var id int64
	cmd := &cobra.Command{
		Use:   "revoke --tenant CLIENT_ID --id KEY_ID",
		Short: "Revoke an API key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.asTenant(cmd.Context(), *clientID, func(svc *core.Service, actor core.Actor) error {
				if err := svc.RevokeAPIKey(cmd.Context(), actor, id); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "API key %d revoked\n", id)
				return nil
			})
		},
	}
	cmd.Flags().Int64Var(&id, "id", 0, "the key's id, from `roster apikey list` (required)")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

func optTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}

// asTenant opens the store and runs fn as the operator acting on the tenant
// with clientID.
func (a *app) asTenant(ctx context.Context, clientID string, fn func(*core.Service, core.Actor) error) error {
	svc, st, err := a.openService(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	actor, err := tenantActor(ctx, svc, clientID)
	if err != nil {
		return err
	}
	return fn(svc, actor)
}
