package detectortest

import (
	"math/rand/v2"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector"
)

// Pattern describes a stream of heartbeats as seen by the receiver: they
// are sent every Interval, each is lost with probability Loss, and each
// inter-arrival gap is off by a uniform jitter in [-Jitter, +Jitter]. A
// lost heartbeat merges two gaps: with Interval 1 s, one loss gives a gap
// of about 2 s, two losses in a row about 3 s, and so on.
type Pattern struct {
	// Interval is the sending period.
	Interval time.Duration
	// Jitter bounds the uniform error added to every gap; it must be less
	// than Interval so that gaps stay positive.
	Jitter time.Duration
	// Loss is the probability, in [0, 1), that a heartbeat is lost.
	Loss float64
}

// Gap draws the time from one received heartbeat to the next.
func (p Pattern) Gap(rng *rand.Rand) time.Duration {
	gap := p.Interval
	for p.Loss > 0 && rng.Float64() < p.Loss {
		gap += p.Interval
	}
	if p.Jitter > 0 {
		gap += time.Duration(rng.Int64N(int64(2*p.Jitter)+1)) - p.Jitter
	}
	return gap
}

// FalseSuspicions feeds d n+1 heartbeats of node id following p, the first
// at Epoch, and counts how many of the n gaps ended with id suspected. Each
// check is made at the arrival time of the next heartbeat, just before
// recording it: the longest silence of the gap, so a gap that was
// suspected at any moment is counted. The node never fails, so every count
// is a false suspicion. The same rng seed gives the same stream, which is
// how detectors with different settings are compared on equal traffic.
func FalseSuspicions(d detector.Detector, id string, p Pattern, rng *rand.Rand, n int) int {
	now := Epoch
	d.Heartbeat(id, now)
	count := 0
	for range n {
		now = now.Add(p.Gap(rng))
		if d.Suspect(id, now) {
			count++
		}
		d.Heartbeat(id, now)
	}
	return count
}

// DetectionTime feeds d warmup heartbeats of node id following p, the first
// at Epoch, lets the node fall silent after the last one, and returns the
// shortest silence after which d suspects it, to within resolution. It
// relies on suspicion being monotone in the silence (Run checks that). It
// returns limit and false if the node is still not suspected after limit.
func DetectionTime(d detector.Detector, id string, p Pattern, rng *rand.Rand, warmup int, limit, resolution time.Duration) (time.Duration, bool) {
	last := Epoch
	d.Heartbeat(id, last)
	for i := 1; i < warmup; i++ {
		last = last.Add(p.Gap(rng))
		d.Heartbeat(id, last)
	}
	if !d.Suspect(id, last.Add(limit)) {
		return limit, false
	}
	lo, hi := time.Duration(0), limit // not suspected at lo, suspected at hi
	for hi-lo > resolution {
		mid := lo + (hi-lo)/2
		if d.Suspect(id, last.Add(mid)) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true
}
