// Package detectortest is the conformance suite that every
// detector.Detector implementation runs in a one-line test:
//
//	func TestConformance(t *testing.T) {
//		detectortest.Run(t, func() detector.Detector { return mustNew(Config{}) }, time.Second)
//	}
//
// It also holds the heartbeat Pattern the detectors' own tests use to count
// false suspicions and measure detection times on the same traffic.
//
// Every test drives time explicitly from a fixed epoch; nothing reads the
// wall clock.
package detectortest

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector"
)

// Epoch is the arbitrary start of the suite's explicit timeline.
var Epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Silence is how many intervals without a heartbeat the suite requires a
// detector to suspect. It is generous on purpose (the defaults of
// detector/phi suspect after about 5): the suite checks behaviour, not
// tuning.
const Silence = 100

// Run checks the detector.Detector contract on detectors made by
// newDetector, one per subtest, for heartbeats expected every interval.
// The detector must suspect a node after Silence intervals of silence and
// must not suspect a node whose heartbeats arrive every interval ± 10%.
func Run(t *testing.T, newDetector func() detector.Detector, interval time.Duration) {
	t.Helper()
	if interval <= 0 {
		t.Fatalf("detectortest.Run: interval %v is not positive", interval)
	}
	s := suite{newDetector: newDetector, interval: interval}
	t.Run("UnknownNode", s.unknownNode)
	t.Run("SteadyNotSuspected", s.steadyNotSuspected)
	t.Run("SilenceSuspected", s.silenceSuspected)
	t.Run("LevelGrowsWithSilence", s.levelGrowsWithSilence)
	t.Run("Resume", s.resume)
	t.Run("Forget", s.forget)
	t.Run("IndependentNodes", s.independentNodes)
	t.Run("SameInstant", s.sameInstant)
	t.Run("TimeBeforeLastHeartbeat", s.timeBeforeLastHeartbeat)
	t.Run("HugeSilence", s.hugeSilence)
}

type suite struct {
	newDetector func() detector.Detector
	interval    time.Duration
}

// steady feeds id n heartbeats every interval ± 10% starting at start
// (the first one at start) and returns the time of the last one. Before
// each heartbeat, at its arrival time and half-way through the gap, it
// checks that id is not suspected.
func (s suite) steady(t *testing.T, d detector.Detector, rng *rand.Rand, id string, start time.Time, n int) time.Time {
	t.Helper()
	p := Pattern{Interval: s.interval, Jitter: s.interval / 10}
	now := start
	d.Heartbeat(id, now)
	for i := 1; i < n; i++ {
		gap := p.Gap(rng)
		if d.Suspect(id, now.Add(gap/2)) || d.Suspect(id, now.Add(gap)) {
			t.Fatalf("heartbeat %d: %s suspected %v after the last heartbeat of a steady stream (level %v)",
				i, id, gap, d.Level(id, now.Add(gap)))
		}
		now = now.Add(gap)
		d.Heartbeat(id, now)
	}
	return now
}

func (s suite) unknownNode(t *testing.T) {
	d := s.newDetector()
	for _, now := range []time.Time{Epoch, Epoch.Add(365 * 24 * time.Hour), {}} {
		if d.Suspect("nobody", now) {
			t.Errorf("Suspect(unknown, %v) = true, want false", now)
		}
		if l := d.Level("nobody", now); l != 0 {
			t.Errorf("Level(unknown, %v) = %v, want 0", now, l)
		}
	}
	d.Forget("nobody") // must not panic
	if d.Suspect("nobody", Epoch) {
		t.Error("Suspect after Forget of an unknown node = true")
	}
}

func (s suite) steadyNotSuspected(t *testing.T) {
	d := s.newDetector()
	rng := rand.New(rand.NewPCG(1, 2))
	last := s.steady(t, d, rng, "a", Epoch, 1000)
	if l := d.Level("a", last); !finiteNonNegative(l) {
		t.Errorf("Level at a heartbeat = %v, want finite and >= 0", l)
	}
}

func (s suite) silenceSuspected(t *testing.T) {
	d := s.newDetector()
	rng := rand.New(rand.NewPCG(3, 4))
	last := s.steady(t, d, rng, "a", Epoch, 200)
	at := last.Add(Silence * s.interval)
	if !d.Suspect("a", at) {
		t.Fatalf("not suspected after %d intervals of silence (level %v)", Silence, d.Level("a", at))
	}
	// A node heard from only once must be suspected too.
	d.Heartbeat("once", Epoch)
	if !d.Suspect("once", Epoch.Add(Silence*s.interval)) {
		t.Errorf("node heard once not suspected after %d intervals of silence (level %v)",
			Silence, d.Level("once", Epoch.Add(Silence*s.interval)))
	}
}

func (s suite) levelGrowsWithSilence(t *testing.T) {
	d := s.newDetector()
	rng := rand.New(rand.NewPCG(5, 6))
	last := s.steady(t, d, rng, "a", Epoch, 200)
	prevLevel, wasSuspected := -1.0, false
	for step := time.Duration(0); step <= Silence*s.interval; step += s.interval / 20 {
		now := last.Add(step)
		l, sus := d.Level("a", now), d.Suspect("a", now)
		if !finiteNonNegative(l) {
			t.Fatalf("Level after %v of silence = %v, want finite and >= 0", step, l)
		}
		if l < prevLevel {
			t.Fatalf("Level fell from %v to %v at %v of silence", prevLevel, l, step)
		}
		if wasSuspected && !sus {
			t.Fatalf("suspicion withdrawn at %v of silence without a heartbeat", step)
		}
		prevLevel, wasSuspected = l, sus
	}
	if !wasSuspected {
		t.Fatalf("not suspected after %d intervals of silence", Silence)
	}
}

func (s suite) resume(t *testing.T) {
	d := s.newDetector()
	rng := rand.New(rand.NewPCG(7, 8))
	last := s.steady(t, d, rng, "a", Epoch, 200)
	back := last.Add(Silence * s.interval)
	if !d.Suspect("a", back) {
		t.Fatalf("not suspected after %d intervals of silence", Silence)
	}
	// The first heartbeat after the outage clears the suspicion at once,
	// and the stream that follows is not suspected either.
	d.Heartbeat("a", back)
	if d.Suspect("a", back) {
		t.Fatalf("still suspected at the heartbeat that ended the silence (level %v)", d.Level("a", back))
	}
	s.steady(t, d, rng, "a", back.Add(s.interval), 200)
}

func (s suite) forget(t *testing.T) {
	d := s.newDetector()
	rng := rand.New(rand.NewPCG(9, 10))
	last := s.steady(t, d, rng, "a", Epoch, 50)
	late := last.Add(Silence * s.interval)
	if !d.Suspect("a", late) {
		t.Fatalf("not suspected after %d intervals of silence", Silence)
	}
	d.Forget("a")
	if d.Suspect("a", late) {
		t.Error("suspected after Forget")
	}
	if l := d.Level("a", late); l != 0 {
		t.Errorf("Level after Forget = %v, want 0", l)
	}
	// Heard from again, it starts afresh: a steady stream is not suspected.
	s.steady(t, d, rng, "a", late, 50)
}

func (s suite) independentNodes(t *testing.T) {
	d := s.newDetector()
	rng := rand.New(rand.NewPCG(11, 12))
	p := Pattern{Interval: s.interval, Jitter: s.interval / 10}
	// a and b heartbeat together for a while; then b falls silent while a
	// goes on.
	var bLast time.Time
	now := Epoch
	for range 100 {
		d.Heartbeat("a", now)
		d.Heartbeat("b", now)
		bLast, now = now, now.Add(p.Gap(rng))
	}
	end := bLast.Add(Silence * s.interval)
	for ; now.Before(end); now = now.Add(p.Gap(rng)) {
		if d.Suspect("a", now) {
			t.Fatalf("a suspected at %v while heartbeating", now.Sub(Epoch))
		}
		d.Heartbeat("a", now)
	}
	if !d.Suspect("b", end) {
		t.Fatalf("silent b not suspected after %d intervals", Silence)
	}
	if d.Suspect("a", now) {
		t.Fatal("a suspected because b fell silent")
	}
	aLevel := d.Level("a", now)
	d.Forget("b")
	if d.Suspect("a", now) || d.Level("a", now) != aLevel {
		t.Error("Forget(b) changed a's verdict or level")
	}
	if d.Level("b", end) != 0 {
		t.Error("Forget(b) left a level for b")
	}
}

func (s suite) sameInstant(t *testing.T) {
	d := s.newDetector()
	rng := rand.New(rand.NewPCG(13, 14))
	// Two heartbeats at the same instant (two digests in one tick of a
	// simulated clock) must not disturb a steady stream.
	d.Heartbeat("a", Epoch)
	d.Heartbeat("a", Epoch)
	if d.Suspect("a", Epoch) {
		t.Fatal("suspected at the instant of its heartbeat")
	}
	if l := d.Level("a", Epoch); !finiteNonNegative(l) {
		t.Fatalf("Level at the instant of its heartbeat = %v", l)
	}
	last := s.steady(t, d, rng, "a", Epoch.Add(s.interval), 100)
	d.Heartbeat("a", last)
	s.steady(t, d, rng, "a", last.Add(s.interval), 100)
}

func (s suite) timeBeforeLastHeartbeat(t *testing.T) {
	// The contract says time never goes backwards for one node. A detector
	// must still survive a caller that breaks it: no panic, no suspicion,
	// a finite level.
	d := s.newDetector()
	rng := rand.New(rand.NewPCG(15, 16))
	last := s.steady(t, d, rng, "a", Epoch, 50)
	before := last.Add(-10 * s.interval)
	if d.Suspect("a", before) {
		t.Error("suspected at a time before its last heartbeat")
	}
	if l := d.Level("a", before); !finiteNonNegative(l) {
		t.Errorf("Level before the last heartbeat = %v, want finite and >= 0", l)
	}
	d.Heartbeat("a", before)
	if d.Suspect("a", last) {
		t.Error("suspected at its last heartbeat after a heartbeat from the past")
	}
}

func (s suite) hugeSilence(t *testing.T) {
	d := s.newDetector()
	rng := rand.New(rand.NewPCG(17, 18))
	last := s.steady(t, d, rng, "a", Epoch, 50)
	// 500 years: now.Sub(last) saturates at the largest Duration.
	for _, now := range []time.Time{last.Add(1000 * time.Hour), last.AddDate(500, 0, 0)} {
		if !d.Suspect("a", now) {
			t.Errorf("not suspected after %v of silence", now.Sub(last))
		}
		if l := d.Level("a", now); !finiteNonNegative(l) {
			t.Errorf("Level after %v of silence = %v, want finite", now.Sub(last), l)
		}
	}
}

func finiteNonNegative(x float64) bool {
	return !math.IsNaN(x) && !math.IsInf(x, 0) && x >= 0
}
