package interval_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector/detectortest"
	"github.com/scuttlebutt-go/scuttlebutt/detector/interval"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func TestLevelAndSuspect(t *testing.T) {
	d := mustNew(t, interval.Config{Interval: 2 * time.Second, K: 3})
	d.Heartbeat("a", t0)
	tests := []struct {
		silence time.Duration
		level   float64
		suspect bool
	}{
		{-time.Second, 0, false}, // before the heartbeat: no silence
		{0, 0, false},
		{time.Second, 0.5, false},
		{2 * time.Second, 1, false},
		{6 * time.Second, 3, false}, // exactly K intervals: not yet
		{6*time.Second + time.Nanosecond, 3.0000000005, true},
		{time.Minute, 30, true},
	}
	for _, tt := range tests {
		now := t0.Add(tt.silence)
		if got := d.Level("a", now); math.Abs(got-tt.level) > 1e-12 {
			t.Errorf("Level after %v = %v, want %v", tt.silence, got, tt.level)
		}
		if got := d.Suspect("a", now); got != tt.suspect {
			t.Errorf("Suspect after %v = %v, want %v", tt.silence, got, tt.suspect)
		}
	}
}

func TestHeartbeatResetsSilence(t *testing.T) {
	d := mustNew(t, interval.Config{})
	d.Heartbeat("a", t0)
	d.Heartbeat("a", t0.Add(4*time.Second))
	if got := d.Level("a", t0.Add(6*time.Second)); got != 2 {
		t.Errorf("Level 2 s after the second heartbeat = %v, want 2", got)
	}
	d.Heartbeat("a", t0) // from the past: ignored
	if got := d.Level("a", t0.Add(6*time.Second)); got != 2 {
		t.Errorf("a heartbeat from the past changed Level to %v", got)
	}
}

func TestDefaults(t *testing.T) {
	d := mustNew(t, interval.Config{})
	d.Heartbeat("a", t0)
	at := t0.Add(interval.DefaultK * interval.DefaultInterval)
	if d.Suspect("a", at) || !d.Suspect("a", at.Add(time.Nanosecond)) {
		t.Errorf("default detector does not suspect exactly after %v", at.Sub(t0))
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		field string
		cfg   interval.Config
	}{
		{"Interval", interval.Config{Interval: -time.Second}},
		{"K", interval.Config{K: -1}},
		{"K", interval.Config{K: 0.5}},
		{"K", interval.Config{K: math.NaN()}},
		{"K", interval.Config{K: math.Inf(1)}},
	}
	for _, tt := range tests {
		d, err := interval.New(tt.cfg)
		if d != nil || !errors.Is(err, interval.ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, %v; want nil and ErrInvalidConfig", tt.cfg, d, err)
			continue
		}
		var ce *interval.ConfigError
		if !errors.As(err, &ce) || ce.Field != tt.field {
			t.Errorf("New(%+v): error %v does not name field %s", tt.cfg, err, tt.field)
		}
	}
	if _, err := interval.New(interval.Config{Interval: time.Nanosecond, K: 1}); err != nil {
		t.Errorf("smallest valid config refused: %v", err)
	}
}

// TestFalseSuspicionsLongRun runs the traffic of phi's long-run test (1 s
// ± 200 ms, 5% loss, 10^5 checks) through the interval detector. The
// default K must not be fooled; K = 3 is, by two losses in a row.
func TestFalseSuspicionsLongRun(t *testing.T) {
	lossy := detectortest.Pattern{Interval: time.Second, Jitter: 200 * time.Millisecond, Loss: 0.05}
	const checks = 100_000
	counts := make(map[float64]int)
	for _, k := range []float64{3, 4, interval.DefaultK} {
		d := mustNew(t, interval.Config{K: k})
		counts[k] = detectortest.FalseSuspicions(d, "n", lossy, rand.New(rand.NewPCG(2024, 1)), checks)
		t.Logf("K %v: %d false suspicions in %d checks", k, counts[k], checks)
	}
	if counts[interval.DefaultK] != 0 {
		t.Errorf("default K: %d false suspicions, want 0", counts[interval.DefaultK])
	}
	if counts[3] == 0 || counts[3] < counts[4] {
		t.Errorf("K 3 should be fooled, more often than K 4: %v", counts)
	}
}
