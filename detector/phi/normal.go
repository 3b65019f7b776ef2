package phi

import "math"

// asymptoticFrom is the standardised lateness from which phiOf switches
// from math.Erfc to the asymptotic series. At y = 30 the series' first
// omitted term is below 1e-10 relative, and Erfc is still far from
// underflow (it underflows near y = 38).
const asymptoticFrom = 30

// lnSqrt2Pi is ln(√(2π)).
var lnSqrt2Pi = 0.5 * math.Log(2*math.Pi)

// phiOf returns -log10 Q(y), where Q(y) = P(Z > y) = erfc(y/√2)/2 is the
// upper tail of the standard normal distribution: the phi of a silence that
// is y standard deviations past the expected arrival. It is finite and
// increasing for every finite y.
//
//   - y < 0: Q is close to 1, so phi = -log1p(-Φ(y))/ln 10 with
//     Φ(y) = erfc(-y/√2)/2 keeps its precision.
//   - 0 <= y < 30: phi = -log10(erfc(y/√2)/2).
//   - y >= 30: erfc would underflow to 0 near y = 38 and phi become +Inf,
//     so the logarithm of the asymptotic expansion
//     Q(y) = e^(-y²/2) / (y√(2π)) · (1 - 1/y² + 3/y⁴ - 15/y⁶ + ...)
//     is used instead: phi = (y²/2 + ln y + ln√(2π) - ln(1 - 1/y² + 3/y⁴ - 15/y⁶)) / ln 10.
func phiOf(y float64) float64 {
	switch {
	case y < 0:
		return -math.Log1p(-0.5*math.Erfc(-y/math.Sqrt2)) / math.Ln10
	case y < asymptoticFrom:
		return -math.Log10(0.5 * math.Erfc(y/math.Sqrt2))
	default:
		r := 1 / (y * y)
		series := 1 - r + 3*r*r - 15*r*r*r
		return (0.5*y*y + math.Log(y) + lnSqrt2Pi - math.Log(series)) / math.Ln10
	}
}
