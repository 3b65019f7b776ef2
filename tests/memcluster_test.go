package tests

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// memOptions configure a memCluster. Zero fields take the Node's defaults,
// except interval (1 s).
type memOptions struct {
	seed     int64
	codec    codec.Codec
	streams  bool
	link     mem.Link
	interval time.Duration
	// grace is TombstoneGrace; removeAfter is RemoveAfter.
	grace, removeAfter time.Duration
	// onDeliver observes every delivery (mem.Config.OnDeliver).
	onDeliver func(from, to string, b []byte)
	// configure, if set, adjusts each node's Builder.
	configure func(b *scuttlebutt.Builder)
}

// memCluster is a cluster of Nodes on one deterministic mem Network, built
// with scuttlebutt.New rather than package sim so a test can choose codec
// and streams, and stop, restart (a new generation under the same ID) and
// partition single nodes. Every node's events go to one eventCheck.
type memCluster struct {
	t     *testing.T
	opts  memOptions
	net   *mem.Network
	nodes []*scuttlebutt.Node // nil while stopped
	addrs []string
	gens  []uint64
	check *eventCheck
	// prunes counts the prunes installed by nodes since stopped.
	prunes uint64
}

// newMemCluster starts n nodes at generation 1; none has joined another.
func newMemCluster(t *testing.T, n int, opts memOptions) *memCluster {
	t.Helper()
	if opts.interval == 0 {
		opts.interval = time.Second
	}
	c := &memCluster{t: t, opts: opts, check: newEventCheck(),
		net:   mem.NewNetwork(mem.Config{Seed: opts.seed, DefaultLink: opts.link, OnDeliver: opts.onDeliver}),
		nodes: make([]*scuttlebutt.Node, n), addrs: make([]string, n), gens: make([]uint64, n)}
	t.Cleanup(c.close)
	for i := range n {
		c.addrs[i] = fmt.Sprintf("10.1.%d.%d:7946", i>>8&255, i&255)
		c.start(i, 1)
	}
	return c
}

func memID(i int) string { return fmt.Sprintf("node-%d", i) }

// start builds node i at generation gen.
func (c *memCluster) start(i int, gen uint64) {
	c.t.Helper()
	tr, err := c.net.NewTransport(c.addrs[i])
	require.NoError(c.t, err)
	self := observer{id: memID(i), gen: gen}
	seed := uint64(c.opts.seed)*1_000_003 + uint64(i)*7919 + gen
	b := scuttlebutt.NewBuilder(memID(i)).
		Transport(tr).
		Clock(c.net).
		Seed(seed).
		Generation(gen).
		GossipInterval(c.opts.interval).
		Codec(c.opts.codec).
		DisableStreams(!c.opts.streams).
		TombstoneGrace(c.opts.grace).
		RemoveAfter(c.opts.removeAfter).
		Subscriber(scuttlebutt.EventSubscriberFunc(func(e scuttlebutt.Event) { c.check.observe(self, e) }))
	if c.opts.configure != nil {
		c.opts.configure(b)
	}
	n, err := b.Build()
	require.NoError(c.t, err)
	c.nodes[i], c.gens[i] = n, gen
}

// stop closes node i without announcing anything (a crash).
func (c *memCluster) stop(i int) {
	if c.nodes[i] != nil {
		c.prunes += c.nodes[i].Stats().Prunes
		require.NoError(c.t, c.nodes[i].Close())
		c.nodes[i] = nil
	}
}

// installedPrunes counts the prunes every node, stopped ones included, has
// installed: replicas that missed collected deletes and were repaired.
func (c *memCluster) installedPrunes() uint64 {
	n := c.prunes
	for _, node := range c.nodes {
		if node != nil {
			n += node.Stats().Prunes
		}
	}
	return n
}

// leave announces node i's departure without waiting for acknowledgements
// (waiting would need time to move on another goroutine); the node keeps
// gossiping until stop.
func (c *memCluster) leave(i int) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.nodes[i].Leave(ctx)
	if err != nil {
		require.ErrorIs(c.t, err, context.Canceled)
	}
}

// restart stops node i if it runs and starts it again at the next
// generation, with empty state, joining through the nodes of via.
func (c *memCluster) restart(i int, via ...int) {
	c.stop(i)
	c.start(i, c.gens[i]+1)
	c.join(i, via...)
}

// join makes node i join through the nodes of via.
func (c *memCluster) join(i int, via ...int) {
	var seeds []string
	for _, j := range via {
		seeds = append(seeds, c.addrs[j])
	}
	require.NoError(c.t, c.nodes[i].Join(seeds))
}

// live returns the indexes of the running nodes that have not left.
func (c *memCluster) live() []int {
	var out []int
	for i, n := range c.nodes {
		if n == nil {
			continue
		}
		if s, ok := n.NodeState(memID(i)); ok && s.Status == scuttlebutt.StatusLeft {
			continue
		}
		out = append(out, i)
	}
	return out
}

// round advances virtual time by one gossip interval.
func (c *memCluster) round() { c.net.Advance(c.opts.interval) }

// runUntil runs up to max rounds until cond holds and returns the rounds
// run and whether cond held.
func (c *memCluster) runUntil(max int, cond func() bool) (int, bool) {
	for r := 0; ; r++ {
		if cond() {
			return r, true
		}
		if r == max {
			return r, false
		}
		c.round()
	}
}

// divergence describes the first way a live node's view of a live node
// differs from that node's own state, or returns "" when every view is
// exact: same generation, same live keys, and no deleted key.
func (c *memCluster) divergence() string {
	live := c.live()
	for _, j := range live {
		own, ok := c.nodes[j].NodeState(memID(j))
		if !ok {
			return fmt.Sprintf("node-%d does not know itself", j)
		}
		for _, i := range live {
			if i == j {
				continue
			}
			got, ok := c.nodes[i].NodeState(memID(j))
			switch {
			case !ok:
				return fmt.Sprintf("node-%d does not know node-%d", i, j)
			case got.Generation != own.Generation:
				return fmt.Sprintf("node-%d holds node-%d at generation %d, not %d", i, j, got.Generation, own.Generation)
			case !maps.Equal(got.Keys, own.Keys):
				return fmt.Sprintf("node-%d's view of node-%d differs: %s", i, j, keysDiff(own.Keys, got.Keys))
			}
		}
	}
	return ""
}

// keysDiff describes how got differs from want, in a few words.
func keysDiff(want, got map[string]string) string {
	var missing, extra, wrong []string
	for k, v := range want {
		g, ok := got[k]
		switch {
		case !ok:
			missing = append(missing, k)
		case g != v:
			wrong = append(wrong, k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			extra = append(extra, k)
		}
	}
	return fmt.Sprintf("%d keys missing %v, %d deleted keys present %v, %d stale values %v",
		len(missing), firstFew(missing), len(extra), firstFew(extra), len(wrong), firstFew(wrong))
}

// firstFew returns the first five of keys, sorted.
func firstFew(keys []string) []string {
	slices.Sort(keys)
	return keys[:min(5, len(keys))]
}

// close closes every running node.
func (c *memCluster) close() {
	for i := range c.nodes {
		if c.nodes[i] != nil {
			c.nodes[i].Close()
			c.nodes[i] = nil
		}
	}
}

// observer is one incarnation of a node: a restarted node observes afresh.
type observer struct {
	id  string
	gen uint64
}

// keyOf names one key of one incarnation of a node.
type keyOf struct {
	node string
	gen  uint64
	key  string
}

// eventCheck checks every key event of every node against what the owners
// did, as it happens:
//
//   - a delete event of (node, generation, key) is spurious unless that
//     owner, in that generation, deleted that key at a version above the
//     observer's previous event for the key (the owners' own events give
//     the versions of their writes);
//   - per observer and (node, generation, key), versions strictly increase;
//     an event at or below the previous one goes backwards.
type eventCheck struct {
	mu sync.Mutex
	// deletes holds the versions at which each owner deleted each key.
	deletes map[keyOf][]uint64
	// last holds each observer's version of its previous event per key.
	last map[observer]map[keyOf]uint64

	keyEvents, spurious, backwards int
	examples                       []string
}

func newEventCheck() *eventCheck {
	return &eventCheck{deletes: map[keyOf][]uint64{}, last: map[observer]map[keyOf]uint64{}}
}

func (k *eventCheck) observe(o observer, e scuttlebutt.Event) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if e.Kind == scuttlebutt.EventRemove {
		// A removed node's state is gone; were it rediscovered, its keys
		// would be new to the observer.
		for key := range k.last[o] {
			if key.node == e.Node && key.gen <= e.Generation {
				delete(k.last[o], key)
			}
		}
		return
	}
	if e.Kind != scuttlebutt.EventUpdate && e.Kind != scuttlebutt.EventDelete {
		return
	}
	k.keyEvents++
	key := keyOf{node: e.Node, gen: e.Generation, key: e.Key}
	own := o.id == e.Node && o.gen == e.Generation
	if own && e.Kind == scuttlebutt.EventDelete {
		k.deletes[key] = append(k.deletes[key], e.Version)
	}
	last := k.last[o]
	if last == nil {
		last = map[keyOf]uint64{}
		k.last[o] = last
	}
	prev, seen := last[key]
	if seen && e.Version <= prev {
		k.backwards++
		k.example("%s/%d: %v after version %d: goes backwards", o.id, o.gen, e, prev)
	}
	if !own && e.Kind == scuttlebutt.EventDelete && !slices.ContainsFunc(k.deletes[key], func(v uint64) bool { return v > prev }) {
		k.spurious++
		k.example("%s/%d: %v (previous event at version %d): the owner never deleted it", o.id, o.gen, e, prev)
	}
	last[key] = max(prev, e.Version)
}

func (k *eventCheck) example(format string, args ...any) {
	if len(k.examples) < 10 {
		k.examples = append(k.examples, fmt.Sprintf(format, args...))
	}
}

// counts returns the key events seen and the violations of each rule.
func (k *eventCheck) counts() (keyEvents, spurious, backwards int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keyEvents, k.spurious, k.backwards
}

// report returns the first violations, one a line.
func (k *eventCheck) report() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	s := ""
	for _, e := range k.examples {
		s += "\n  " + e
	}
	return s
}
