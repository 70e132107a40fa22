package importer

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress reports an import as it goes.
type Progress interface {
	// Update reports the committed rows and how far into the input they go.
	Update(sum Summary, offset int64)
	// Finish reports the end.
	Finish(sum Summary)
}

// NewProgress reports to w: a progress bar (rows, rows/s, ETA) when w is a
// terminal, else a plain line every interval. total is the input's size in
// bytes, startOffset where this run began in it (after a resume), and
// startRows the rows committed before this run.
func NewProgress(w io.Writer, terminal bool, total, startOffset int64, startRows int, interval time.Duration) Progress {
	base := progressBase{start: time.Now(), total: total, startOffset: startOffset, startRows: startRows}
	if !terminal {
		return &plainProgress{progressBase: base, w: w, interval: interval}
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)
	_ = bar.Set64(startOffset)
	return &barProgress{progressBase: base, bar: bar, w: w}
}

type progressBase struct {
	start              time.Time
	total, startOffset int64
	startRows          int
}

// rate is rows per second in this run.
func (p progressBase) rate(sum Summary) float64 {
	s := time.Since(p.start).Seconds()
	if s <= 0 {
		return 0
	}
	return float64(sum.Rows()-p.startRows) / s
}

// eta estimates the time left from the bytes read so far in this run.
func (p progressBase) eta(offset int64) time.Duration {
	done := offset - p.startOffset
	if done <= 0 || p.total <= offset {
		return 0
	}
	per := time.Since(p.start) / time.Duration(done)
	return (per * time.Duration(p.total-offset)).Round(time.Second)
}

func (p progressBase) line(sum Summary) string {
	return fmt.Sprintf("%d rows (%d created, %d updated, %d unchanged, %d errors), %.0f rows/s",
		sum.Rows(), sum.Created, sum.Updated, sum.Unchanged, sum.Error, p.rate(sum))
}

type plainProgress struct {
	progressBase
	w        io.Writer
	interval time.Duration
	last     time.Time
}

func (p *plainProgress) Update(sum Summary, offset int64) {
	if time.Since(p.last) < p.interval {
		return
	}
	p.last = time.Now()
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(offset) / float64(p.total)
	}
	fmt.Fprintf(p.w, "import: %s, %.0f%% of the input, ETA %s\n", p.line(sum), pct, p.eta(offset))
}

func (p *plainProgress) Finish(sum Summary) {
	fmt.Fprintf(p.w, "import: done: %s in %s\n", p.line(sum), time.Since(p.start).Round(time.Millisecond))
}

type barProgress struct {
	progressBase
	bar *progressbar.ProgressBar
	w   io.Writer
}

func (p *barProgress) Update(sum Summary, offset int64) {
	p.bar.Describe(fmt.Sprintf("%d rows, %.0f rows/s", sum.Rows(), p.rate(sum)))
	_ = p.bar.Set64(offset)
}

func (p *barProgress) Finish(sum Summary) {
	_ = p.bar.Finish()
	fmt.Fprintf(p.w, "import: done: %s in %s\n", p.line(sum), time.Since(p.start).Round(time.Millisecond))
}
