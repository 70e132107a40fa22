package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rosterhq/roster/internal/core"
)

// tenantCreatedJSON is the documented output of `roster tenant create
// --json`; scripts and tests rely on exactly these keys.
type tenantCreatedJSON struct {
	ClientID      string `json:"clientId"`
	Subdomain     string `json:"subdomain"`
	AccountID     string `json:"accountId"`
	APIKey        string `json:"apiKey"`
	AdminEmail    string `json:"adminEmail"`
	AdminPassword string `json:"adminPassword"`
}

func (a *app) tenantCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "tenant", Short: "Manage tenants (platform operator)"}
	cmd.AddCommand(a.tenantCreateCommand(), a.tenantUpdateCommand())
	return cmd
}

func (a *app) tenantCreateCommand() *cobra.Command {
	var in core.CreateTenant
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create --name NAME [--subdomain SUBDOMAIN] [--json]",
		Short: "Create a tenant with an admin user and an API key (both shown once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, st, err := a.openService(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			out, err := svc.CreateTenant(cmd.Context(), in)
			if err != nil {
				return err
			}
			res := tenantCreatedJSON{
				ClientID: out.Tenant.ClientID, Subdomain: out.Tenant.Subdomain, AccountID: out.Tenant.AccountID(),
				APIKey: out.APIKey, AdminEmail: out.Admin.Email, AdminPassword: out.AdminPassword,
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				return enc.Encode(res)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "Tenant %q created.\n", out.Tenant.Name)
			fmt.Fprintf(w, "  Client ID:      %s\n", res.ClientID)
			fmt.Fprintf(w, "  Subdomain:      %s\n", res.Subdomain)
			fmt.Fprintf(w, "  Account ID:     %s\n", res.AccountID)
			fmt.Fprintf(w, "  API key:        %s\n", res.APIKey)
			fmt.Fprintf(w, "  Admin email:    %s\n", res.AdminEmail)
			fmt.Fprintf(w, "  Admin password: %s\n", res.AdminPassword)
			fmt.Fprintln(w, "The API key and the password are shown only now: keep them safe.")
			return nil
		},
	}
	cmd.Flags().StringVar(&in.Name, "name", "", "the tenant's name (required)")
	cmd.Flags().StringVar(&in.Subdomain, "subdomain", "", "the tenant's subdomain (default: derived from the name)")
	cmd.Flags().StringVar(&in.AdminEmail, "admin-email", "", "the admin user's email (default: admin@<subdomain>.roster.test)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}
