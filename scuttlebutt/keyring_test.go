package scuttlebutt_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/keyring"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// sealer is what keyring.Wrap returns, seen through its common methods.
type sealer interface {
	transport.Transport
	Stats() keyring.Stats
}

// secureCluster is a cluster on a virtual network whose nodes may each
// wrap their transport with a keyring (or not: a plaintext node).
type secureCluster struct {
	t        *testing.T
	nw       *mem.Network
	nodes    []*scuttlebutt.Node
	wraps    []sealer // nil for a plaintext node
	gens     []uint64
	suspects atomic.Int64 // EventSuspect seen by any node
	errLogs  errorCounter
	writes   map[int]map[string]string // node -> key -> last value written
}

func addrOf(i int) string { return fmt.Sprintf("10.0.0.%d:7946", i) }

func newSecureCluster(t *testing.T) *secureCluster {
	c := &secureCluster{t: t, nw: mem.NewNetwork(mem.Config{Seed: 7}), writes: map[int]map[string]string{}}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			if n != nil {
				n.Close()
			}
		}
	})
	return c
}

// start starts node i, sealing with ring in mode (plaintext when ring is
// nil), and joins it through node 0 unless it is node 0.
func (c *secureCluster) start(i int, ring *keyring.Keyring, mode keyring.Mode) {
	t := c.t
	tr, err := c.nw.NewTransport(addrOf(i))
	require.NoError(t, err)
	var use transport.Transport = tr
	var w sealer
	if ring != nil {
		wt, err := keyring.Wrap(tr, keyring.Config{Keyring: ring, Mode: mode, Clock: c.nw,
			Logger: slog.New(&c.errLogs)})
		require.NoError(t, err)
		use, w = wt, wt.(sealer)
	}
	for len(c.nodes) <= i {
		c.nodes, c.wraps, c.gens = append(c.nodes, nil), append(c.wraps, nil), append(c.gens, 0)
	}
	c.gens[i]++
	n, err := scuttlebutt.NewBuilder(fmt.Sprintf("node-%d", i)).Transport(use).Clock(c.nw).
		Seed(uint64(i)).Generation(c.gens[i]).GossipInterval(time.Second).Build()
	require.NoError(t, err)
	n.Subscribe(func(e scuttlebutt.Event) {
		if e.Kind == scuttlebutt.EventSuspect {
			c.suspects.Add(1)
		}
	})
	c.nodes[i], c.wraps[i] = n, w
	if i > 0 {
		require.NoError(t, n.Join([]string{addrOf(0)}))
	}
}

// stop closes node i.
func (c *secureCluster) stop(i int) {
	require.NoError(c.t, c.nodes[i].Close())
	c.nodes[i] = nil
}

// write makes node i write key=value and remembers it.
func (c *secureCluster) write(i int, key, value string) {
	require.NoError(c.t, c.nodes[i].UpdateLocal(key, value))
	if c.writes[i] == nil {
		c.writes[i] = map[string]string{}
	}
	c.writes[i][key] = value
}

// missing counts (node, write) pairs not yet seen among the running nodes
// in among, of the writes of the running nodes in from.
func (c *secureCluster) missing(among, from []int) int {
	k := 0
	for _, i := range among {
		for _, j := range from {
			for key, v := range c.writes[j] {
				if got, ok := c.nodes[i].Lookup(fmt.Sprintf("node-%d", j), key); !ok || got != v {
					k++
				}
			}
		}
	}
	return k
}

// converge advances virtual time a second at a time, up to limit seconds,
// until every node in among holds every write of the nodes in from.
func (c *secureCluster) converge(limit int, among, from []int) bool {
	for range limit {
		if c.missing(among, from) == 0 {
			return true
		}
		c.nw.Advance(time.Second)
	}
	return c.missing(among, from) == 0
}

// stats sums the wrappers' counters over the nodes in among.
func (c *secureCluster) stats(among []int) keyring.Stats {
	var s keyring.Stats
	for _, i := range among {
		if w := c.wraps[i]; w != nil {
			x := w.Stats()
			s.Sealed += x.Sealed
			s.SentPlaintext += x.SentPlaintext
			s.Decrypted += x.Decrypted
			s.Plaintext += x.Plaintext
			s.Failed += x.Failed
			s.Refused += x.Refused
		}
	}
	return s
}

func span(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

// errorCounter is a slog.Handler that counts error records.
type errorCounter struct{ n atomic.Int64 }

func (h *errorCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }
func (h *errorCounter) Handle(context.Context, slog.Record) error    { h.n.Add(1); return nil }
func (h *errorCounter) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h *errorCounter) WithGroup(string) slog.Handler                { return h }

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

// TestKeyRotationWhileGossiping: 20 nodes rotate from key 1 to key 2 in
// the three steps, one node at a time, writing all along: every write
// reaches every node, nobody is suspected, no message fails to open.
func TestKeyRotationWhileGossiping(t *testing.T) {
	const n = 20
	c := newSecureCluster(t)
	all := span(0, n)
	for i := range n {
		ring, err := keyring.New(testKey(1))
		require.NoError(t, err)
		c.start(i, ring, keyring.Require)
		c.write(i, "step", "start")
	}
	require.True(t, c.converge(60, all, all), "the cluster forms")
	steps := []struct {
		name string
		do   func(r *keyring.Keyring) error
	}{
		{"install", func(r *keyring.Keyring) error { return r.Install(testKey(2)) }},
		{"use", func(r *keyring.Keyring) error { return r.UseKey(testKey(2)) }},
		{"remove", func(r *keyring.Keyring) error { return r.Remove(testKey(1)) }},
	}
	for s, step := range steps {
		for i, node := range c.nodes {
			require.NoError(t, step.do(node.Keyring()), "%s on node %d", step.name, i)
			c.write(i, "step", step.name)
			c.write(i, fmt.Sprintf("w%d", s), fmt.Sprint(i))
			c.nw.Advance(200 * time.Millisecond) // nodes switch at different times
		}
		// Let the step settle: at least the reply window before a Remove.
		c.nw.Advance(keyring.DefaultReplyWindow + time.Second)
	}
	require.True(t, c.converge(60, all, all), "%d writes missing", c.missing(all, all))
	for i, node := range c.nodes {
		require.Equal(t, [][]byte{testKey(2)}, node.Keyring().Keys(), "node %d", i)
	}
	s := c.stats(all)
	require.Zero(t, c.suspects.Load(), "a node was suspected during the rotation")
	require.Zero(t, s.Failed, "a message failed to open during the rotation")
	require.Zero(t, s.Refused)
	require.Positive(t, s.Decrypted)
	require.Zero(t, c.errLogs.n.Load())

	// The primary cannot be removed, on a running node too.
	require.ErrorIs(t, c.nodes[3].Keyring().Remove(testKey(2)), keyring.ErrPrimaryKey)
}

// TestRejoinWithTheOldKey: a node down during a rotation comes back
// holding only the old key. While the old key is still installed on the
// others it rejoins (its writes reach everyone, theirs reach it); once it
// is removed everywhere it cannot, and the drops are counted and logged,
// at a low rate.
func TestRejoinWithTheOldKey(t *testing.T) {
	const n = 8
	c := newSecureCluster(t)
	all, others := span(0, n), span(0, n-1)
	late := n - 1
	for i := range n {
		ring, err := keyring.New(testKey(1))
		require.NoError(t, err)
		c.start(i, ring, keyring.Require)
		c.write(i, "k", "before")
	}
	require.True(t, c.converge(60, all, all))

	// The late node goes down; the others install and switch to key 2.
	c.stop(late)
	for _, i := range others {
		require.NoError(t, c.nodes[i].Keyring().Install(testKey(2)))
	}
	for _, i := range others {
		require.NoError(t, c.nodes[i].Keyring().UseKey(testKey(2)))
		c.write(i, "k", "rotated")
	}
	c.nw.Advance(time.Minute)

	// It comes back with only key 1, which the others still hold.
	oldOnly, err := keyring.New(testKey(1))
	require.NoError(t, err)
	c.start(late, oldOnly, keyring.Require)
	c.write(late, "k", "back")
	require.True(t, c.converge(60, all, all), "%d writes missing", c.missing(all, all))

	// Step 3 elsewhere, with the late node down again; it comes back once
	// more with only key 1.
	c.stop(late)
	c.nw.Advance(keyring.DefaultReplyWindow + time.Second)
	for _, i := range others {
		require.NoError(t, c.nodes[i].Keyring().Remove(testKey(1)))
	}
	before := c.stats(others)
	logsBefore := c.errLogs.n.Load()
	for _, i := range others {
		c.write(i, "k", "after-removal")
	}
	oldOnly2, err := keyring.New(testKey(1))
	require.NoError(t, err)
	c.start(late, oldOnly2, keyring.Require)
	c.write(late, "k", "locked-out")
	const wait = 60
	require.False(t, c.converge(wait, []int{late}, others), "the late node learnt the others' writes")
	require.True(t, c.converge(1, others, others))
	for _, i := range others {
		v, _ := c.nodes[i].Lookup(fmt.Sprintf("node-%d", late), "k")
		require.NotEqual(t, "locked-out", v, "node %d learnt the locked-out node's write", i)
	}
	// Counted: the others drop what it seals (it joins through node 0).
	after := c.stats(others)
	require.Greater(t, after.Failed, before.Failed, "the others' drops are counted")
	require.Positive(t, c.wraps[late].Stats().Failed+(after.Failed-before.Failed))
	// Logged, at a low rate: at most one record per LogInterval per node.
	logs := c.errLogs.n.Load() - logsBefore
	require.Positive(t, logs)
	maxLogs := int64(n) * (wait/int64(keyring.DefaultLogInterval/time.Second) + 1)
	require.LessOrEqual(t, logs, maxLogs)
	require.Less(t, uint64(logs), after.Failed-before.Failed+c.wraps[late].Stats().Failed, "every drop logged")
}

// TestMigrationFromPlaintext: a plaintext cluster turns encryption on in
// the three steps of transport/keyring, restarting one node at a time and
// never all at once, and converges at every step with nobody suspected;
// then a plaintext node is refused and counted.
func TestMigrationFromPlaintext(t *testing.T) {
	const n = 10
	c := newSecureCluster(t)
	all := span(0, n)
	for i := range n {
		c.start(i, nil, keyring.Require) // plaintext
		c.write(i, "phase", "plaintext")
	}
	require.True(t, c.converge(60, all, all))
	require.Nil(t, c.nodes[0].Keyring(), "a plaintext node has no keyring")
	require.ErrorIs(t, c.nodes[0].SetEncryptionMode(keyring.Require), scuttlebutt.ErrNotEncrypted)

	// Step 1: restart the nodes one by one with the wrapper, sending
	// plaintext and accepting both. Half-way, the cluster is mixed.
	for i := range n {
		c.stop(i)
		ring, err := keyring.New(testKey(5))
		require.NoError(t, err)
		c.start(i, ring, keyring.SendPlaintext)
		c.write(i, "phase", "send-plaintext")
		if i == n/2 {
			require.True(t, c.converge(60, all, all), "mixed plaintext and wrapped cluster")
		}
		c.nw.Advance(5 * time.Second)
	}
	require.True(t, c.converge(60, all, all))

	// Step 2: every node seals, still accepting plaintext; no restart.
	for i, node := range c.nodes {
		require.NoError(t, node.SetEncryptionMode(keyring.AcceptPlaintext))
		c.write(i, "phase", "accept-plaintext")
		c.nw.Advance(300 * time.Millisecond)
	}
	require.True(t, c.converge(60, all, all))
	sealedBefore := c.stats(all).Sealed
	require.Positive(t, c.stats(all).Plaintext, "plaintext accepted during the switch")

	// Step 3: every node requires sealing.
	for i, node := range c.nodes {
		require.NoError(t, node.SetEncryptionMode(keyring.Require))
		c.write(i, "phase", "require")
		c.nw.Advance(300 * time.Millisecond)
	}
	require.True(t, c.converge(60, all, all))
	s := c.stats(all)
	require.Greater(t, s.Sealed, sealedBefore)
	require.Zero(t, s.Failed)
	require.Zero(t, s.Refused, "a plaintext message was still in flight at Require")
	// Restarts in step 1 announce new generations, never a suspicion.
	require.Zero(t, c.suspects.Load(), "a node was suspected during the migration")

	// A plaintext node is refused from then on, and counted.
	intruder := n
	c.start(intruder, nil, keyring.Require)
	c.write(intruder, "phase", "plaintext-again")
	require.False(t, c.converge(30, all, []int{intruder}), "a plaintext node's write was applied")
	require.False(t, c.converge(1, []int{intruder}, all), "a plaintext node read sealed state")
	require.Positive(t, c.stats(all).Refused)
	require.Positive(t, c.errLogs.n.Load())
	require.Zero(t, c.nodes[intruder].Stats().SynAckReceived, "nobody answered the plaintext node")
}

// TestNothingReadableOnTheWire captures every datagram and stream message
// the in-memory network delivers, as tcpdump would: with encryption on,
// no key, value, node ID or label appears in any of them; without it, the
// same run shows them all (so the capture sees what it should).
func TestNothingReadableOnTheWire(t *testing.T) {
	const key, value, label = "database-password", "hunter2-correct-horse", "prod-eu"
	run := func(encrypt bool) (captured [][]byte, missing int) {
		nw := mem.NewNetwork(mem.Config{Seed: 8, OnDeliver: func(_, _ string, b []byte) {
			captured = append(captured, bytes.Clone(b))
		}})
		ring, err := keyring.New(testKey(3))
		require.NoError(t, err)
		var nodes []*scuttlebutt.Node
		for i := range 3 {
			tr, err := nw.NewTransport(addrOf(i))
			require.NoError(t, err)
			var use transport.Transport = tr
			if encrypt {
				use, err = keyring.Wrap(tr, keyring.Config{Keyring: ring, Clock: nw})
				require.NoError(t, err)
			}
			n, err := scuttlebutt.NewBuilder(fmt.Sprintf("node-%d", i)).Transport(use).Clock(nw).
				Seed(uint64(i)).Label(label).GossipInterval(time.Second).Build()
			require.NoError(t, err)
			defer n.Close()
			require.NoError(t, n.UpdateLocal(key, fmt.Sprint(value, i)))
			if i > 0 {
				require.NoError(t, n.Join([]string{addrOf(0)}))
			}
			nodes = append(nodes, n)
		}
		nw.Advance(20 * time.Second)
		for _, n := range nodes {
			for j := range nodes {
				if v, _ := n.Lookup(fmt.Sprintf("node-%d", j), key); v != fmt.Sprint(value, j) {
					missing++
				}
			}
		}
		return captured, missing
	}
	readable := func(captured [][]byte) (n int) {
		for _, b := range captured {
			for _, s := range []string{key, value, "node-1", label} {
				if bytes.Contains(b, []byte(s)) {
					n++
				}
			}
		}
		return n
	}
	plain, missing := run(false)
	require.Zero(t, missing)
	require.NotZero(t, readable(plain), "the capture sees plaintext")
	sealed, missing := run(true)
	require.Zero(t, missing, "the encrypted cluster converges")
	require.Greater(t, len(sealed), 20)
	require.Zero(t, readable(sealed), "nothing readable in %d captured messages", len(sealed))
}

// TestSealDropsInNodeStats: messages sealed with another key, altered in
// one bit, or unsealed reach a Node's Stats as unauthenticated transport
// drops, and change nothing.
func TestSealDropsInNodeStats(t *testing.T) {
	c := newSecureCluster(t)
	ring, err := keyring.New(testKey(1))
	require.NoError(t, err)
	c.start(0, ring, keyring.Require)
	c.write(0, "k", "v")
	other, err := keyring.New(testKey(2))
	require.NoError(t, err)
	c.start(1, other, keyring.Require) // joins through node 0 with the wrong key
	c.nw.Advance(5 * time.Second)
	stranger, err := c.nw.NewTransport("10.9.9.9:1")
	require.NoError(t, err)
	require.NoError(t, stranger.Start(func(string, []byte) {}))
	defer stranger.Close()
	before := c.nodes[0].Stats().TransportDrops.Unauthenticated
	// A datagram sealed with the right key, one bit flipped.
	flipped := captureSeal(t, ring, []byte("any message"))
	flipped[len(flipped)/2] ^= 1
	require.NoError(t, stranger.Send(addrOf(0), flipped))
	require.NoError(t, stranger.Send(addrOf(0), []byte("plaintext")))
	c.nw.Advance(time.Millisecond)
	s := c.nodes[0].Stats()
	require.Equal(t, before+2, s.TransportDrops.Unauthenticated, "the flipped and the plaintext datagram")
	require.NotZero(t, before, "node 1's wrongly sealed messages were counted")
	require.Len(t, c.nodes[0].Members(), 1)
	require.Len(t, c.nodes[1].Members(), 1)
}

// captureSeal seals b with ring as a keyring wrapper would send it.
func captureSeal(t *testing.T, ring *keyring.Keyring, b []byte) []byte {
	t.Helper()
	var got []byte
	nw := mem.NewNetwork(mem.Config{OnDeliver: func(_, _ string, m []byte) { got = bytes.Clone(m) }})
	a, err := nw.NewTransport("a:1")
	require.NoError(t, err)
	z, err := nw.NewTransport("z:1")
	require.NoError(t, err)
	require.NoError(t, z.Start(func(string, []byte) {}))
	w, err := keyring.Wrap(a, keyring.Config{Keyring: ring, Clock: nw})
	require.NoError(t, err)
	require.NoError(t, w.Start(func(string, []byte) {}))
	require.NoError(t, w.Send("z:1", b))
	nw.Advance(time.Millisecond)
	require.NoError(t, w.Close())
	require.NoError(t, z.Close())
	require.NotNil(t, got)
	return got
}
