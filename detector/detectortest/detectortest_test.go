package detectortest_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector"
	"github.com/scuttlebutt-go/scuttlebutt/detector/detectortest"
)

// timeout is a minimal reference detector: suspected after a fixed
// silence. It checks that the suite and the helpers agree with the
// simplest possible implementation.
type timeout struct {
	after time.Duration
	last  map[string]time.Time
}

func newTimeout(after time.Duration) *timeout {
	return &timeout{after: after, last: make(map[string]time.Time)}
}

func (d *timeout) Heartbeat(id string, now time.Time) {
	if last, ok := d.last[id]; !ok || now.After(last) {
		d.last[id] = now
	}
}

func (d *timeout) Level(id string, now time.Time) float64 {
	last, ok := d.last[id]
	if !ok || !now.After(last) {
		return 0
	}
	return now.Sub(last).Seconds()
}

func (d *timeout) Suspect(id string, now time.Time) bool {
	return d.Level(id, now) > d.after.Seconds()
}

func (d *timeout) Forget(id string) { delete(d.last, id) }

func TestRunOnReference(t *testing.T) {
	detectortest.Run(t, func() detector.Detector { return newTimeout(3 * time.Second) }, time.Second)
}

func TestPatternGap(t *testing.T) {
	p := detectortest.Pattern{Interval: time.Second, Jitter: 200 * time.Millisecond, Loss: 0.05}
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 100_000
	lost := 0
	for range n {
		g := p.Gap(rng)
		k := (g + p.Jitter) / p.Interval // heartbeats sent in this gap
		if k < 1 || g < k*p.Interval-p.Jitter || g > k*p.Interval+p.Jitter {
			t.Fatalf("gap %v is not a whole number of intervals ± %v", g, p.Jitter)
		}
		lost += int(k - 1)
	}
	// Losses are geometric: 0.05/0.95 per received heartbeat on average.
	if rate := float64(lost) / n; rate < 0.050 || rate > 0.055 {
		t.Errorf("%d losses per %d gaps (%.4f), want about 0.0526", lost, n, rate)
	}
	if g := (detectortest.Pattern{Interval: time.Second}).Gap(rng); g != time.Second {
		t.Errorf("no jitter, no loss: gap %v, want 1s", g)
	}
}

func TestFalseSuspicionsCountsLongGaps(t *testing.T) {
	p := detectortest.Pattern{Interval: time.Second, Jitter: 200 * time.Millisecond, Loss: 0.05}
	const n = 10_000
	rng := rand.New(rand.NewPCG(3, 4))
	want := 0
	for range n {
		if p.Gap(rng) > 2500*time.Millisecond {
			want++
		}
	}
	got := detectortest.FalseSuspicions(newTimeout(2500*time.Millisecond), "a", p, rand.New(rand.NewPCG(3, 4)), n)
	if got != want || got == 0 {
		t.Errorf("FalseSuspicions = %d, want %d (gaps over the timeout)", got, want)
	}
}

func TestDetectionTimeOfTimeout(t *testing.T) {
	p := detectortest.Pattern{Interval: time.Second, Jitter: 100 * time.Millisecond}
	rng := rand.New(rand.NewPCG(5, 6))
	dt, ok := detectortest.DetectionTime(newTimeout(3*time.Second), "a", p, rng, 20, time.Minute, time.Millisecond)
	if !ok || dt < 3*time.Second || dt > 3*time.Second+time.Millisecond {
		t.Errorf("DetectionTime = %v, %v; want 3s to within 1ms", dt, ok)
	}
	dt, ok = detectortest.DetectionTime(newTimeout(time.Hour), "a", p, rng, 20, time.Minute, time.Millisecond)
	if ok || dt != time.Minute {
		t.Errorf("DetectionTime past the limit = %v, %v; want 1m0s, false", dt, ok)
	}
}
