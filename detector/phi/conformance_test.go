package phi_test

import (
	"testing"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector"
	"github.com/scuttlebutt-go/scuttlebutt/detector/detectortest"
	"github.com/scuttlebutt-go/scuttlebutt/detector/phi"
)

// mustNew returns a Detector for cfg or fails the test.
func mustNew(tb testing.TB, cfg phi.Config) *phi.Detector {
	tb.Helper()
	d, err := phi.New(cfg)
	if err != nil {
		tb.Fatalf("New(%+v): %v", cfg, err)
	}
	return d
}

func TestConformance(t *testing.T) {
	detectortest.Run(t, func() detector.Detector { return mustNew(t, phi.Config{}) }, time.Second)
}

func TestConformanceNoPause(t *testing.T) {
	// No acceptable pause, a short window and a 100 ms interval: the
	// strictest settings must still pass the suite.
	cfg := phi.Config{Interval: 100 * time.Millisecond, WindowSize: 10, AcceptablePause: time.Nanosecond}
	detectortest.Run(t, func() detector.Detector { return mustNew(t, cfg) }, cfg.Interval)
}
