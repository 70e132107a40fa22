package main

import (
	"github.com/spf13/cobra"

	"github.com/rosterhq/roster/internal/store"
)

func (a *app) migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations and exit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := store.OpenMigrated(cmd.Context(), a.cfg.Database)
			if err != nil {
				return err
			}
			defer st.Close()
			cmd.Println("migrations applied")
			return nil
		},
	}
}
