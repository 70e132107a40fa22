package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ServerImport imports batches through a Roster server: each batch is one
// POST /api/v1/users/import of NDJSON with the API key, whose streamed
// results are read back. A batch whose results all came back, summary
// included, is committed on the server.
func ServerImport(client *http.Client, baseURL, apiKey string, match string) ImportFunc {
	endpoint := strings.TrimRight(baseURL, "/") + "/api/v1/users/import"
	if match != "" {
		endpoint += "?match=" + url.QueryEscape(match)
	}
	return func(ctx context.Context, records []Record) ([]Result, error) {
		results := make([]Result, len(records))
		var body bytes.Buffer
		var sent []int // request line - 1 -> record index
		enc := json.NewEncoder(&body)
		for i, r := range records {
			if r.Err != nil {
				results[i] = errorResult(r.Line, r.Row.Email, r.Err)
				continue
			}
			if err := enc.Encode(r.Row); err != nil {
				return nil, fmt.Errorf("encode line %d: %w", r.Line, err)
			}
			sent = append(sent, i)
		}
		if len(sent) == 0 {
			return results, nil
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, &body)
		if err != nil {
			return nil, fmt.Errorf("import request: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+apiKey)
		req.Header.Set("Content-Type", "application/x-ndjson")
		res, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("import request: %w", err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, serverError(res)
		}
		got, err := readServerResults(res.Body, len(sent))
		if err != nil {
			return nil, err
		}
		for k, r := range got {
			i := sent[k]
			r.Line = records[i].Line
			results[i] = r
		}
		return results, nil
	}
}

// serverLine is any line of the server's answer.
type serverLine struct {
	Result
	Error   json.RawMessage `json:"error"`
	Summary *Summary        `json:"summary"`
}

// readServerResults reads want result lines and the summary.
func readServerResults(r io.Reader, want int) ([]Result, error) {
	out := make([]Result, 0, want)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var l serverLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("the server's answer is not NDJSON: %w", err)
		}
		switch {
		case l.Summary != nil:
			if len(out) != want {
				return nil, fmt.Errorf("the server answered %d results for %d lines", len(out), want)
			}
			return out, nil
		case len(l.Error) > 0 && l.Error[0] == '{':
			var p struct {
				Status int    `json:"status"`
				Detail string `json:"detail"`
			}
			_ = json.Unmarshal(l.Error, &p)
			return nil, fmt.Errorf("the server stopped the import (%d): %s", p.Status, p.Detail)
		}
		if len(l.Error) > 0 {
			if err := json.Unmarshal(l.Error, &l.Result.Error); err != nil {
				return nil, fmt.Errorf("the server's answer is not NDJSON: %w", err)
			}
		}
		out = append(out, l.Result)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read the server's answer: %w", err)
	}
	return nil, fmt.Errorf("the server's answer ended after %d of %d results, without a summary", len(out), want)
}

// serverError describes a refusal (a problem document) without repeating
// anything secret: the problem's detail is written by the server for the
// client.
func serverError(res *http.Response) error {
	var p struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if json.Unmarshal(b, &p) == nil && p.Detail != "" {
		return fmt.Errorf("the server refused the import (%d %s): %s", res.StatusCode, p.Title, p.Detail)
	}
	return fmt.Errorf("the server refused the import: %s", res.Status)
}
