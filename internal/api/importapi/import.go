package importapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/api/problem"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/importer"
)

// MediaType is the media type of the request and of the results.
const MediaType = "application/x-ndjson"

// Streaming settings.
const (
	// BatchSize lines are imported in one transaction, and their results
	// flushed together.
	BatchSize = 500
	// MaxLine is the longest line accepted; a longer one is that line's
	// error.
	MaxLine = importer.DefaultMaxLine
	// batchDeadline is how long reading the next batch and writing its
	// results may take: the server's read and write timeouts are meant for
	// ordinary requests, and an import runs as long as its input.
	batchDeadline = 2 * time.Minute
)

// summaryLine ends a successful stream.
type summaryLine struct {
	Summary importer.Summary `json:"summary"`
}

// errorLine ends a stream that failed after it started: the batch in
// flight was not committed, and the batches before it were.
type errorLine struct {
	Error problem.Details `json:"error"`
}

func (h *handlers) writeError(w http.ResponseWriter, r *http.Request, err error) {
	problem.Write(w, r, h.Log, err)
}

// checkMediaType accepts only NDJSON: a JSON body here is a mistake worth
// naming.
func checkMediaType(header string) error {
	if mt, _, err := mime.ParseMediaType(header); err == nil && mt == MediaType {
		return nil
	}
	return &httpkit.RequestError{Status: http.StatusUnsupportedMediaType,
		Message: "Content-Type must be " + MediaType + ": one JSON user per line"}
}

func (h *handlers) importUsers(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := checkMediaType(r.Header.Get("Content-Type")); err != nil {
		h.writeError(w, r, err)
		return
	}
	match := core.ImportMatch(r.URL.Query().Get("match"))
	// An empty batch checks the scope and the match mode without writing.
	if _, err := h.Service.ImportUsers(r.Context(), actor, match, nil); err != nil {
		if e := core.AsError(err); e != nil && e.Field == "match" {
			err = &httpkit.RequestError{Status: http.StatusBadRequest, Message: "match: must be email or externalId"}
		}
		h.writeError(w, r, err)
		return
	}

	rc := http.NewResponseController(w)
	// Results are written while the body is still being read.
	_ = rc.EnableFullDuplex()
	extend := func() {
		_ = rc.SetReadDeadline(time.Now().Add(batchDeadline))
		_ = rc.SetWriteDeadline(time.Now().Add(batchDeadline))
	}
	extend()
	w.Header().Set("Content-Type", MediaType)
	w.WriteHeader(http.StatusOK)
	out := bufio.NewWriter(w)
	enc := json.NewEncoder(out)

	src := bodySource{importer.NewJSONLines(r.Body, 0, 0, MaxLine)}
	sum, err := importer.Run(r.Context(), src, importer.Options{
		BatchSize: BatchSize,
		Workers:   1,
		Import:    importer.StoreImport(h.Service, actor, match),
		Done: func(b importer.Batch) error {
			for _, res := range b.Results {
				if err := enc.Encode(res); err != nil {
					return err
				}
			}
			if err := out.Flush(); err != nil {
				return err
			}
			extend()
			return rc.Flush()
		},
	})
	if err != nil {
		p := problem.From(r.Context(), h.Log, err, problem.Options{})
		h.Log.InfoContext(r.Context(), "import stream ended early", slog.Int("rows", sum.Rows()), slog.Int("status", p.Status))
		_ = enc.Encode(errorLine{Error: p.Details})
	} else {
		_ = enc.Encode(summaryLine{Summary: sum})
	}
	_ = out.Flush()
	_ = rc.Flush()
}

// bodySource reads the request body's lines. A body that cannot be read
// (the client went away mid-line, say) is the client's problem, not an
// internal error.
type bodySource struct{ importer.Source }

func (b bodySource) Next() (importer.Record, error) {
	rec, err := b.Source.Next()
	if err != nil && !errors.Is(err, io.EOF) {
		return rec, &httpkit.RequestError{Status: http.StatusBadRequest, Message: "the request body could not be read to its end"}
	}
	return rec, err
}
