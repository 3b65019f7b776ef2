package tests

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/quic"
	"github.com/scuttlebutt-go/scuttlebutt/transport/tcp"
	"github.com/scuttlebutt-go/scuttlebutt/transport/udp"
)

// Timing of the loopback clusters: real sockets, real time.
const (
	liveGossip = 20 * time.Millisecond
	liveWait   = 5 * time.Second
	liveTick   = 5 * time.Millisecond
)

// liveTransport is one real transport the scenarios run over.
type liveTransport struct {
	name string
	// streams: the transport implements transport.Streamer.
	streams bool
	// factory returns a function that makes one node's transport on
	// 127.0.0.1, port 0. Transports made by one factory reach each other
	// (for QUIC they share one TLS configuration).
	factory func(t *testing.T) func() (transport.Transport, error)
}

// liveTransports are the transports under test.
var liveTransports = []liveTransport{
	{name: "udp", factory: func(*testing.T) func() (transport.Transport, error) {
		return func() (transport.Transport, error) {
			tr, err := udp.New(udp.Config{BindAddr: "127.0.0.1:0"})
			if err != nil {
				return nil, err
			}
			return tr, nil
		}
	}},
	{name: "tcp", streams: true, factory: func(*testing.T) func() (transport.Transport, error) {
		return func() (transport.Transport, error) {
			tr, err := tcp.New(tcp.Config{BindAddr: "127.0.0.1:0"})
			if err != nil {
				return nil, err
			}
			return tr, nil
		}
	}},
	{name: "quic", streams: true, factory: func(t *testing.T) func() (transport.Transport, error) {
		tlsCfg, err := quic.SelfSignedTLS()
		require.NoError(t, err)
		return func() (transport.Transport, error) {
			tr, err := quic.New(quic.Config{BindAddr: "127.0.0.1:0", TLS: tlsCfg})
			if err != nil {
				return nil, err
			}
			return tr, nil
		}
	}},
}

// liveCluster is a cluster of Nodes over one real transport on loopback.
type liveCluster struct {
	t     *testing.T
	nodes []*scuttlebutt.Node
	recs  []*recorder
	ids   []string
}

// startLive builds n nodes named node-0 ... over lt, each with a recorder
// and a 20 ms gossip interval; configure, if set, adjusts each Builder. The
// nodes are closed when the test ends, and then no goroutine may be left.
func startLive(t *testing.T, lt liveTransport, n int, configure func(i int, b *scuttlebutt.Builder)) *liveCluster {
	t.Helper()
	// Registered first, so it runs last: after every node is closed.
	t.Cleanup(func() { goleak.VerifyNone(t) })
	c := &liveCluster{t: t}
	t.Cleanup(c.close)
	newTransport := lt.factory(t)
	for i := range n {
		tr, err := newTransport()
		require.NoError(t, err)
		id := fmt.Sprintf("node-%d", i)
		rec := &recorder{}
		b := scuttlebutt.NewBuilder(id).Transport(tr).GossipInterval(liveGossip).Seed(uint64(i + 1)).Subscriber(rec)
		if configure != nil {
			configure(i, b)
		}
		node, err := b.Build()
		require.NoError(t, err)
		c.nodes, c.recs, c.ids = append(c.nodes, node), append(c.recs, rec), append(c.ids, id)
	}
	return c
}

// close closes every node and checks that none counted a malformed,
// oversized or unencodable message.
func (c *liveCluster) close() {
	for i, n := range c.nodes {
		require.NoError(c.t, n.Close(), "closing node-%d", i)
		s := n.Stats()
		require.Zero(c.t, s.DecodeErrors, "node-%d decode errors", i)
		require.Zero(c.t, s.Oversize, "node-%d oversize messages", i)
		require.Zero(c.t, s.EncodeErrors, "node-%d encode errors", i)
	}
}

// joinAll joins every node but seed through seed only.
func (c *liveCluster) joinAll(seed int) {
	c.t.Helper()
	for i, n := range c.nodes {
		if i != seed {
			require.NoError(c.t, n.Join([]string{c.nodes[seed].Addr()}))
		}
	}
}

// others returns the indexes of every node but i.
func (c *liveCluster) others(i int) []int {
	var out []int
	for j := range c.nodes {
		if j != i {
			out = append(out, j)
		}
	}
	return out
}

// all returns every node's index.
func (c *liveCluster) all() []int { return c.others(-1) }

// eventually waits, up to liveWait, until cond holds.
func (c *liveCluster) eventually(cond func() bool, msg string, args ...any) {
	c.t.Helper()
	c.eventuallyWithin(liveWait, cond, msg, args...)
}

func (c *liveCluster) eventuallyWithin(d time.Duration, cond func() bool, msg string, args ...any) {
	c.t.Helper()
	require.Eventually(c.t, cond, d, liveTick, append([]any{msg}, args...)...)
}

// waitMembers waits until every node in idx considers exactly want alive.
func (c *liveCluster) waitMembers(idx []int, want []string) {
	c.t.Helper()
	want = slices.Sorted(slices.Values(want))
	for _, i := range idx {
		c.eventually(func() bool { return slices.Equal(c.nodes[i].Members(), want) },
			"node-%d never saw members %v", i, want)
	}
}

// status returns node i's view of node id's status.
func (c *liveCluster) status(i int, id string) (scuttlebutt.Status, bool) {
	for _, s := range c.nodes[i].Snapshot() {
		if s.ID == id {
			return s.Status, true
		}
	}
	return 0, false
}

// lastStatusEvent returns the last suspect, alive or leave event r
// received about node, or zero.
func (r *recorder) lastStatusEvent(node string) scuttlebutt.EventKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.events) - 1; i >= 0; i-- {
		e := r.events[i]
		if e.Node == node && (e.Kind == scuttlebutt.EventSuspect || e.Kind == scuttlebutt.EventAlive || e.Kind == scuttlebutt.EventLeave) {
			return e.Kind
		}
	}
	return 0
}

// count returns how many events of kind about node r received.
func (r *recorder) count(kind scuttlebutt.EventKind, node string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := 0
	for _, e := range r.events {
		if e.Kind == kind && e.Node == node {
			k++
		}
	}
	return k
}

// about returns the events r received about node, for failure messages.
func (r *recorder) about(node string) []scuttlebutt.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []scuttlebutt.Event
	for _, e := range r.events {
		if e.Node == node {
			out = append(out, e)
		}
	}
	return out
}
