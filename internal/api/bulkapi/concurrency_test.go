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
			// Each request is atomic: the users hold one writer's names, not a mix.
			names := map[string]int{}
			for _, u := range users {
				stored, found := userByEmail(t, env, acme.Tenant.ID, u.Email)
				if !found {
					t.Fatalf("round %d: %s not found", round, u.Email)
				}
				names[stored.Name]++
			}
			if len(names) != 1 || (names[fmt.Sprintf("round %d writer 0", round)] != len(users) && names[fmt.Sprintf("round %d writer 1", round)] != len(users)) {
				t.Fatalf("round %d: stored names %v, want all %d from one writer", round, names, len(users))
			}
		}
	})
}

// TestConcurrentCreatesOfTheSameEmails: two atomic requests creating the
// same new users at once. Whichever writes second meets the first's users,
// either when it looks them up or when its batch insert waits on the
// unique email index; either way exactly one request stores them, the
// other stores nothing and names every row's taken email, and each user
// has exactly one user_created event.
func TestConcurrentCreatesOfTheSameEmails(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		auth := apitest.Bearer(acme.APIKey)
		const n = 200
		for round := range 3 {
			users := make([]user, n)
			for i := range users {
				users[i] = user{Email: fmt.Sprintf("race%d-%03d@example.com", round, i), Groups: []group{}}
			}
			payload := body(t, users...)
			var wg sync.WaitGroup
			answers := make([]apitest.Response, 2)
			for g := range 2 {
				wg.Go(func() { answers[g] = env.Do(t, "POST", "/api/users/add", payload, auth...) })
			}
			wg.Wait()
			statuses := []int{answers[0].Status, answers[1].Status}
			slices.Sort(statuses)
			if !slices.Equal(statuses, []int{200, 400}) {
				t.Fatalf("round %d: statuses %v, want one 200 and one 400", round, statuses)
			}
			for _, res := range answers {
				if res.Status != 400 {
					continue
				}
				var a answer
				res.JSON(t, &a)
				if len(a.Results) != n {
					t.Fatalf("round %d: %d results, want %d", round, len(a.Results), n)
				}
				for _, r := range a.Results {
					wantRow(t, r, "error", "email", "is already taken")
				}
			}
		}
		if got := countUsers(t, env, acme.Tenant.ID); got != 3*n+1 {
			t.Errorf("users: %d, want %d (and the admin)", got, 3*n+1)
		}
		if got := eventCounts(t, env, acme.Tenant.ID)["user_created"]; got != 3*n+1 {
			t.Errorf("user_created events: %d, want %d", got, 3*n+1)
		}
	})
}
