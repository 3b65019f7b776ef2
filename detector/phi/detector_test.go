package phi_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector/phi"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Reference values of -log10 P(Z > y) for a standard normal Z, computed
// with 40-digit arithmetic (mpmath).
var phiAt = map[float64]float64{
	-1: 0.075026012957818023,
	0:  0.3010299956639812,
	1:  0.7995455414919705,
	2:  1.643016080140937,
	3:  2.8696990359293691,
	5:  6.5426456723906545,
	10: 23.118053405486076,
}

// seconds converts a float number of seconds to a Duration.
func seconds(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }

// feed records a heartbeat at t0 and then one after each of gaps (in
// seconds); it returns the time of the last.
func feed(d *phi.Detector, id string, gaps ...float64) time.Time {
	now := t0
	d.Heartbeat(id, now)
	for _, g := range gaps {
		now = now.Add(seconds(g))
		d.Heartbeat(id, now)
	}
	return now
}

// checkCurve checks Level(id, last + mean + y·stdDev) against phiAt[y] for
// every tabulated y: the detector's model is the normal distribution with
// that mean and deviation (the acceptable pause must be folded into mean).
func checkCurve(t *testing.T, d *phi.Detector, id string, last time.Time, mean, stdDev float64) {
	t.Helper()
	for y, want := range phiAt {
		at := last.Add(seconds(mean + y*stdDev))
		if got := d.Level(id, at); math.Abs(got-want) > 1e-6*max(1, want) {
			t.Errorf("Level at mean%+v·σ (mean %vs, σ %vs) = %.9g, want %.9g", y, mean, stdDev, got, want)
		}
	}
}

// exact is a Config without the pause and with a floor far below the
// deviations used, so that Level shows the fitted model alone.
func exact(windowSize int) phi.Config {
	return phi.Config{WindowSize: windowSize, AcceptablePause: time.Nanosecond, MinStdDev: time.Microsecond}
}

func TestHandComputedWindow(t *testing.T) {
	// Window of 4: the two bootstrap samples are evicted by the gaps 0.8,
	// 1.2, 1.0, 1.0, whose mean is 1.0 and whose (population) deviation is
	// √((0.04+0.04+0+0)/4) = √0.02.
	d := mustNew(t, exact(4))
	last := feed(d, "a", 0.8, 1.2, 1.0, 1.0)
	checkCurve(t, d, "a", last, 1.0, math.Sqrt(0.02))
}

func TestBootstrap(t *testing.T) {
	// After the first heartbeat the window holds Interval ± Interval/4:
	// mean 2 s, deviation 0.5 s.
	cfg := exact(100)
	cfg.Interval = 2 * time.Second
	d := mustNew(t, cfg)
	d.Heartbeat("a", t0)
	checkCurve(t, d, "a", t0, 2.0, 0.5)

	// One real gap of 2 s joins the seeds 1.5 and 2.5: mean 2, deviation
	// √((0.25+0.25+0)/3).
	last := t0.Add(2 * time.Second)
	d.Heartbeat("a", last)
	checkCurve(t, d, "a", last, 2.0, math.Sqrt(0.5/3))
}

func TestBootstrapDefaults(t *testing.T) {
	// With the defaults, a node heard once is suspected after 1 s + 3 s +
	// 5.612·0.25 s = 5.403 s of silence.
	d := mustNew(t, phi.Config{})
	d.Heartbeat("a", t0)
	if d.Suspect("a", t0.Add(5400*time.Millisecond)) {
		t.Error("suspected after 5.400 s")
	}
	if !d.Suspect("a", t0.Add(5406*time.Millisecond)) {
		t.Error("not suspected after 5.406 s")
	}
}

func TestWarmUp(t *testing.T) {
	// WarmUp 3: after two real gaps the seeds 0.75 and 1.25 still count
	// (mean 1.0, σ √((0.0625·2 + 0.01·2)/4)); the third real gap drops
	// them, leaving 0.9, 1.1, 1.0 (σ √(0.02/3)).
	cfg := exact(100)
	cfg.WarmUp = 3
	d := mustNew(t, cfg)
	last := feed(d, "a", 0.9, 1.1)
	checkCurve(t, d, "a", last, 1.0, math.Sqrt((0.0625*2+0.01*2)/4))
	last = last.Add(seconds(1.0))
	d.Heartbeat("a", last)
	checkCurve(t, d, "a", last, 1.0, math.Sqrt(0.02/3))

	// With a window that has wrapped over the seeds already (window 3,
	// WarmUp 3), nothing is left to drop: the window holds the last three
	// real gaps either way.
	cfg = exact(3)
	cfg.WarmUp = 3
	d = mustNew(t, cfg)
	last = feed(d, "a", 0.8, 1.2, 1.0)
	checkCurve(t, d, "a", last, 1.0, math.Sqrt(0.08/3))

	// After Forget the node bootstraps again.
	d.Forget("a")
	d.Heartbeat("a", last)
	checkCurve(t, d, "a", last, 1.0, 0.25)
}

func TestWindowEviction(t *testing.T) {
	// Window of 2, bootstrap {0.75, 1.25}.
	d := mustNew(t, exact(2))
	last := feed(d, "a", 0.9) // {1.25, 0.9}: mean 1.075, σ 0.175
	checkCurve(t, d, "a", last, 1.075, 0.175)
	last = last.Add(seconds(1.1)) // {0.9, 1.1}: mean 1.0, σ 0.1
	d.Heartbeat("a", last)
	checkCurve(t, d, "a", last, 1.0, 0.1)
}

func TestMinStdDevClamp(t *testing.T) {
	for _, tt := range []struct {
		name      string
		minStdDev time.Duration
		gaps      []float64
		wantSigma float64
	}{
		{"clockwork clamped", 50 * time.Millisecond, []float64{1, 1}, 0.05},
		{"spread above floor", 50 * time.Millisecond, []float64{0.8, 1.2}, 0.2},
		{"spread below floor", 300 * time.Millisecond, []float64{0.8, 1.2}, 0.3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := mustNew(t, phi.Config{WindowSize: 2, AcceptablePause: time.Nanosecond, MinStdDev: tt.minStdDev})
			last := feed(d, "a", tt.gaps...)
			checkCurve(t, d, "a", last, 1.0, tt.wantSigma)
		})
	}
}

func TestAcceptablePauseShiftsCurve(t *testing.T) {
	gaps := []float64{0.9, 1.1, 1.0, 0.95, 1.05, 1.0, 1.2, 0.8}
	base := mustNew(t, phi.Config{AcceptablePause: time.Nanosecond})
	lastBase := feed(base, "a", gaps...)
	for _, pause := range []time.Duration{500 * time.Millisecond, 3 * time.Second, time.Minute} {
		d := mustNew(t, phi.Config{AcceptablePause: pause})
		last := feed(d, "a", gaps...)
		for _, silence := range []time.Duration{0, time.Second, 1500 * time.Millisecond, 2 * time.Second, 5 * time.Second} {
			want := base.Level("a", lastBase.Add(silence))
			got := d.Level("a", last.Add(silence+pause-time.Nanosecond))
			if math.Abs(got-want) > 1e-9*max(1, want) {
				t.Errorf("pause %v: Level after %v + pause = %v, want the pause-less %v", pause, silence, got, want)
			}
		}
		// The pause delays the verdict by its length.
		delay := firstSuspected(d, "a", last) - firstSuspected(base, "a", lastBase)
		if diff := delay - (pause - time.Nanosecond); diff < -time.Microsecond || diff > time.Microsecond {
			t.Errorf("pause %v delays suspicion by %v", pause, delay)
		}
	}
}

// firstSuspected returns the shortest silence after last at which d
// suspects id, to within a microsecond (searching up to an hour).
func firstSuspected(d *phi.Detector, id string, last time.Time) time.Duration {
	lo, hi := time.Duration(0), time.Hour
	for hi-lo > time.Microsecond {
		mid := lo + (hi-lo)/2
		if d.Suspect(id, last.Add(mid)) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

func TestThreshold(t *testing.T) {
	// Bootstrap only: mean 1 s, σ 0.25 s. Suspicion starts where phi
	// crosses the threshold: y = 1.2816 for 1, 5.6120 for 8, 7.0345 for 12.
	for _, tt := range []struct {
		threshold float64
		y         float64
	}{{1, 1.2816}, {8, 5.6120}, {12, 7.0345}} {
		d := mustNew(t, phi.Config{Threshold: tt.threshold, AcceptablePause: time.Nanosecond})
		d.Heartbeat("a", t0)
		at := t0.Add(seconds(1 + tt.y*0.25))
		if d.Suspect("a", at.Add(-time.Millisecond)) || !d.Suspect("a", at.Add(time.Millisecond)) {
			t.Errorf("threshold %v: suspicion does not start at %v", tt.threshold, at.Sub(t0))
		}
	}
}

func TestGapsNotSampled(t *testing.T) {
	gaps := []float64{0.9, 1.1, 1.0, 0.95, 1.05}
	ref := mustNew(t, phi.Config{MaxInterval: 5 * time.Second})
	refLast := feed(ref, "a", gaps...)

	for _, tt := range []struct {
		name string
		more func(d *phi.Detector, last time.Time) time.Time
	}{
		{"gap beyond MaxInterval", func(d *phi.Detector, last time.Time) time.Time {
			last = last.Add(5*time.Second + time.Nanosecond)
			d.Heartbeat("a", last)
			return last
		}},
		{"second heartbeat at the same instant", func(d *phi.Detector, last time.Time) time.Time {
			d.Heartbeat("a", last)
			return last
		}},
		{"heartbeat from the past", func(d *phi.Detector, last time.Time) time.Time {
			d.Heartbeat("a", last.Add(-time.Second))
			return last
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := mustNew(t, phi.Config{MaxInterval: 5 * time.Second})
			last := tt.more(d, feed(d, "a", gaps...))
			for _, silence := range []time.Duration{time.Second, 4 * time.Second, 4500 * time.Millisecond} {
				if got, want := d.Level("a", last.Add(silence)), ref.Level("a", refLast.Add(silence)); got != want {
					t.Errorf("Level after %v = %v, want %v as if the heartbeat had not been sampled", silence, got, want)
				}
			}
		})
	}

	// A gap of exactly MaxInterval is a sample: it widens the curve.
	d := mustNew(t, phi.Config{MaxInterval: 5 * time.Second})
	last := feed(d, "a", append(gaps, 5)...)
	if got, was := d.Level("a", last.Add(4500*time.Millisecond)), ref.Level("a", refLast.Add(4500*time.Millisecond)); got >= was {
		t.Errorf("a 5 s sample did not lower phi at 4.5 s: %v, was %v", got, was)
	}
}

func TestLevelBounded(t *testing.T) {
	d := mustNew(t, phi.Config{MinStdDev: time.Nanosecond, WindowSize: 2})
	last := feed(d, "a", 1, 1)
	for _, at := range []time.Time{last.Add(-time.Hour), last, last.Add(time.Hour), last.AddDate(1000, 0, 0)} {
		l := d.Level("a", at)
		if math.IsNaN(l) || l < 0 || l > phi.MaxLevel {
			t.Errorf("Level at %v = %v, want in [0, %v]", at.Sub(last), l, phi.MaxLevel)
		}
	}
	if l := d.Level("a", last.AddDate(1000, 0, 0)); l != phi.MaxLevel {
		t.Errorf("Level after 1000 years = %v, want the cap %v", l, phi.MaxLevel)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		field string
		cfg   phi.Config
	}{
		{"Threshold", phi.Config{Threshold: -1}},
		{"Threshold", phi.Config{Threshold: math.NaN()}},
		{"Threshold", phi.Config{Threshold: math.Inf(1)}},
		{"Threshold", phi.Config{Threshold: phi.MaxLevel + 1}},
		{"Interval", phi.Config{Interval: -time.Second}},
		{"WindowSize", phi.Config{WindowSize: -5}},
		{"WindowSize", phi.Config{WindowSize: 1}},
		{"WindowSize", phi.Config{WindowSize: phi.MaxWindowSize + 1}},
		{"MinStdDev", phi.Config{MinStdDev: -time.Millisecond}},
		{"AcceptablePause", phi.Config{AcceptablePause: -time.Second}},
		{"MaxInterval", phi.Config{MaxInterval: -time.Second}},
		{"MaxInterval", phi.Config{Interval: 2 * time.Second, MaxInterval: time.Second}},
		{"WarmUp", phi.Config{WarmUp: -1}},
		{"WarmUp", phi.Config{WindowSize: 10, WarmUp: 11}},
	}
	for _, tt := range tests {
		d, err := phi.New(tt.cfg)
		if d != nil || !errors.Is(err, phi.ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, %v; want nil and ErrInvalidConfig", tt.cfg, d, err)
			continue
		}
		var ce *phi.ConfigError
		if !errors.As(err, &ce) || ce.Field != tt.field {
			t.Errorf("New(%+v): error %v does not name field %s", tt.cfg, err, tt.field)
		}
	}
}

func TestConfigValidEdges(t *testing.T) {
	for _, cfg := range []phi.Config{
		{},
		{Threshold: phi.MaxLevel, WindowSize: 2},
		{WindowSize: phi.MaxWindowSize},
		{Interval: time.Nanosecond},            // MinStdDev default rounds up to 1 ns
		{Interval: 200 * 365 * 24 * time.Hour}, // scaled defaults saturate, not overflow
		{Interval: time.Second, MaxInterval: time.Second},
		{Threshold: 0.5, MinStdDev: time.Nanosecond, AcceptablePause: time.Nanosecond},
		{WindowSize: 10, WarmUp: 10},
	} {
		if _, err := phi.New(cfg); err != nil {
			t.Errorf("New(%+v): %v", cfg, err)
		}
	}
}
