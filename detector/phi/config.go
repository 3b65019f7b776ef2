package phi

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Defaults applied by New to zero Config fields. The durations scale with
// Config.Interval; the values given are for the default 1 s interval.
const (
	// DefaultThreshold is the phi above which a node is suspected: the
	// model's probability that the heartbeat is merely late is below
	// 10^-8.
	DefaultThreshold = 8
	// DefaultInterval is the default expected time between heartbeats.
	DefaultInterval = time.Second
	// DefaultWindowSize is the default number of inter-arrival times kept
	// per node: at 1 s heartbeats, the last 100 s.
	DefaultWindowSize = 100
	// MaxWindowSize bounds Config.WindowSize, and so the memory per node
	// (8 bytes per sample).
	MaxWindowSize = 1 << 16
	// MaxLevel caps Level. phi = 1000 stands for a probability of 10^-1000,
	// far beyond any useful threshold; the cap keeps Level finite however
	// long the silence.
	MaxLevel = 1000
)

// Ratios of the default durations to Config.Interval.
const (
	defaultMinStdDevDivisor = 10 // MinStdDev = Interval / 10
	defaultPauseFactor      = 3  // AcceptablePause = 3 * Interval
	defaultMaxIntervalRatio = 10 // MaxInterval = 10 * Interval
)

// ErrInvalidConfig is wrapped by every error New returns for a bad Config.
// Test for it with errors.Is; errors.As with *ConfigError gives the field.
var ErrInvalidConfig = errors.New("phi: invalid config")

// ConfigError reports one invalid Config field. It unwraps to
// ErrInvalidConfig.
type ConfigError struct {
	// Field is the name of the offending Config field, e.g. "Threshold".
	Field string
	// Reason says what is wrong with its value.
	Reason string
}

// Error implements error.
func (e *ConfigError) Error() string {
	return "phi: invalid config: " + e.Field + ": " + e.Reason
}

// Unwrap returns ErrInvalidConfig.
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }

// Config configures a Detector. Zero fields take defaults; negative or
// otherwise impossible values are refused by New.
type Config struct {
	// Threshold is the phi above which Suspect reports a node. Default 8;
	// must be finite, positive and at most MaxLevel.
	Threshold float64

	// Interval is the expected time between two heartbeats of a node (the
	// monitor's heartbeat interval: one PONG per PING). It is the bootstrap estimate used until real
	// samples arrive, and the scale of the duration defaults below.
	// Default 1 s.
	Interval time.Duration

	// WindowSize is the number of most recent inter-arrival times kept per
	// node. Default 100; must be in [2, MaxWindowSize].
	WindowSize int

	// MinStdDev is the smallest standard deviation the model uses. When
	// heartbeats arrive like clockwork (a simulated clock) the measured
	// deviation tends to zero and phi would leap from 0 to its cap within
	// a few milliseconds of lateness. Default Interval/10.
	MinStdDev time.Duration

	// AcceptablePause is added to the mean inter-arrival time: a silence
	// this much longer than usual (a GC pause, a few lost gossip rounds)
	// costs no suspicion. Default 3·Interval. Zero takes the default; for
	// (nearly) no pause use a tiny value such as time.Nanosecond.
	AcceptablePause time.Duration

	// MaxInterval is the longest inter-arrival time added to the window.
	// A longer gap is an outage, not a sample of the network's behaviour:
	// recording it would inflate the deviation and slow the detection of
	// the next failure for a whole window. Default 10·Interval; must be at
	// least Interval.
	MaxInterval time.Duration

	// WarmUp is how long the two bootstrap samples a node's first
	// heartbeat seeds (see Heartbeat) stay in its window: once WarmUp real
	// samples have arrived, they leave it, and the model is fitted to the
	// real samples alone. The bootstrap is deliberately wide (a deviation
	// of Interval/4); kept for a whole window, it slows the detection of a
	// node's first failure long after its real arrivals are known. Zero,
	// the default, keeps them until evicted like any sample, after
	// WindowSize−2 real ones; must be in [0, WindowSize].
	WarmUp int
}

// withDefaults returns c with every zero field replaced by its default.
func (c Config) withDefaults() Config {
	if c.Threshold == 0 {
		c.Threshold = DefaultThreshold
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.WindowSize == 0 {
		c.WindowSize = DefaultWindowSize
	}
	if c.Interval > 0 { // a bad Interval is reported by validate
		if c.MinStdDev == 0 {
			c.MinStdDev = max(c.Interval/defaultMinStdDevDivisor, 1)
		}
		if c.AcceptablePause == 0 {
			c.AcceptablePause = scale(c.Interval, defaultPauseFactor)
		}
		if c.MaxInterval == 0 {
			c.MaxInterval = scale(c.Interval, defaultMaxIntervalRatio)
		}
	}
	return c
}

// scale returns k·d for a positive d, saturating at the largest Duration.
func scale(d time.Duration, k int64) time.Duration {
	if d > math.MaxInt64/time.Duration(k) {
		return math.MaxInt64
	}
	return d * time.Duration(k)
}

// validate checks a Config that already has its defaults, field by field
// in declaration order.
func (c Config) validate() error {
	bad := func(field, format string, args ...any) error {
		return &ConfigError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case math.IsNaN(c.Threshold) || c.Threshold <= 0 || c.Threshold > MaxLevel:
		return bad("Threshold", "%v is not in (0, %v]", c.Threshold, float64(MaxLevel))
	case c.Interval <= 0:
		return bad("Interval", "%v is not positive", c.Interval)
	case c.WindowSize < 2 || c.WindowSize > MaxWindowSize:
		return bad("WindowSize", "%d is not in [2, %d]", c.WindowSize, MaxWindowSize)
	case c.MinStdDev <= 0:
		return bad("MinStdDev", "%v is not positive", c.MinStdDev)
	case c.AcceptablePause < 0:
		return bad("AcceptablePause", "%v is negative", c.AcceptablePause)
	case c.MaxInterval < c.Interval:
		return bad("MaxInterval", "%v is shorter than Interval (%v)", c.MaxInterval, c.Interval)
	case c.WarmUp < 0 || c.WarmUp > c.WindowSize:
		return bad("WarmUp", "%d is not in [0, WindowSize=%d]", c.WarmUp, c.WindowSize)
	}
	return nil
}
