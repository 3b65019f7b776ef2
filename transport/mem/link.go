package mem

import (
	"math"
	"time"
)

// DefaultReorderDelay is the largest extra delay of a reordered datagram when
// Link.ReorderDelay is zero.
const DefaultReorderDelay = 10 * time.Millisecond

// Link describes the faults of one direction between two addresses. All
// randomness comes from the Network's seeded source. The zero Link is
// perfect: no loss, no delay, no duplication, no reordering; a datagram sent
// on it still arrives through the queue, at the same virtual instant, after
// everything already due then.
//
// Probabilities outside [0, 1] (and NaN) are clamped into it (NaN to 0);
// negative durations count as zero.
type Link struct {
	// Loss is the probability that a datagram is dropped. Streams are never
	// lost.
	Loss float64
	// Delay is the base one-way delay of datagrams and streams.
	Delay time.Duration
	// Jitter adds a uniform random delay in [0, Jitter] to each datagram and
	// stream message.
	Jitter time.Duration
	// Duplicate is the probability that a datagram that was not lost arrives
	// twice. The copy draws its own delay.
	Duplicate float64
	// Reorder is the probability that a datagram gets an extra uniform delay
	// in [0, ReorderDelay], so that datagrams sent after it may overtake it.
	Reorder float64
	// ReorderDelay bounds the extra delay of a reordered datagram. Zero means
	// DefaultReorderDelay.
	ReorderDelay time.Duration
}

// normalized returns l with every field in range.
func (l Link) normalized() Link {
	l.Loss = clampProb(l.Loss)
	l.Duplicate = clampProb(l.Duplicate)
	l.Reorder = clampProb(l.Reorder)
	l.Delay = max(l.Delay, 0)
	l.Jitter = max(l.Jitter, 0)
	l.ReorderDelay = max(l.ReorderDelay, 0)
	if l.ReorderDelay == 0 {
		l.ReorderDelay = DefaultReorderDelay
	}
	return l
}

func clampProb(p float64) float64 {
	if math.IsNaN(p) || p < 0 {
		return 0
	}
	return min(p, 1)
}

// linkKey names one direction between two addresses.
type linkKey struct{ from, to string }

// SetLink sets the faults of datagrams and streams sent from one address to
// another, in that direction only, overriding the default link. The addresses
// need not have transports yet.
func (n *Network) SetLink(from, to string, l Link) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.links[linkKey{from, to}] = l.normalized()
}

// ClearLink removes a SetLink override, so that the direction from -> to
// uses the default link again.
func (n *Network) ClearLink(from, to string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.links, linkKey{from, to})
}

// SetDefaultLink sets the faults of every direction without a SetLink
// override.
func (n *Network) SetDefaultLink(l Link) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.defaultLink = l.normalized()
}

// linkLocked returns the faults of the direction from -> to.
func (n *Network) linkLocked(from, to string) Link {
	if len(n.links) > 0 {
		if l, ok := n.links[linkKey{from, to}]; ok {
			return l
		}
	}
	return n.defaultLink
}

// delayLocked draws the delay of one datagram on l and reports whether it was
// chosen for reordering.
func (n *Network) delayLocked(l *Link, reorder bool) (time.Duration, bool) {
	d := l.Delay
	if l.Jitter > 0 {
		d += time.Duration(n.rng.Int64N(int64(l.Jitter) + 1))
	}
	if reorder && l.Reorder > 0 && n.rng.Float64() < l.Reorder {
		d += time.Duration(n.rng.Int64N(int64(l.ReorderDelay) + 1))
		return d, true
	}
	return d, false
}

// cutSet records which directions are cut by partitions. A node can always
// reach itself.
type cutSet struct {
	isolated   map[string]struct{}
	pairs      map[linkKey]struct{} // both directions of each Cut
	partitions []partition
}

// partition cuts every address of a from every address of b, both ways.
type partition struct{ a, b map[string]struct{} }

func (c *cutSet) empty() bool {
	return len(c.isolated) == 0 && len(c.pairs) == 0 && len(c.partitions) == 0
}

// blocked reports whether datagrams from -> to are cut.
func (c *cutSet) blocked(from, to string) bool {
	if from == to || c.empty() {
		return false
	}
	if _, ok := c.isolated[from]; ok {
		return true
	}
	if _, ok := c.isolated[to]; ok {
		return true
	}
	if _, ok := c.pairs[linkKey{from, to}]; ok {
		return true
	}
	for _, p := range c.partitions {
		if p.separates(from, to) {
			return true
		}
	}
	return false
}

func (p partition) separates(x, y string) bool {
	_, xa := p.a[x]
	_, yb := p.b[y]
	if xa && yb {
		return true
	}
	_, xb := p.b[x]
	_, ya := p.a[y]
	return xb && ya
}

func setOf(addrs []string) map[string]struct{} {
	s := make(map[string]struct{}, len(addrs))
	for _, a := range addrs {
		s[a] = struct{}{}
	}
	return s
}

// Partition cuts both directions between every address of groupA and every
// address of groupB, until Heal. Addresses in neither group are unaffected.
// Datagrams and streams already in flight across the cut are dropped on
// arrival; SendStream across it returns an error wrapping
// transport.ErrUnreachable.
func (n *Network) Partition(groupA, groupB []string) {
	p := partition{a: setOf(groupA), b: setOf(groupB)}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cuts.partitions = append(n.cuts.partitions, p)
}

// Isolate cuts addr from every other address, both ways, until Heal.
func (n *Network) Isolate(addr string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cuts.isolated == nil {
		n.cuts.isolated = make(map[string]struct{})
	}
	n.cuts.isolated[addr] = struct{}{}
}

// Cut cuts both directions between a and b until Heal. For a one-way cut,
// use SetLink with Loss 1.
func (n *Network) Cut(a, b string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cuts.pairs == nil {
		n.cuts.pairs = make(map[linkKey]struct{})
	}
	n.cuts.pairs[linkKey{a, b}] = struct{}{}
	n.cuts.pairs[linkKey{b, a}] = struct{}{}
}

// Heal removes every Partition, Isolate and Cut. Link faults set by SetLink
// and SetDefaultLink stay.
func (n *Network) Heal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cuts = cutSet{}
}
