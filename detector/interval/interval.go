// Package interval is the simplest failure detector: a node is suspected once
// more than K heartbeat intervals have passed without a new heartbeat.
//
// Its suspicion level is the silence measured in intervals,
//
//	Level = (now - last heartbeat) / Interval
//
// and a node is suspected when Level > K. Unlike detector/phi it does not
// learn from the observed arrival times, so it needs no warm-up and its
// detection time is exactly K·Interval, whatever the network does: easy to
// reason about, but a fixed K must be chosen for the worst jitter and loss
// the network shows.
//
// A Detector is not safe for concurrent use (see detector.Detector).
package interval

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector"
)

// Defaults applied by New to zero Config fields.
const (
	// DefaultInterval is the default expected time between heartbeats, the
	// monitor's heartbeat interval.
	DefaultInterval = time.Second
	// DefaultK is the default number of silent intervals before suspicion.
	// It detects a failure after 5 s at 1 s heartbeats, about as fast as
	// detector/phi's defaults (4.6 to 6.4 s). With heartbeats at 1 s ± 200
	// ms of which 5% are lost, K = 3 is fooled by two losses in a row
	// (about one gap in 750: 143 false suspicions in 10^5), K = 4 by three
	// (10 in 10^5), K = 5 only by four (none in 10^5); see
	// TestFalseSuspicionsLongRun.
	DefaultK = 5
)

// ErrInvalidConfig is wrapped by every error New returns for a bad Config.
// Test for it with errors.Is; errors.As with *ConfigError gives the field.
var ErrInvalidConfig = errors.New("interval: invalid config")

// ConfigError reports one invalid Config field. It unwraps to
// ErrInvalidConfig.
type ConfigError struct {
	// Field is the name of the offending Config field, e.g. "K".
	Field string
	// Reason says what is wrong with its value.
	Reason string
}

// Error implements error.
func (e *ConfigError) Error() string {
	return "interval: invalid config: " + e.Field + ": " + e.Reason
}

// Unwrap returns ErrInvalidConfig.
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }

// Config configures a Detector. Zero fields take the defaults above.
type Config struct {
	// Interval is the expected time between two heartbeats of a node,
	// normally the monitor's heartbeat interval. Must not be negative.
	Interval time.Duration
	// K is how many Intervals of silence are tolerated: a node is
	// suspected once Level exceeds K. Must be finite and at least 1 (a
	// smaller K would suspect nodes that heartbeat on schedule).
	K float64
}

// withDefaults returns c with every zero field replaced by its default.
func (c Config) withDefaults() Config {
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.K == 0 {
		c.K = DefaultK
	}
	return c
}

// validate checks a Config that already has its defaults.
func (c Config) validate() error {
	if c.Interval <= 0 {
		return &ConfigError{Field: "Interval", Reason: fmt.Sprintf("%v is not positive", c.Interval)}
	}
	if math.IsNaN(c.K) || math.IsInf(c.K, 0) || c.K < 1 {
		return &ConfigError{Field: "K", Reason: fmt.Sprintf("%v is not a finite number >= 1", c.K)}
	}
	return nil
}

// Detector suspects a node after K intervals without a heartbeat. It holds
// one timestamp per node heard from; Forget frees it.
type Detector struct {
	interval float64 // Config.Interval in nanoseconds
	k        float64
	last     map[string]time.Time
}

var _ detector.Detector = (*Detector)(nil)

// New returns a Detector for cfg after filling in defaults. A bad field
// gives an error wrapping ErrInvalidConfig that names the field.
func New(cfg Config) (*Detector, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Detector{
		interval: float64(cfg.Interval),
		k:        cfg.K,
		last:     make(map[string]time.Time),
	}, nil
}

// Heartbeat records a heartbeat of id at now. A time before the last
// recorded heartbeat (which the contract rules out) is ignored.
func (d *Detector) Heartbeat(id string, now time.Time) {
	if last, ok := d.last[id]; ok && now.Before(last) {
		return
	}
	d.last[id] = now
}

// Level returns the silence of id at now in intervals: zero for a node
// never heard from or for a time not after its last heartbeat. It is always
// finite.
func (d *Detector) Level(id string, now time.Time) float64 {
	last, ok := d.last[id]
	if !ok {
		return 0
	}
	elapsed := now.Sub(last) // saturates instead of overflowing
	if elapsed <= 0 {
		return 0
	}
	return float64(elapsed) / d.interval
}

// Suspect reports whether Level(id, now) exceeds K.
func (d *Detector) Suspect(id string, now time.Time) bool {
	return d.Level(id, now) > d.k
}

// Forget drops the timestamp kept for id.
func (d *Detector) Forget(id string) {
	delete(d.last, id)
}
