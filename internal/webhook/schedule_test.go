package webhook

import (
	"strings"
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		in      string
		want    string // String() of the result; "" with wantErr
		wantErr string
	}{
		{"5s,5m,30m,2h,5h,10h,10h", "5s,5m0s,30m0s,2h0m0s,5h0m0s,10h0m0s,10h0m0s", ""},
		{" 100ms , 200ms,400ms,800ms ", "100ms,200ms,400ms,800ms", ""},
		{"1s", "1s", ""},
		{"", "", "empty"},
		{"5s,,5m", "", "delay 2"},
		{"5s,soon", "", `delay 2 ("soon")`},
		{"0s", "", "above 0"},
		{"-5s", "", "above 0"},
		{"169h", "", "at most 168h"},
		{strings.Repeat("1s,", 50) + "1s", "", "51 delays, at most 50"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSchedule(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseSchedule(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSchedule(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Fatalf("ParseSchedule(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestDefaultScheduleIsAboutADay(t *testing.T) {
	want := 27*time.Hour + 35*time.Minute + 5*time.Second
	if got := DefaultSchedule.Total(); got != want {
		t.Fatalf("DefaultSchedule.Total() = %s, want %s", got, want)
	}
	if len(DefaultSchedule) != 7 {
		t.Fatalf("DefaultSchedule has %d delays, want 7 (8 attempts)", len(DefaultSchedule))
	}
}

func TestScheduleDelay(t *testing.T) {
	s := Schedule{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}
	fixed := func(v float64) func() float64 { return func() float64 { return v } }
	tests := []struct {
		name     string
		attempts int
		rnd      float64
		want     time.Duration
		wantOK   bool
	}{
		{"after the first attempt, lowest jitter", 1, 0, 80 * time.Millisecond, true},
		{"after the first attempt, middle", 1, 0.5, 100 * time.Millisecond, true},
		{"after the second, highest jitter", 2, 0.999999, 239999920 * time.Nanosecond, true},
		{"after the fourth, middle", 4, 0.5, 800 * time.Millisecond, true},
		{"after the fifth: give up", 5, 0.5, 0, false},
		{"no attempt yet", 0, 0.5, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.Delay(tt.attempts, fixed(tt.rnd))
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("Delay(%d) = %s, %v; want %s, %v", tt.attempts, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestScheduleJitterBounds: with the real random source every delay stays
// within ±Jitter of the configured one, and a doubling schedule keeps
// growing whatever the draw.
func TestScheduleJitterBounds(t *testing.T) {
	s := Schedule{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}
	for range 1000 {
		prev := time.Duration(0)
		for i := 1; i <= len(s); i++ {
			d, ok := s.Delay(i, nil)
			lo := time.Duration(float64(s[i-1]) * (1 - Jitter))
			hi := time.Duration(float64(s[i-1]) * (1 + Jitter))
			if !ok || d < lo || d >= hi {
				t.Fatalf("Delay(%d) = %s, %v; want in [%s, %s)", i, d, ok, lo, hi)
			}
			if d <= prev {
				t.Fatalf("Delay(%d) = %s, not above the previous %s", i, d, prev)
			}
			prev = d
		}
	}
}
