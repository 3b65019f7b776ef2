// Package phi is a phi-accrual failure detector (Hayashibara, Défago,
// Yared, Katayama, "The φ Accrual Failure Detector", SRDS 2004).
//
// Instead of a yes/no timeout it outputs a suspicion level phi that grows
// with the silence since a node's last heartbeat, scaled by how regular that
// node's heartbeats have been. phi = k means that, under the model, a
// heartbeat still arriving after this much silence has probability 10^-k:
// at the default threshold 8, one such wait in 10^8 would be a false
// suspicion if the model were exact.
//
// # Model
//
// For each node the Detector keeps the last WindowSize inter-arrival times
// (a ring buffer, 8 bytes a sample) and fits a normal distribution to them:
// their mean μ and population standard deviation, raised to at least
// MinStdDev, σ. With Δt the silence since the last heartbeat and P the
// AcceptablePause,
//
//	y   = (Δt − (μ + P)) / σ
//	phi = −log10 Q(y),   Q(y) = P(Z > y) = erfc(y/√2) / 2
//
// where Z is a standard normal variable. Q is computed with math.Erfc (for
// y < 0 as 1 − Φ(y) through math.Log1p, to keep precision when phi is near
// 0); from y = 30 on, where erfc heads for underflow, phi is taken from the
// logarithm of the asymptotic series Q(y) = e^(−y²/2)/(y√(2π)) · (1 − 1/y²
// + 3/y⁴ − 15/y⁶), which agrees with it to 1e-10 at the switch. Level is
// capped at MaxLevel (1000), so it is finite for any silence, even one of
// centuries, where time.Time.Sub saturates. A node is suspected when phi
// exceeds the threshold, which for the normal model means when
//
//	Δt > μ + P + z·σ,   z = 4.2649 (threshold 5), 5.6120 (8), 7.0345 (12)
//
// Akka's detector uses the same model with a logistic approximation of the
// normal CDF, phi = log10(1 + e^z(y)), z(y) = y·(1.5976 + 0.070566·y²). It is
// close near the mean but grows like y³ in the tail instead of y²/2 and
// overstates phi there (9.31 where the exact tail gives 8), so at the same
// threshold Akka suspects at y = 5.2260 instead of 5.6120: 0.39σ sooner.
// This package uses the exact tail so that phi keeps its stated meaning.
//
// # Other formulas called phi
//
// Two widely copied detectors use the name with other models, and their
// thresholds are not comparable to this one:
//
//   - Cassandra models inter-arrival times as exponential: Q(Δt) =
//     e^(−Δt/μ), so phi = Δt / (μ · ln 10). It ignores the deviation and
//     has no acceptable pause; phi = 8 comes at Δt = 8·ln 10·μ ≈ 18.42 μ.
//   - chitchat divides the silence by the mean: phi = Δt / μ. phi = 8 comes
//     at Δt = 8 μ, 2.3 times (ln 10) sooner than Cassandra at the same
//     threshold.
//
// The silence after which each model's phi exceeds 8, for a mean
// inter-arrival time of 1 s (TestModelComparison recomputes every cell;
// the first two columns run a real Detector whose window holds 1 s ± σ
// alternately, with MinStdDev lowered to 1 µs):
//
//	σ       this package   this package   Akka (logistic)  Cassandra  chitchat
//	        P = 0          P = 3 s        P = 3 s          (any σ)    (any σ)
//	50 ms   1.281 s        4.281 s        4.261 s          18.421 s   8.000 s
//	100 ms  1.561 s        4.561 s        4.523 s          18.421 s   8.000 s
//	200 ms  2.122 s        5.122 s        5.045 s          18.421 s   8.000 s
//	500 ms  3.806 s        6.806 s        6.613 s          18.421 s   8.000 s
//
// With the default MinStdDev of 100 ms, the 50 ms row behaves as the 100 ms
// one.
//
// # Bootstrap, window and outages
//
// A node's first heartbeat seeds its window with two samples, Interval −
// Interval/4 and Interval + Interval/4 (the bootstrap Akka uses): mean
// Interval, deviation Interval/4. A node heard from once is thus suspected
// after Interval + P + 5.612·Interval/4 (5.40 s with the defaults) and the
// seeds are evicted like any sample once WindowSize−2 real ones have
// arrived, or, with WarmUp set, as soon as WarmUp real ones have.
// A gap longer than MaxInterval is not sampled: it is an outage, and
// recording it would inflate σ and slow the next detection for a whole
// window (Cassandra and chitchat drop such gaps too). Two heartbeats at one
// instant count as one. Forget drops a node's window.
//
// # Defaults
//
// Threshold 8, Interval 1 s, WindowSize 100, MinStdDev Interval/10,
// AcceptablePause 3·Interval, MaxInterval 10·Interval. For a 1 s interval
// the durations are Akka's cluster defaults (100 ms, 3 s): the pause
// absorbs single and double misses (and GC pauses) rather than leaving them
// to the tail of a normal distribution that does not expect them. The
// scuttlebutt Node, whose monitors probe a late node again every half
// interval, and needs a quorum of monitors to suspect a node, uses a pause
// of a quarter of an Interval. The floor of a tenth of the interval matters when
// arrivals are nearly exact (a simulated clock): without it σ tends to 0
// and phi jumps from 0 to its cap within milliseconds of lateness. 100
// samples (100 s at 1 s) adapt to a changed network within two minutes;
// Akka and Cassandra keep 1000.
//
// Measured on heartbeats sent every 1 s, each gap ±200 ms uniform jitter,
// 5% of heartbeats lost (a loss makes a 2 s gap), with the defaults and the
// threshold varied (sim_test.go, go test -run 'LongRun|NoPause|Detection' -v):
//
//	threshold                               5        8        12
//	false suspicions in 10^5 gaps           0        0        0
//	detection time, median of 1000 trials   5.12 s   5.46 s   5.82 s
//	detection time, worst of 1000 trials    5.86 s   6.42 s   7.01 s
//	with AcceptablePause = 1 ns instead:
//	false suspicions in 10^5 gaps           1708     614      240
//	detection time, median                  2.12 s   2.46 s   2.82 s
//	detection time, worst                   2.86 s   3.42 s   4.01 s
//
// A false suspicion is counted when the node is suspected just before a
// heartbeat arrives; a detection time is the silence after the last
// heartbeat, to 1 ms, before Suspect turns true.
//
// A Detector is not safe for concurrent use (see detector.Detector). Its
// Heartbeat and Suspect do not allocate once a node is known.
package phi
