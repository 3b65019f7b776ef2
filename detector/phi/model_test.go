package phi_test

import (
	"math"
	"testing"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector/phi"
)

// akkaPhi is the logistic approximation of the normal tail that Akka's
// detector uses, phi = -log10(1/(1+e^z)) with z = y(1.5976 + 0.070566y²),
// written here only to compare it with this package's exact tail.
func akkaPhi(y float64) float64 {
	z := y * (1.5976 + 0.070566*y*y)
	return (max(z, 0) + math.Log1p(math.Exp(-math.Abs(z)))) / math.Ln10
}

// solveY returns the y at which the increasing function f reaches target.
func solveY(f func(float64) float64, target float64) float64 {
	lo, hi := -10.0, 100.0
	for range 200 {
		mid := (lo + hi) / 2
		if f(mid) > target {
			hi = mid
		} else {
			lo = mid
		}
	}
	return lo
}

// TestModelComparison recomputes the table in the package documentation:
// for a mean inter-arrival time of 1 s and several deviations, the silence
// after which each model's phi exceeds 8. This package's columns come from
// a real Detector whose window holds 1 s ± σ alternately.
func TestModelComparison(t *testing.T) {
	const threshold = 8
	rows := []struct {
		sigma time.Duration
		// Documented silences in milliseconds: this package without and
		// with the default 3 s pause, Akka's logistic model with 3 s,
		// Cassandra's exponential model, chitchat's ratio.
		doc [5]float64
	}{
		{50 * time.Millisecond, [5]float64{1281, 4281, 4261, 18421, 8000}},
		{100 * time.Millisecond, [5]float64{1561, 4561, 4523, 18421, 8000}},
		{200 * time.Millisecond, [5]float64{2122, 5122, 5045, 18421, 8000}},
		{500 * time.Millisecond, [5]float64{3806, 6806, 6613, 18421, 8000}},
	}
	for _, row := range rows {
		var got [5]float64
		for i, pause := range []time.Duration{time.Nanosecond, 3 * time.Second} {
			d := mustNew(t, phi.Config{AcceptablePause: pause, MinStdDev: time.Microsecond, MaxInterval: time.Minute})
			gaps := make([]float64, phi.DefaultWindowSize)
			for j := range gaps {
				gaps[j] = 1 + float64(2*(j%2)-1)*row.sigma.Seconds()
			}
			last := feed(d, "a", gaps...)
			got[i] = float64(firstSuspected(d, "a", last)) / 1e6
		}
		got[2] = 1000 * (1 + 3 + solveY(akkaPhi, threshold)*row.sigma.Seconds())
		got[3] = 1000 * threshold * math.Ln10 // phi = Δt / (mean · ln 10)
		got[4] = 1000 * threshold             // phi = Δt / mean
		t.Logf("σ %v: phi > 8 after %.0f ms (P=0), %.0f ms (P=3s), Akka %.0f ms, Cassandra %.0f ms, chitchat %.0f ms",
			row.sigma, got[0], got[1], got[2], got[3], got[4])
		for i := range got {
			if math.Abs(got[i]-row.doc[i]) > 1 {
				t.Errorf("σ %v column %d: %.1f ms, documented %.0f ms", row.sigma, i, got[i], row.doc[i])
			}
		}
	}
}
