package importer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Input formats of a file.
const (
	FormatCSV   = "csv"
	FormatJSONL = "jsonl"
)

// FileOptions configure ImportFile.
type FileOptions struct {
	Path       string
	Format     string // FormatCSV, FormatJSONL, or "" to go by the file's extension
	ErrorsPath string // "": Path + ".errors.jsonl"
	// Resume continues the interrupted import whose checkpoint is beside
	// Path. Without it, an existing checkpoint is an error: importing the
	// file from the start again would be safe, but slower, and probably
	// not what was meant.
	Resume    bool
	BatchSize int
	Workers   int
	Import    ImportFunc

	Progress         io.Writer // nil: no progress
	Terminal         bool      // Progress is a terminal: draw a bar
	ProgressInterval time.Duration
}

// ErrorLine is one line of the errors file: a refused row, its reason, and
// the row as read without its password or hash.
type ErrorLine struct {
	Line  int            `json:"line"`
	Email string         `json:"email"`
	Field string         `json:"field,omitempty"`
	Error string         `json:"error"`
	Row   map[string]any `json:"row,omitempty"`
}

// FormatOf picks the format of path from its extension: .csv is CSV;
// .jsonl, .ndjson and .json are JSON lines.
func FormatOf(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return FormatCSV, nil
	case ".jsonl", ".ndjson", ".json":
		return FormatJSONL, nil
	}
	return "", fmt.Errorf("%s: cannot tell the format from the extension: use --format csv or --format jsonl", path)
}

// ImportFile imports the rows of a CSV or JSON-lines file in batches, in
// constant memory. After each committed batch it appends the batch's
// refused rows to the errors file and then rewrites the checkpoint, so that
// an interrupted import (a crash, kill -9, Ctrl-C) resumes with
// o.Resume exactly after the last committed batch: no row is imported
// twice, and the errors file holds each refusal once. A completed import
// removes its checkpoint. It returns the summary of the whole import,
// earlier runs included.
func ImportFile(ctx context.Context, o FileOptions) (Summary, error) {
	format := o.Format
	if format == "" {
		var err error
		if format, err = FormatOf(o.Path); err != nil {
			return Summary{}, err
		}
	} else if format != FormatCSV && format != FormatJSONL {
		return Summary{}, fmt.Errorf("--format %q: must be csv or jsonl", format)
	}
	if o.ErrorsPath == "" {
		o.ErrorsPath = o.Path + ".errors.jsonl"
	}
	cpPath := CheckpointPath(o.Path)
	cp, resuming, err := LoadCheckpoint(cpPath)
	if err != nil {
		return Summary{}, err
	}
	if resuming && !o.Resume {
		return Summary{}, fmt.Errorf("an interrupted import of %s left %s: run again with --resume to continue it, or delete the checkpoint to start over", o.Path, cpPath)
	}

	in, err := os.Open(o.Path)
	if err != nil {
		return Summary{}, fmt.Errorf("open the input: %w", err)
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return Summary{}, fmt.Errorf("open the input: %w", err)
	}
	if resuming && cp.InputSize != info.Size() {
		return Summary{}, fmt.Errorf("%s changed since the interrupted import (%d bytes, was %d): delete %s to start over", o.Path, info.Size(), cp.InputSize, cpPath)
	}

	src, startOffset, err := openSource(in, format, cp, resuming)
	if err != nil {
		return Summary{}, err
	}
	errs, err := openErrorsFile(o.ErrorsPath, cp, resuming)
	if err != nil {
		return Summary{}, err
	}
	defer errs.Close()

	var progress Progress
	if o.Progress != nil {
		progress = NewProgress(o.Progress, o.Terminal, info.Size(), startOffset, cp.Summary.Rows(), o.ProgressInterval)
	}
	total := cp.Summary
	errorsSize := cp.ErrorsSize
	out := bufio.NewWriter(errs)
	_, err = Run(ctx, src, Options{
		BatchSize: o.BatchSize,
		Workers:   o.Workers,
		Import:    o.Import,
		Done: func(b Batch) error {
			wrote := false
			for i, r := range b.Results {
				if r.Status != "error" {
					continue
				}
				line, err := json.Marshal(ErrorLine{Line: r.Line, Email: r.Email, Field: r.Field, Error: r.Error, Row: b.Records[i].Row.Fields()})
				if err != nil {
					return fmt.Errorf("encode an error line: %w", err)
				}
				if _, err := out.Write(append(line, '\n')); err != nil {
					return fmt.Errorf("write the errors file: %w", err)
				}
				errorsSize += int64(len(line) + 1)
				wrote = true
			}
			if wrote {
				// The refusals must be on disk before the checkpoint says
				// their batch is done.
				if err := out.Flush(); err != nil {
					return fmt.Errorf("write the errors file: %w", err)
				}
				if err := errs.Sync(); err != nil {
					return fmt.Errorf("sync the errors file: %w", err)
				}
			}
			total.Add(b.Results...)
			last := b.Records[len(b.Records)-1]
			if err := SaveCheckpoint(cpPath, Checkpoint{Offset: last.End, Line: last.Line, ErrorsSize: errorsSize,
				InputSize: info.Size(), Summary: total}); err != nil {
				return err
			}
			if progress != nil {
				progress.Update(total, last.End)
			}
			return nil
		},
	})
	if err != nil {
		return total, err
	}
	if err := os.Remove(cpPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return total, fmt.Errorf("remove the checkpoint: %w", err)
	}
	if progress != nil {
		progress.Finish(total)
	}
	return total, nil
}

// openSource positions in at the first row to import (after the header, or
// after the checkpoint) and returns the source reading from there with the
// offset it starts at.
func openSource(in *os.File, format string, cp Checkpoint, resuming bool) (Source, int64, error) {
	var header []string
	offset, line := cp.Offset, cp.Line
	if format == FormatCSV {
		var headerEnd int64
		var err error
		if header, headerEnd, err = ReadCSVHeader(in); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", in.Name(), err)
		}
		if !resuming || offset < headerEnd {
			offset, line = headerEnd, 1
		}
	}
	if _, err := in.Seek(offset, io.SeekStart); err != nil {
		return nil, 0, fmt.Errorf("seek the input to %d: %w", offset, err)
	}
	if format == FormatCSV {
		return NewCSV(in, header, line, offset), offset, nil
	}
	return NewJSONLines(in, line, offset, DefaultMaxLine), offset, nil
}

// openErrorsFile opens the errors file: new and empty, or, on a resume,
// cut back to the checkpoint's size (refusals written after it belong to a
// batch that will be imported again).
func openErrorsFile(path string, cp Checkpoint, resuming bool) (*os.File, error) {
	if !resuming {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create the errors file: %w", err)
		}
		return f, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the errors file: %w", err)
	}
	if err := f.Truncate(cp.ErrorsSize); err != nil {
		f.Close()
		return nil, fmt.Errorf("cut the errors file back to the checkpoint: %w", err)
	}
	if _, err := f.Seek(cp.ErrorsSize, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("seek the errors file: %w", err)
	}
	return f, nil
}
