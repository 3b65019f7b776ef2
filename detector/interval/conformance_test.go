package interval_test

import (
	"testing"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector"
	"github.com/scuttlebutt-go/scuttlebutt/detector/detectortest"
	"github.com/scuttlebutt-go/scuttlebutt/detector/interval"
)

// mustNew returns a Detector for cfg or fails the test.
func mustNew(tb testing.TB, cfg interval.Config) *interval.Detector {
	tb.Helper()
	d, err := interval.New(cfg)
	if err != nil {
		tb.Fatalf("New(%+v): %v", cfg, err)
	}
	return d
}

func TestConformance(t *testing.T) {
	detectortest.Run(t, func() detector.Detector { return mustNew(t, interval.Config{}) }, time.Second)
}

func TestConformanceTight(t *testing.T) {
	cfg := interval.Config{Interval: 10 * time.Millisecond, K: 1.5}
	detectortest.Run(t, func() detector.Detector { return mustNew(t, cfg) }, cfg.Interval)
}
