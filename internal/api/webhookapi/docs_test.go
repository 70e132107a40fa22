package webhookapi_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// zapierDoc returns docs/zapier.md with blockquote markers and line breaks
// folded into single spaces.
func zapierDoc(t *testing.T) (raw, folded string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "zapier.md"))
	if err != nil {
		t.Fatal(err)
	}
	raw = string(b)
	folded = strings.Join(strings.Fields(strings.ReplaceAll(raw, "\n> ", "\n")), " ")
	return raw, folded
}

// TestZapierDocQuotesTheRealAnswers: the page quotes the 401 Roster really
// gives for the "Bearer" label mistake, and its delivery example is the
// core's documented user_created example.
func TestZapierDocQuotesTheRealAnswers(t *testing.T) {
	raw, folded := zapierDoc(t)
	env := apitest.New(t, openSQLite(t), core.HashPoolConfig{})
	acme := env.NewTenant(t, "Acme")
	res := env.Do(t, "POST", "/_api/client/users", fixture(t, "seed000_create.json"), "Bearer", acme.APIKey)
	var answer struct{ Message string }
	res.JSON(t, &answer)
	if res.Status != 401 || answer.Message == "" {
		t.Fatalf("the Bearer-label mistake: %d %s", res.Status, res.Body)
	}
	if !strings.Contains(folded, answer.Message) {
		t.Errorf("docs/zapier.md does not quote the 401 message %q", answer.Message)
	}
	for _, want := range []string{"Label `Authorization`, Content `Bearer bdk_c789...`", "POST https://<your Roster host>/api/v1/hooks", "/api/v1/hooks/sample?event=user_created"} {
		if !strings.Contains(folded, want) {
			t.Errorf("docs/zapier.md lacks %q", want)
		}
	}

	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllStringSubmatch(raw, -1)
	var documented map[string]any
	for _, b := range blocks {
		text := strings.Join(strings.Split(b[1], "\n  "), "\n") // the list item's indent
		if strings.Contains(text, `"type": "user_created"`) {
			if err := json.Unmarshal([]byte(text), &documented); err != nil {
				t.Fatalf("the delivery example is not JSON: %v\n%s", err, text)
			}
		}
	}
	if documented == nil {
		t.Fatal("docs/zapier.md has no user_created delivery example")
	}
	e, _ := core.ExampleEvent(core.EventUserCreated)
	body, err := core.WebhookPayload(e, core.ExampleClientID)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(documented, want) {
		t.Errorf("docs/zapier.md's example\n%v\nis not the core's example\n%v", documented, want)
	}
}
