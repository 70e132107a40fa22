package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rosterhq/roster/internal/core"
)

// DefaultMaxLine is the longest NDJSON line accepted; a longer line is
// refused as that line's error, and reading goes on after it.
const DefaultMaxLine = 64 << 10

// Record is one input row, read and decoded.
type Record struct {
	Line int   // the row's line number in the input, from 1
	End  int64 // the input offset just past the row: where a resume starts
	User core.ImportUser
	// Err, when set, refuses the row before the core sees it (not JSON,
	// too long, a bad CSV cell).
	Err *core.Error
	// Row is the row as read (zero when it could not be read), for the
	// errors file.
	Row Row
}

// Source yields records in input order; io.EOF after the last.
type Source interface {
	Next() (Record, error)
}

// JSONLines reads NDJSON: one JSON object per line, blank lines skipped.
type JSONLines struct {
	r       *bufio.Reader
	line    int
	offset  int64
	maxLine int
}

// NewJSONLines reads NDJSON from r, which starts at line startLine+1 and
// input offset startOffset, refusing lines longer than maxLine bytes
// (DefaultMaxLine when <= 0).
func NewJSONLines(r io.Reader, startLine int, startOffset int64, maxLine int) *JSONLines {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	// The buffer holds a whole line and its newline (and a "\r").
	return &JSONLines{r: bufio.NewReaderSize(r, maxLine+2), line: startLine, offset: startOffset, maxLine: maxLine}
}

// Next returns the next non-blank line's record.
func (s *JSONLines) Next() (Record, error) {
	for {
		raw, err := s.r.ReadSlice('\n')
		n := len(raw)
		tooLong := false
		for errors.Is(err, bufio.ErrBufferFull) {
			// Skip the rest of an overlong line without holding it.
			tooLong = true
			raw, err = s.r.ReadSlice('\n')
			n += len(raw)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return Record{}, fmt.Errorf("read line %d: %w", s.line+1, err)
		}
		if n == 0 && errors.Is(err, io.EOF) {
			return Record{}, io.EOF
		}
		s.line++
		s.offset += int64(n)
		rec := Record{Line: s.line, End: s.offset}
		trimmed := bytes.TrimSpace(raw)
		switch {
		case tooLong || len(trimmed) > s.maxLine:
			rec.Err = core.FieldError(core.Invalid, "", "the line is longer than the limit of %d bytes", s.maxLine)
			return rec, nil
		case len(trimmed) == 0:
			continue
		}
		row, derr := DecodeJSONRow(trimmed)
		if derr != nil {
			rec.Err = core.AsError(derr)
			return rec, nil
		}
		rec.Row = row
		if rec.User, derr = row.ImportUser(); derr != nil {
			rec.Err = core.AsError(derr)
		}
		return rec, nil
	}
}

// Fields is the row as a JSON object without its secrets.
func (r Row) Fields() map[string]any {
	b, err := json.Marshal(r)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	for k := range secretFields {
		delete(m, k)
	}
	return m
}

// CSV reads CSV with a header row naming Row's fields.
type CSV struct {
	r          *csv.Reader
	header     []string
	baseLine   int
	baseOffset int64
}

// ReadCSVHeader reads and checks the header row at the start of r and
// returns it with the offset just past it.
func ReadCSVHeader(r io.Reader) ([]string, int64, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return nil, 0, fmt.Errorf("CSV header: %w", err)
	}
	if err := checkCSVHeader(header); err != nil {
		return nil, 0, err
	}
	return header, cr.InputOffset(), nil
}

// NewCSV reads CSV data rows under header from r, which starts at input
// offset startOffset, the start of line startLine+1.
func NewCSV(r io.Reader, header []string, startLine int, startOffset int64) *CSV {
	cr := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	cr.FieldsPerRecord = -1 // a short row is that row's error, not the end of the import
	cr.ReuseRecord = true
	return &CSV{r: cr, header: header, baseLine: startLine, baseOffset: startOffset}
}

// Next returns the next row's record. A malformed row (a stray quote) ends
// the import: CSV cannot resynchronise after it.
func (s *CSV) Next() (Record, error) {
	record, err := s.r.Read()
	if errors.Is(err, io.EOF) {
		return Record{}, io.EOF
	}
	if err != nil {
		return Record{}, fmt.Errorf("CSV: %w", err)
	}
	line, _ := s.r.FieldPos(0)
	rec := Record{Line: s.baseLine + line, End: s.baseOffset + s.r.InputOffset()}
	row, rerr := csvRow(s.header, record)
	if rerr != nil {
		rec.Err = core.AsError(rerr)
		return rec, nil
	}
	rec.Row = row
	if rec.User, rerr = row.ImportUser(); rerr != nil {
		rec.Err = core.AsError(rerr)
	}
	return rec, nil
}
