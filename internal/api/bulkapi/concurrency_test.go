package bulkapi_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
)

// TestConcurrentUpdatesInOppositeOrders: two atomic requests that update
// the same users, listed in opposite orders, both succeed (the rows are
// locked in user id order, so neither waits on the other in a cycle).
func TestConcurrentUpdatesInOppositeOrders(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		auth := apitest.Bearer(acme.APIKey)
		users := make([]user, 50)
		for i := range users {
			users[i] = user{Email: fmt.Sprintf("shared%02d@example.com", i), Update: true}
		}
		post(t, env, "", body(t, users...), 200, auth...)
		for round := range 3 {
			var wg sync.WaitGroup
			statuses := make([]int, 2)
			for g := range 2 {
				rows := slices.Clone(users)
				if g == 1 {
					slices.Reverse(rows)
				}
				for i := range rows {
					rows[i].Name = fmt.Sprintf("round %d writer %d", round, g)
				}
				payload := body(t, rows...)
				wg.Go(func() { statuses[g] = env.Do(t, "POST", "/api/users/add", payload, auth...).Status })
			}
			wg.Wait()
			if statuses[0] != 200 || statuses[1] != 200 {
				t.Fatalf("round %d: statuses %v, want 200 and 200", round, statuses)
			}
		}
	})
}
