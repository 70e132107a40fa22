package openapi_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/core"
)

func get(t *testing.T, url string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

var (
	// attrURL finds the attributes of the page that name something to load.
	attrURL = regexp.MustCompile(`(?i)\b(src|href|spec-url|action|data|poster)\s*=\s*"([^"]*)"`)
	// scriptTag finds script elements and their src.
	scriptTag = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	scriptSrc = regexp.MustCompile(`(?i)\bsrc\s*=\s*"([^"]*)"`)
)

// TestDocsPage: /docs is HTML that loads only this server's script and
// names no other origin, under a Content-Security-Policy that allows
// nothing beyond this origin.
func TestDocsPage(t *testing.T) {
	env, _ := newServer(t, core.HashPoolConfig{})
	res, page := get(t, env.URL+"/docs")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /docs: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("GET /docs lacks X-Content-Type-Options: nosniff")
	}

	for _, scheme := range []string{"http://", "https://"} {
		if i := bytes.Index(bytes.ToLower(page), []byte(scheme)); i >= 0 {
			t.Errorf("the page names an absolute URL (%q at byte %d): it must load everything from this server", scheme, i)
		}
	}
	for _, m := range attrURL.FindAllSubmatch(page, -1) {
		ref := string(m[2])
		if !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") {
			t.Errorf("%s=%q: want a path on this server", m[1], ref)
		}
	}
	scripts := scriptTag.FindAllSubmatch(page, -1)
	if len(scripts) != 1 {
		t.Fatalf("the page has %d script elements, want exactly the Redoc bundle", len(scripts))
	}
	src := scriptSrc.FindSubmatch(scripts[0][1])
	if src == nil || string(src[1]) != "/docs/redoc.standalone.js" || len(bytes.TrimSpace(scripts[0][2])) != 0 {
		t.Fatalf("script element %q: want src=\"/docs/redoc.standalone.js\" and no inline code", scripts[0][0])
	}
	if !bytes.Contains(page, []byte(`spec-url="/openapi.json"`)) {
		t.Error(`the page does not point Redoc at spec-url="/openapi.json"`)
	}

	// The policy: only this origin, plus what Redoc needs (inline styles,
	// data: images and fonts, a blob: worker); never a host or a wildcard.
	csp := parseCSP(res.Header.Get("Content-Security-Policy"))
	if len(csp) == 0 {
		t.Fatal("GET /docs has no Content-Security-Policy")
	}
	allowed := map[string]bool{"'self'": true, "'none'": true, "'unsafe-inline'": true, "data:": true, "blob:": true}
	for directive, sources := range csp {
		for _, s := range sources {
			if !allowed[s] {
				t.Errorf("Content-Security-Policy %s allows %q", directive, s)
			}
		}
	}
	for directive, want := range map[string]string{
		"default-src": "'none'", "script-src": "'self'", "connect-src": "'self'",
		"worker-src": "blob:", "base-uri": "'none'", "frame-ancestors": "'none'",
	} {
		if got := strings.Join(csp[directive], " "); got != want {
			t.Errorf("Content-Security-Policy %s: got %q, want %q", directive, got, want)
		}
	}

	// The script the page loads is the embedded Redoc bundle, served here.
	res, bundle := get(t, env.URL+"/docs/redoc.standalone.js")
	want, err := os.ReadFile("redoc.standalone.js")
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !bytes.Equal(bundle, want) ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET /docs/redoc.standalone.js: %d %q, %d bytes (want %d)", res.StatusCode, res.Header.Get("Content-Type"), len(bundle), len(want))
	}
	etag := res.Header.Get("ETag")
	if res, _ := get(t, env.URL+"/docs/redoc.standalone.js", "If-None-Match", etag); etag == "" || res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating the bundle with its ETag %q: got %d, want 304", etag, res.StatusCode)
	}

	// Its licence travels with it, where the bundle's first line says.
	if !bytes.HasPrefix(bundle, []byte("/*! For license information please see redoc.standalone.js.LICENSE.txt */")) {
		t.Error("the bundle's first line no longer names redoc.standalone.js.LICENSE.txt: check where its licenses are")
	}
	res, notices := get(t, env.URL+"/docs/redoc.standalone.js.LICENSE.txt")
	if res.StatusCode != http.StatusOK || !bytes.Contains(notices, []byte("The MIT License (MIT)")) ||
		!bytes.Contains(notices, []byte("Rebilly")) || !bytes.Contains(notices, []byte("ReDoc")) {
		t.Errorf("GET /docs/redoc.standalone.js.LICENSE.txt: %d, want Redoc's MIT license and the bundle's notices", res.StatusCode)
	}
	license, err := os.ReadFile("REDOC_LICENSE")
	if err != nil || !bytes.HasPrefix(license, []byte("The MIT License (MIT)")) {
		t.Errorf("REDOC_LICENSE is not Redoc's MIT license (%v)", err)
	}
}

// parseCSP splits a policy into its directives' source lists.
func parseCSP(policy string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		fields := strings.Fields(d)
		if len(fields) > 0 {
			out[strings.ToLower(fields[0])] = fields[1:]
		}
	}
	return out
}
