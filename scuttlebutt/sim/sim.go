// Package sim runs whole Scuttlebutt clusters deterministically in one
// process: every node gossips over a transport/mem Network that is also the
// nodes' clock, so a test advances virtual time and the cluster does, with
// no sleeping and no goroutines. The same seeds give the same event trace,
// byte for byte.
//
//	c, err := sim.New(sim.Config{Nodes: 100, Seed: 1})
//	defer c.Close()
//	c.JoinAll()
//	rounds, ok := c.RunRounds(50, c.AllKnowAll)
package sim

import (
	"fmt"
	"strings"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// Config describes a simulated cluster. Zero fields take defaults.
type Config struct {
	// Nodes is the cluster size (default 3).
	Nodes int
	// Seed seeds the network and, offset by the node's index, each node.
	Seed int64
	// Link is the network's default link: loss, delay, duplication,
	// reordering (default: perfect).
	Link mem.Link
	// MTU is the datagram limit (default 1400).
	MTU int
	// GossipInterval is each node's round length (default 1s).
	GossipInterval time.Duration
	// Fanout is each node's fanout (default: the Node's default).
	Fanout int
	// Ordering is each node's delta ordering.
	Ordering scuttlebutt.Ordering
	// Codec is every node's codec (default: the Node's default).
	Codec codec.Codec
	// Configure, if set, adjusts node i's Builder before it is built.
	Configure func(i int, b *scuttlebutt.Builder)
	// Trace records every event of every node (see Trace).
	Trace bool
	// Streams lets nodes use the network's stream capability for exchanges
	// larger than a datagram. Off by default, so every exchange is an
	// MTU-bounded datagram.
	Streams bool
	// OnDeliver, if set, observes every datagram just before it is
	// delivered (see mem.Config.OnDeliver): b is valid only during the call.
	OnDeliver func(from, to string, b []byte)
}

// Cluster is a running simulated cluster.
type Cluster struct {
	cfg   Config
	Net   *mem.Network
	Nodes []*scuttlebutt.Node
	Addrs []string
	trace []string
	// known[i] counts the nodes node i has seen join and not removed.
	known []int
}

// ID returns node i's ID: "node-i".
func ID(i int) string { return fmt.Sprintf("node-%d", i) }

// New builds and starts the cluster's nodes; none has joined another yet.
func New(cfg Config) (*Cluster, error) {
	if cfg.Nodes == 0 {
		cfg.Nodes = 3
	}
	if cfg.MTU == 0 {
		cfg.MTU = 1400
	}
	if cfg.GossipInterval == 0 {
		cfg.GossipInterval = time.Second
	}
	c := &Cluster{
		cfg:   cfg,
		Net:   mem.NewNetwork(mem.Config{Seed: cfg.Seed, MTU: cfg.MTU, DefaultLink: cfg.Link, OnDeliver: cfg.OnDeliver}),
		known: make([]int, cfg.Nodes),
	}
	for i := range cfg.Nodes {
		if err := c.start(i, 1); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// start builds node i at generation gen on address "10.0.x.y:7946".
func (c *Cluster) start(i int, gen uint64) error {
	addr := fmt.Sprintf("10.%d.%d.%d:7946", i>>16&255, i>>8&255, i&255)
	tr, err := c.Net.NewTransport(addr)
	if err != nil {
		return err
	}
	b := scuttlebutt.NewBuilder(ID(i)).
		Transport(tr).
		Clock(c.Net).
		Seed(uint64(c.cfg.Seed)*1_000_003 + uint64(i)).
		Generation(gen).
		GossipInterval(c.cfg.GossipInterval).
		Fanout(c.cfg.Fanout).
		Ordering(c.cfg.Ordering).
		Codec(c.cfg.Codec).
		DisableStreams(!c.cfg.Streams)
	if c.cfg.Configure != nil {
		c.cfg.Configure(i, b)
	}
	n, err := b.Build()
	if err != nil {
		return err
	}
	n.Subscribe(func(e scuttlebutt.Event) { c.observe(i, e) })
	if i < len(c.Nodes) {
		c.Nodes[i], c.Addrs[i] = n, addr
	} else {
		c.Nodes = append(c.Nodes, n)
		c.Addrs = append(c.Addrs, addr)
	}
	return nil
}

func (c *Cluster) observe(i int, e scuttlebutt.Event) {
	switch e.Kind {
	case scuttlebutt.EventJoin:
		c.known[i]++
	case scuttlebutt.EventRemove:
		c.known[i]--
	}
	if c.cfg.Trace {
		c.trace = append(c.trace, fmt.Sprintf("%s %s: %s", c.Net.Now().Format("15:04:05.000000"), ID(i), e))
	}
}

// JoinAll makes every node but node 0 join through node 0.
func (c *Cluster) JoinAll() error {
	for i := 1; i < len(c.Nodes); i++ {
		if err := c.Nodes[i].Join([]string{c.Addrs[0]}); err != nil {
			return err
		}
	}
	return nil
}

// Restart closes node i and starts it again with generation gen, its state
// empty, at the same address; it joins through node j.
func (c *Cluster) Restart(i int, gen uint64, j int) error {
	c.Nodes[i].Close()
	c.known[i] = 0
	if err := c.start(i, gen); err != nil {
		return err
	}
	return c.Nodes[i].Join([]string{c.Addrs[j]})
}

// RunRounds advances virtual time one gossip interval at a time, up to max
// intervals, until cond holds. It returns how many intervals ran and
// whether cond held.
func (c *Cluster) RunRounds(max int, cond func() bool) (int, bool) {
	for r := 0; r <= max; r++ {
		if cond() {
			return r, true
		}
		if r < max {
			c.Net.Advance(c.cfg.GossipInterval)
		}
	}
	return max, false
}

// AllKnowAll reports whether every node has seen every other node join.
func (c *Cluster) AllKnowAll() bool {
	for _, k := range c.known {
		if k < len(c.Nodes)-1 {
			return false
		}
	}
	return true
}

// Known returns how many other nodes node i has seen join and not removed.
func (c *Cluster) Known(i int) int { return c.known[i] }

// Count returns how many nodes hold value for node owner's key (the owner
// included).
func (c *Cluster) Count(owner int, key, value string) int {
	k := 0
	for _, n := range c.Nodes {
		if v, ok := n.Lookup(ID(owner), key); ok && v == value {
			k++
		}
	}
	return k
}

// Trace returns the recorded events, one line each, if Config.Trace is set.
func (c *Cluster) Trace() string { return strings.Join(c.trace, "\n") }

// Stats sums the nodes' counters that matter for cost: messages and bytes
// sent, and the largest datagram.
func (c *Cluster) Stats() (messages, bytes uint64, largest int) {
	for _, n := range c.Nodes {
		s := n.Stats()
		messages += s.MessagesSent
		bytes += s.BytesSent
		largest = max(largest, s.LargestSent)
	}
	return
}

// Close closes every node.
func (c *Cluster) Close() {
	for _, n := range c.Nodes {
		n.Close()
	}
}
