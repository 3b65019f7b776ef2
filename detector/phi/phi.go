package phi

import (
	"math"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector"
)

// Detector is a phi-accrual failure detector. See the package
// documentation for the model. It is not safe for concurrent use.
type Detector struct {
	threshold   float64
	windowSize  int
	interval    float64 // Config.Interval, ns: bootstrap mean and sum offset
	minStdDev   float64 // ns
	pause       float64 // ns
	maxInterval time.Duration
	warmUp      int
	nodes       map[string]*node
}

var _ detector.Detector = (*Detector)(nil)

// node is what a Detector knows about one node: a fixed-size window of
// inter-arrival times and the model fitted to it.
type node struct {
	last   time.Time
	mean   float64 // of the window, ns
	stdDev float64 // of the window, ns, at least minStdDev
	win    window
	// seeds is how many bootstrap samples the window still holds (the
	// oldest ones), heard how many real samples arrived.
	seeds, heard int
}

// New returns a Detector for cfg after filling in defaults. A bad field
// gives an error wrapping ErrInvalidConfig that names the field.
func New(cfg Config) (*Detector, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Detector{
		threshold:   cfg.Threshold,
		windowSize:  cfg.WindowSize,
		interval:    float64(cfg.Interval),
		minStdDev:   float64(cfg.MinStdDev),
		pause:       float64(cfg.AcceptablePause),
		maxInterval: cfg.MaxInterval,
		warmUp:      cfg.WarmUp,
		nodes:       make(map[string]*node),
	}, nil
}

// Heartbeat records a heartbeat of id at now.
//
// The first heartbeat of a node seeds its window with two samples,
// Interval ± Interval/4, so that it has a mean and a deviation before any
// real sample; with Config.WarmUp set they leave the window once WarmUp
// real samples have arrived. Later heartbeats add the time since the previous one, unless
// that is zero (two heartbeats at one instant count as one) or longer than
// MaxInterval (an outage). A time before the previous heartbeat, which the
// contract rules out, is ignored.
func (d *Detector) Heartbeat(id string, now time.Time) {
	n, ok := d.nodes[id]
	if !ok {
		n = &node{last: now, win: newWindow(d.windowSize, d.interval), seeds: 2}
		n.win.push(d.interval - d.interval/4)
		n.win.push(d.interval + d.interval/4)
		n.fit(d.minStdDev)
		d.nodes[id] = n
		return
	}
	gap := now.Sub(n.last)
	if gap < 0 {
		return
	}
	n.last = now
	if gap == 0 || gap > d.maxInterval {
		return
	}
	if n.seeds > 0 && n.win.n == n.win.size {
		n.seeds-- // the push below evicts the oldest sample, a seed
	}
	n.win.push(float64(gap))
	n.heard++
	if n.seeds > 0 && d.warmUp > 0 && n.heard >= d.warmUp {
		n.win.dropOldest(n.seeds)
		n.seeds = 0
	}
	n.fit(d.minStdDev)
}

// fit refreshes the model from the window.
func (n *node) fit(minStdDev float64) {
	mean, variance := n.win.stats()
	n.mean = mean
	n.stdDev = max(math.Sqrt(variance), minStdDev)
}

// Level returns phi for id at now: -log10 of the probability that a
// heartbeat is still to come after this much silence. Zero for a node never
// heard from; otherwise in [0, MaxLevel], never NaN or infinite. A time
// before the last heartbeat counts as no silence.
func (d *Detector) Level(id string, now time.Time) float64 {
	n, ok := d.nodes[id]
	if !ok {
		return 0
	}
	elapsed := max(now.Sub(n.last), 0) // Sub saturates instead of overflowing
	y := (float64(elapsed) - n.mean - d.pause) / n.stdDev
	p := phiOf(y)
	if !(p <= MaxLevel) { // also catches NaN, which the model cannot produce
		return MaxLevel
	}
	return max(p, 0)
}

// Suspect reports whether Level(id, now) exceeds the threshold.
func (d *Detector) Suspect(id string, now time.Time) bool {
	return d.Level(id, now) > d.threshold
}

// Forget drops the window kept for id, freeing its memory.
func (d *Detector) Forget(id string) {
	delete(d.nodes, id)
}
