package phi

import (
	"math"
	"testing"
)

// TestPhiOfReference checks phiOf = -log10(P(Z > y)) against values
// computed independently with 40-digit arithmetic (mpmath:
// -log10(erfc(y/√2)/2)).
func TestPhiOfReference(t *testing.T) {
	tests := []struct {
		y, want float64
	}{
		{-2, 0.0099943795341087089},
		{-1, 0.075026012957818023},
		{0, 0.3010299956639812},
		{0.5, 0.51069198926524077},
		{1, 0.7995455414919705},
		{2, 1.643016080140937},
		{3, 2.8696990359293691},
		{4, 4.4993349075564789},
		{5, 6.5426456723906545},
		{5.612001244174789, 8}, // the default threshold
		{6, 9.0058643274767042},
		{8, 15.206142551017155},
		{10, 23.118053405486076},
		{20, 88.560095343075592},
		{29.9, 196.00705043724337},
		{30, 197.30920926166095}, // first point of the asymptotic branch
		{30.1, 198.61570623725257},
		{40, 349.43700645934584}, // math.Erfc has underflowed here
		{100, 2173.8715428690344},
		{1000, 217150.64004199439},
	}
	for _, tt := range tests {
		got := phiOf(tt.y)
		if math.Abs(got-tt.want) > 1e-9*max(1, tt.want) {
			t.Errorf("phiOf(%v) = %.17g, want %.17g", tt.y, got, tt.want)
		}
	}
}

// TestPhiOfContinuousAtSwitch checks that the two branches meet where
// phiOf switches from math.Erfc to the asymptotic series.
func TestPhiOfContinuousAtSwitch(t *testing.T) {
	y := float64(asymptoticFrom)
	viaErfc := -math.Log10(0.5 * math.Erfc(y/math.Sqrt2))
	viaSeries := phiOf(y)
	if math.Abs(viaErfc-viaSeries) > 1e-10*viaErfc {
		t.Fatalf("at y = %v: erfc branch %.17g, series branch %.17g", y, viaErfc, viaSeries)
	}
	below := phiOf(math.Nextafter(y, 0))
	if below > viaSeries || viaSeries-below > 1e-9 {
		t.Fatalf("jump at the switch: phiOf(y-) = %.17g, phiOf(y) = %.17g", below, viaSeries)
	}
}

// TestPhiOfMonotoneAndFinite sweeps y from far below the mean to the
// largest lateness a time.Duration allows over a 1 ns deviation.
func TestPhiOfMonotoneAndFinite(t *testing.T) {
	prev := -1.0
	for y := -40.0; y < 1e19; {
		p := phiOf(y)
		if math.IsNaN(p) || math.IsInf(p, 0) || p < 0 {
			t.Fatalf("phiOf(%v) = %v", y, p)
		}
		if p < prev {
			t.Fatalf("phiOf not increasing at y = %v: %v after %v", y, p, prev)
		}
		prev = p
		if math.Abs(y) < 50 {
			y += 0.01
		} else {
			y *= 1.5
		}
	}
}
