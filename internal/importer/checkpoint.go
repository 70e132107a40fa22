package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Checkpoint records how far an import of a file got: every row before
// Offset is committed, and the errors file held ErrorsSize bytes of their
// refusals. It is rewritten atomically after each committed batch.
type Checkpoint struct {
	Offset     int64   `json:"offset"`     // input offset just past the last committed row
	Line       int     `json:"line"`       // the last committed row's line: reading resumes after it
	ErrorsSize int64   `json:"errorsSize"` // the errors file's size then
	InputSize  int64   `json:"inputSize"`  // the input's size when the import started, to notice a changed file
	Summary    Summary `json:"summary"`    // the committed rows' results so far
}

// CheckpointPath is where the checkpoint of an import of path lives.
func CheckpointPath(path string) string { return path + ".checkpoint" }

// LoadCheckpoint reads the checkpoint at path; ok is false when there is
// none.
func LoadCheckpoint(path string) (cp Checkpoint, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cp, false, nil
	}
	if err != nil {
		return cp, false, fmt.Errorf("read checkpoint: %w", err)
	}
	if err := json.Unmarshal(b, &cp); err != nil || cp.Offset < 0 || cp.ErrorsSize < 0 {
		return cp, false, fmt.Errorf("checkpoint %s is damaged: delete it to start over", path)
	}
	return cp, true, nil
}

// SaveCheckpoint writes cp to path atomically: a temporary file beside it,
// synced, then renamed over it, and the directory synced, so that a crash
// leaves the old checkpoint or the new one, never a torn one.
func SaveCheckpoint(path string, cp Checkpoint) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync checkpoint: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replace checkpoint: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
