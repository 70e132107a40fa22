package postgres

import (
	"cmp"
	"slices"
	"strings"

	"github.com/rosterhq/roster/internal/core"
)

// prefixed qualifies every column of a comma-separated list with p ("w.").
func prefixed(p, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// sortDeliveriesByDue orders deliveries earliest due first, then by id.
func sortDeliveriesByDue(list []core.WebhookDelivery) {
	slices.SortFunc(list, func(a, b core.WebhookDelivery) int {
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
