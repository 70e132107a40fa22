package core_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/core"
)

// notEmitted are the Event* constants Roster declares but does not record
// yet, with the reason. Anything else must be in core.EmittedEvents.
var notEmitted = map[string]string{
	core.EventAccountDeleted: "tenants cannot be deleted through the service yet",
}

// eventConstants returns the values of every exported string constant
// named Event* declared in the core's non-test files.
func eventConstants(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Event") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatalf("%s: %v", name.Name, err)
					}
					out[name.Name] = v
				}
			}
		}
	}
	return out
}

// TestEmittedEventsCoverConstants: every event type constant is either
// emitted (and so documented, see the openapi package's test) or listed in
// notEmitted with a reason; EmittedEvents has no duplicate, and each name
// is the seed catalogue's or one of rosterOwnEvents.
func TestEmittedEventsCoverConstants(t *testing.T) {
	consts := eventConstants(t)
	if len(consts) < 20 {
		t.Fatalf("found %d Event* constants, want at least 20: the scan is broken", len(consts))
	}
	for name, v := range consts {
		_, skipped := notEmitted[v]
		if core.IsEmittedEvent(v) == skipped {
			t.Errorf("%s = %q: emitted %v, in notEmitted %v; want exactly one", name, v, core.IsEmittedEvent(v), skipped)
		}
	}
	seen := map[string]bool{}
	for _, e := range core.EmittedEvents {
		if seen[e] {
			t.Errorf("%s is listed twice in EmittedEvents", e)
		}
		seen[e] = true
		if !core.IsCatalogueEvent(e) && !slices.Contains(rosterOwnEvents, e) {
			t.Errorf("%s is neither a seed catalogue name nor Roster's own", e)
		}
		if !slices.Contains(mapValues(consts), e) {
			t.Errorf("%s is emitted but has no Event* constant", e)
		}
	}
}

// rosterOwnEvents are the emitted types that seed 002's catalogue lacks:
// the features that record them (secret rotation, workspaces and groups)
// have no event there.
var rosterOwnEvents = []string{
	core.EventWebhookSecretRotated,
	core.EventWorkspaceCreated, core.EventWorkspaceUpdated, core.EventWorkspaceDeleted,
	core.EventGroupCreated, core.EventGroupUpdated, core.EventGroupDeleted,
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestExampleEvents: every emitted event has an example, its envelope keeps
// the reserved members (no payload member shadows them), and no example
// holds a secret-looking member.
func TestExampleEvents(t *testing.T) {
	for _, typ := range core.EmittedEvents {
		t.Run(typ, func(t *testing.T) {
			e, ok := core.ExampleEvent(typ)
			if !ok {
				t.Fatalf("no example")
			}
			var payload map[string]json.RawMessage
			if err := json.Unmarshal(e.Payload, &payload); err != nil {
				t.Fatalf("payload %s: %v", e.Payload, err)
			}
			for _, reserved := range []string{"id", "tenant", "actor", "subject"} {
				if _, clash := payload[reserved]; clash {
					t.Errorf("payload member %q would be shadowed by the envelope", reserved)
				}
			}
			body, err := core.WebhookPayload(e, core.ExampleClientID)
			if err != nil {
				t.Fatalf("WebhookPayload: %v", err)
			}
			var env struct {
				Type string                     `json:"type"`
				Data map[string]json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(body, &env); err != nil {
				t.Fatalf("envelope %s: %v", body, err)
			}
			if env.Type != typ || string(env.Data["id"]) != "41" || string(env.Data["tenant"]) != `{"clientId":"`+core.ExampleClientID+`"}` {
				t.Errorf("envelope: %s", body)
			}
			wantNoSecrets(t, "example "+typ, string(body))
		})
	}
	if _, ok := core.ExampleEvent("lead_created"); ok {
		t.Errorf("an example for lead_created, which Roster does not emit")
	}
}
