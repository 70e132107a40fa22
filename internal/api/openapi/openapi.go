// Package openapi owns Roster's API description and its reference page: the
// hand-written OpenAPI 3.1 document of every HTTP face (openapi.json, served
// at GET /openapi.json) and the page that renders it (GET /docs), served
// entirely from this binary with no third-party origin.
//
// The document is the contract a face's tests hold it to: this package's
// tests drive the real server through every documented operation and
// validate each request and response against it. A face that adds or changes
// a route describes it in openapi.json in the same change.
//
// The page uses Redoc. redoc.standalone.js is bundles/redoc.standalone.js of
// the npm package redoc@2.5.4 (dist.integrity sha512-M6jWhG1qoBnH6TFmzJnstyCZ87HmOY/UzDm78mHiYihEdlV/YcS9ogOo1NlElnJMeLsyxHFe2yFc4sNjHTrABQ==),
// unchanged; REDOC_LICENSE is the package's MIT license and
// redoc.standalone.js.LICENSE.txt the notices of what the bundle contains.
// To upgrade: `npm pack redoc@VERSION`, copy those three files, update the
// version here, and look at /docs in a browser.
package openapi

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"
)

var (
	//go:embed openapi.json
	document []byte

	//go:embed docs.html
	docsPage []byte

	//go:embed redoc.standalone.js
	redocBundle []byte

	//go:embed REDOC_LICENSE
	redocLicense []byte

	//go:embed redoc.standalone.js.LICENSE.txt
	redocNotices []byte
)

// docsCSP is the Content-Security-Policy of the reference page: everything
// from this origin only. Redoc needs inline styles (styled-components
// injects <style> elements), data: images (its icons), and a blob: worker
// (its search index runs in a Worker built from a Blob).
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Document returns the OpenAPI document. The bytes are shared: do not
// modify them.
func Document() []byte { return document }

// Routes registers GET /openapi.json, GET /docs and the page's assets on mux.
// The patterns are literals so that the tests, which read every route
// pattern in internal/api, find them.
func Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /openapi.json", serveDocument)
	mux.HandleFunc("GET /docs", serveDocsPage)
	mux.Handle("GET /docs/redoc.standalone.js", staticAsset("redoc.standalone.js", "text/javascript; charset=utf-8", redocBundle))
	// The bundle's first line says its licenses are in this file.
	notices := bytes.Join([][]byte{redocLicense, redocNotices}, []byte("\n\n"))
	mux.Handle("GET /docs/redoc.standalone.js.LICENSE.txt", staticAsset("redoc.standalone.js.LICENSE.txt", "text/plain; charset=utf-8", notices))
}

func serveDocument(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(document)
}

func serveDocsPage(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", docsCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(docsPage)
}

// staticAsset serves b with an ETag, so that browsers revalidate a 1 MB
// bundle instead of downloading it again.
func staticAsset(name, contentType string, b []byte) http.Handler {
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	})
}
