package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/token"
)

// rotateIssuer names the issuer that rotates keys from the command line. It
// signs nothing, so the name is never in a token; token.NewIssuer only
// requires one.
const rotateIssuer = "roster keys rotate"

func (a *app) keysCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage the keys that sign access tokens"}
	cmd.AddCommand(a.keysRotateCommand())
	return cmd
}

func (a *app) keysRotateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rotate",
		Short: "Make a new signing key current; older keys stay published until their tokens expire",
		Long: "Adds a new ES256 signing key to the store and makes it the one that signs access tokens.\n" +
			"Running servers sign with it within a minute. Older keys keep verifying, and stay in\n" +
			"/.well-known/jwks.json, until every token they signed has expired; then they drop out.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st, err := store.OpenMigrated(ctx, a.cfg.Database)
			if err != nil {
				return err
			}
			defer st.Close()
			tokens, err := token.NewIssuer(ctx, st, token.Config{Issuer: rotateIssuer})
			if err != nil {
				return err
			}
			kid, err := tokens.Rotate(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "new signing key %s is current; older keys stay published until their tokens expire\n", kid)
			return nil
		},
	}
}
