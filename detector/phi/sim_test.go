package phi_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector/detectortest"
	"github.com/scuttlebutt-go/scuttlebutt/detector/phi"
)

// lossy is the traffic of the long-run tests: heartbeats every second,
// ±200 ms of uniform jitter on every gap, 5% of them lost (one loss makes a
// 2 s gap, two in a row a 3 s gap, ...).
var lossy = detectortest.Pattern{Interval: time.Second, Jitter: 200 * time.Millisecond, Loss: 0.05}

// simThresholds are the thresholds the long-run tests compare.
var simThresholds = []float64{5, 8, 12}

// TestFalseSuspicionsLongRun feeds a never-failing node 10^5 heartbeats of
// the lossy pattern and counts the gaps at whose end the node was
// suspected. At the default threshold 8 there must be none.
func TestFalseSuspicionsLongRun(t *testing.T) {
	counts := falseSuspicions(t, phi.Config{})
	if counts[8] != 0 {
		t.Errorf("threshold 8: %d false suspicions, want 0", counts[8])
	}
}

// TestFalseSuspicionsNoPause is the same run without an acceptable pause,
// which shows what the pause buys: the model alone is fooled by the loss
// bursts that a normal distribution fitted to the gaps does not expect.
func TestFalseSuspicionsNoPause(t *testing.T) {
	counts := falseSuspicions(t, phi.Config{AcceptablePause: time.Nanosecond})
	if counts[12] == 0 {
		t.Errorf("threshold 12 without a pause: no false suspicions; the run no longer tells the settings apart")
	}
}

// falseSuspicions counts the false suspicions of 10^5 checks of the lossy
// pattern at each of simThresholds, with cfg otherwise, and checks that a
// lower threshold is never fooled less often.
func falseSuspicions(t *testing.T, cfg phi.Config) map[float64]int {
	t.Helper()
	const checks = 100_000
	counts := make(map[float64]int)
	for _, th := range simThresholds {
		cfg.Threshold = th
		d := mustNew(t, cfg)
		rng := rand.New(rand.NewPCG(2024, 1)) // same stream for every threshold
		counts[th] = detectortest.FalseSuspicions(d, "n", lossy, rng, checks)
		t.Logf("threshold %2v: %d false suspicions in %d checks", th, counts[th], checks)
	}
	if counts[5] < counts[8] || counts[8] < counts[12] {
		t.Errorf("false suspicions not monotone in the threshold: %v", counts)
	}
	return counts
}

// TestDetectionTime measures, over 1,000 seeded trials, the silence after
// the last heartbeat of the lossy pattern until Suspect turns true, and
// checks that a higher threshold never detects sooner.
func TestDetectionTime(t *testing.T) {
	detectionTimes(t, phi.Config{})
}

// TestDetectionTimeNoPause is TestDetectionTime without an acceptable
// pause: about 3 s sooner, at the price of the false suspicions counted by
// TestFalseSuspicionsNoPause.
func TestDetectionTimeNoPause(t *testing.T) {
	detectionTimes(t, phi.Config{AcceptablePause: time.Nanosecond})
}

// detectionTimes logs the median, best and worst detection time at each
// of simThresholds, with cfg otherwise, and checks that they grow with the
// threshold, trial by trial and in the median and worst case.
func detectionTimes(t *testing.T, cfg phi.Config) {
	t.Helper()
	const (
		trials     = 1000
		warmup     = 2 * phi.DefaultWindowSize // bootstrap samples long evicted
		limit      = time.Minute
		resolution = time.Millisecond
	)
	times := make([][]time.Duration, len(simThresholds))
	for trial := range trials {
		for i, th := range simThresholds {
			cfg.Threshold = th
			d := mustNew(t, cfg)
			rng := rand.New(rand.NewPCG(uint64(trial), 7)) // same history for every threshold
			dt, ok := detectortest.DetectionTime(d, "n", lossy, rng, warmup, limit, resolution)
			if !ok {
				t.Fatalf("trial %d, threshold %v: not suspected after %v", trial, th, limit)
			}
			if i > 0 && dt < times[i-1][trial] {
				t.Errorf("trial %d: threshold %v detects after %v, sooner than threshold %v (%v)",
					trial, th, dt, simThresholds[i-1], times[i-1][trial])
			}
			times[i] = append(times[i], dt)
		}
	}
	var prevMedian, prevWorst time.Duration
	for i, th := range simThresholds {
		slices.Sort(times[i])
		median, best, worst := times[i][trials/2], times[i][0], times[i][trials-1]
		t.Logf("threshold %2v: detection time median %v, best %v, worst %v",
			th, median.Round(time.Millisecond), best.Round(time.Millisecond), worst.Round(time.Millisecond))
		if median <= prevMedian || worst <= prevWorst {
			t.Errorf("threshold %v: median %v / worst %v not above the lower threshold's %v / %v",
				th, median, worst, prevMedian, prevWorst)
		}
		prevMedian, prevWorst = median, worst
	}
}
