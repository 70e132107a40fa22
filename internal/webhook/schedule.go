package webhook

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Schedule is the list of delays between attempts: after the first attempt
// fails the delivery waits Schedule[0], after the second Schedule[1], and so
// on; when the attempt after the last delay fails too, the dispatcher gives
// up. A delivery is thus tried len(Schedule)+1 times.
type Schedule []time.Duration

// DefaultSchedule is Svix's: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h,
// about 27.5 hours from the first attempt to the last (8 attempts).
var DefaultSchedule = Schedule{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour,
}

// Jitter is the relative spread applied to every delay: a delay d waits a
// uniformly random time in [d*(1-Jitter), d*(1+Jitter)). Many deliveries that
// failed together (an endpoint's outage) thus come back spread out instead
// of in one burst, while the configured schedule stays what an operator can
// count on (full jitter, uniform in [0, d), would make "5 min" mean "any
// time up to 5 min").
const Jitter = 0.2

// maxDelay bounds one delay of a configured schedule.
const maxDelay = 7 * 24 * time.Hour

// maxSteps bounds the number of delays of a configured schedule.
const maxSteps = 50

// ParseSchedule reads a comma-separated list of Go durations ("5s,5m,30m").
// Every delay must be positive and at most a week; there are 1 to 50.
func ParseSchedule(s string) (Schedule, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("webhook schedule is empty: give comma-separated delays such as 5s,5m,30m")
	}
	fields := strings.Split(s, ",")
	if len(fields) > maxSteps {
		return nil, fmt.Errorf("webhook schedule has %d delays, at most %d", len(fields), maxSteps)
	}
	out := make(Schedule, 0, len(fields))
	for i, f := range fields {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("webhook schedule delay %d (%q) is not a duration such as 5s or 2h", i+1, strings.TrimSpace(f))
		}
		if d <= 0 || d > maxDelay {
			return nil, fmt.Errorf("webhook schedule delay %d (%s) must be above 0 and at most %s", i+1, d, maxDelay)
		}
		out = append(out, d)
	}
	return out, nil
}

// String formats s as ParseSchedule reads it.
func (s Schedule) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

// Total is the time from the first attempt to the last one, without jitter.
func (s Schedule) Total() time.Duration {
	var t time.Duration
	for _, d := range s {
		t += d
	}
	return t
}

// Delay returns how long to wait after attempt number attempts (1 for the
// first) has failed, jittered with rnd (a uniform float in [0, 1); nil uses
// math/rand/v2), and false when the schedule is exhausted: give up.
func (s Schedule) Delay(attempts int, rnd func() float64) (time.Duration, bool) {
	if attempts < 1 || attempts > len(s) {
		return 0, false
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	d := s[attempts-1]
	factor := 1 - Jitter + 2*Jitter*rnd()
	return time.Duration(float64(d) * factor), true
}
