package tests

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// Hostile peers without a key, on the deterministic network: a sender at an
// address of its own crafts valid messages with the codec package (or
// mutates captured ones) and sends them to the cluster.

// hostileCluster starts n nodes joined through node 0, each with a key of
// its own, and runs them until every view is exact.
func hostileCluster(t *testing.T, n int, opts memOptions) *memCluster {
	t.Helper()
	c := newMemCluster(t, n, opts)
	for i := range n {
		require.NoError(t, c.nodes[i].UpdateLocal("role", "real"))
	}
	for i := 1; i < n; i++ {
		c.join(i, 0)
	}
	_, ok := c.runUntil(100, func() bool { return c.divergence() == "" })
	require.True(t, ok, "the cluster converges first: %s", c.divergence())
	return c
}

// sink is a transport at an address of the test's, counting what reaches
// it and keeping a copy of each datagram.
type sink struct {
	tr    *mem.Transport
	bytes int
	got   [][]byte
}

func newSink(t *testing.T, nw *mem.Network, addr string) *sink {
	t.Helper()
	tr, err := nw.NewTransport(addr)
	require.NoError(t, err)
	s := &sink{tr: tr}
	require.NoError(t, tr.Start(func(_ string, b []byte) {
		s.bytes += len(b)
		s.got = append(s.got, append([]byte(nil), b...))
	}))
	t.Cleanup(func() { _ = tr.Close() })
	return s
}

func encode(t *testing.T, m *codec.Message) []byte {
	t.Helper()
	b, err := binary.Codec{}.Append(nil, m)
	require.NoError(t, err)
	return b
}

// TestHostileReflection: a sender no node knows (or one forging the source
// address of a victim) gets back at most 3x the bytes it sent.
func TestHostileReflection(t *testing.T) {
	sent, back := reflect(t, memOptions{seed: 11})
	ratio := float64(back) / float64(sent)
	t.Logf("reflection: %d bytes sent, %d bytes back (%.2fx)", sent, back, ratio)
	require.NotZero(t, back, "the sender was answered (within the limit)")
	require.LessOrEqual(t, back, 3*sent, "at most 3x the bytes received go back")
	// The same without the rule: the test would see the amplification.
	sent, back = reflect(t, memOptions{seed: 11, configure: func(b *scuttlebutt.Builder) { b.AmplificationFactor(-1) }})
	t.Logf("reflection without the rule: %d bytes sent, %d bytes back (%.2fx)", sent, back, float64(back)/float64(sent))
	require.Greater(t, back, 3*sent, "without the rule, answers amplify")
}

// reflect sends crafted SYNs and PINGs from one address for 20 rounds and
// returns the bytes sent and the bytes that came back to it.
func reflect(t *testing.T, opts memOptions) (sent, back int) {
	c := hostileCluster(t, 5, opts)
	for i := range c.nodes {
		for k := range 20 {
			require.NoError(t, c.nodes[i].UpdateLocal(fmt.Sprint("key-", k), strings.Repeat("v", 40)))
		}
	}
	_, ok := c.runUntil(100, func() bool { return c.divergence() == "" })
	require.True(t, ok)
	victim := newSink(t, c.net, "10.66.0.1:7946")
	for r := range 20 {
		// A SYN with a hash no node holds, and one listing a node: both
		// make a node answer with its own state, many times larger.
		for i, m := range []*codec.Message{
			{Kind: codec.KindSyn, From: "x", Hash: 0x1234567 + uint64(r)},
			{Kind: codec.KindSyn, From: "x", Hash: 99, Digest: codec.Digest{Entries: []codec.DigestEntry{{ID: memID(1)}}}},
			{Kind: codec.KindPing, From: "x", Hash: 42},
		} {
			b := encode(t, m)
			sent += len(b)
			require.NoError(t, victim.tr.Send(c.addrs[(r+i)%5], b))
		}
		c.round()
	}
	return sent, victim.bytes
}

// TestHostileFakeMemberAddress: a fake member whose advertised address is a
// third party's gets probes only (PINGs and bare SYNs), never state.
func TestHostileFakeMemberAddress(t *testing.T) {
	c := hostileCluster(t, 5, memOptions{seed: 12})
	attacker := newSink(t, c.net, "10.66.0.2:7946")
	third := newSink(t, c.net, "10.77.0.1:7946")
	for k := range 10 {
		id := "fake-" + string(rune('a'+k))
		d := codec.NodeDelta{ID: id, Generation: 1, Upto: 2, Entries: []codec.Entry{
			{Key: "_sb.addr", Value: third.tr.LocalAddr(), Version: 1},
			{Key: "big", Value: string(make([]byte, 200)), Version: 2}}}
		b := encode(t, &codec.Message{Kind: codec.KindAck, From: id, Deltas: []codec.NodeDelta{d}})
		for i := range c.addrs {
			require.NoError(t, attacker.tr.Send(c.addrs[i], b))
		}
	}
	c.runUntil(30, func() bool { return false })
	known := 0
	for _, n := range c.nodes {
		if _, ok := n.NodeState("fake-a"); ok {
			known++
		}
	}
	require.NotZero(t, known, "the fake members were taken in")
	for _, b := range third.got {
		m, err := binary.Codec{}.Decode(b)
		require.NoError(t, err)
		probe := m.Kind == codec.KindPing || m.Kind == codec.KindSyn && len(m.Digest.Entries) == 0 &&
			len(m.Requests) == 0 && len(m.Deltas) == 0 && len(m.Buckets) == 0
		require.True(t, probe, "only probes go to an address learned from gossip: got %v", m.Kind)
	}
	t.Logf("fake member address: %d datagrams, %d bytes in 30 rounds, all probes", len(third.got), third.bytes)
	require.Less(t, third.bytes, 30*5*10*64, "probes are small")
	require.Empty(t, attacker.got, "nothing went back to the attacker's own address but within 3x: it sent ACKs only")
}

// TestHostileTakeover: a datagram claiming a node's ID at a newer
// generation. At 2^64-1 (beyond MaxGenerationSkew) it is refused; within
// the skew, the real node takes a generation above it and is visible to
// every node again within 10 rounds.
func TestHostileTakeover(t *testing.T) {
	for _, tc := range []struct {
		name    string
		gen     func(now time.Time) uint64
		refused bool
	}{
		{"generation 2^64-1", func(time.Time) uint64 { return math.MaxUint64 }, true},
		{"a day ahead", func(now time.Time) uint64 { return uint64(now.Add(24 * time.Hour).UnixNano()) }, false},
		{"just above", func(time.Time) uint64 { return 2 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := hostileCluster(t, 5, memOptions{seed: 13})
			attacker := newSink(t, c.net, "10.66.0.3:7946")
			const victim = 1
			d := codec.NodeDelta{ID: memID(victim), Generation: tc.gen(c.net.Now()), Upto: 1,
				Entries: []codec.Entry{{Key: "role", Value: "fake", Version: 1}}}
			b := encode(t, &codec.Message{Kind: codec.KindAck, From: "evil", Deltas: []codec.NodeDelta{d}})
			for i := range c.addrs {
				if i != victim {
					require.NoError(t, attacker.tr.Send(c.addrs[i], b))
				}
			}
			c.net.Advance(time.Millisecond) // delivered
			if tc.refused {
				var refused uint64
				for _, n := range c.nodes {
					refused += n.Stats().GenerationsRefused
				}
				require.Equal(t, uint64(len(c.nodes)-1), refused, "every receiver refused it")
				require.Empty(t, c.divergence(), "nothing changed")
				return
			}
			rounds, ok := c.runUntil(10, func() bool { return c.divergence() == "" })
			t.Logf("%s: the real node is back everywhere after %d rounds", tc.name, rounds)
			require.True(t, ok, "the real node is visible to every node within 10 rounds: %s", c.divergence())
			require.Greater(t, c.nodes[victim].Generation(), d.Generation)
			require.NotZero(t, c.nodes[victim].Stats().GenerationBumps)
		})
	}
}

// TestHostileSpoofedVersion: a datagram writes a node's keys at a version
// above its owner's counter. The owner refutes, and its next write reaches
// every node within 10 rounds; the forged key is gone.
func TestHostileSpoofedVersion(t *testing.T) {
	c := hostileCluster(t, 5, memOptions{seed: 14})
	attacker := newSink(t, c.net, "10.66.0.4:7946")
	const owner = 2
	own, _ := c.nodes[owner].NodeState(memID(owner))
	v := own.Version
	d := codec.NodeDelta{ID: memID(owner), Generation: own.Generation, From: v, Upto: v + 1000, Entries: []codec.Entry{
		{Key: "injected", Value: "1", Version: v + 999},
		{Key: "role", Value: "forged", Version: v + 1000}}}
	b := encode(t, &codec.Message{Kind: codec.KindAck, From: "evil", Deltas: []codec.NodeDelta{d}})
	for i := range c.addrs {
		if i != owner {
			require.NoError(t, attacker.tr.Send(c.addrs[i], b))
		}
	}
	c.net.Advance(time.Millisecond)
	got, _ := c.nodes[0].Lookup(memID(owner), "role")
	require.Equal(t, "forged", got, "the forgery landed")
	require.NoError(t, c.nodes[owner].UpdateLocal("role", "next"))
	rounds, ok := c.runUntil(10, func() bool {
		for i := range c.nodes {
			if v, _ := c.nodes[i].Lookup(memID(owner), "role"); v != "next" {
				return false
			}
		}
		return c.divergence() == ""
	})
	t.Logf("spoofed version: the owner's next write reached every node after %d rounds", rounds)
	require.True(t, ok, "the owner's write reaches every node within 10 rounds: %s", c.divergence())
	for i := range c.nodes {
		_, forged := c.nodes[i].Lookup(memID(owner), "injected")
		require.False(t, forged, "node-%d dropped the forged key", i)
	}
	require.NotZero(t, c.nodes[owner].Stats().VersionBumps)
}

// TestHostileMutations feeds 10^5 mutations (bit flips, truncations, byte
// overwrites) of real captured datagrams to the nodes. No panic; state
// stays bounded; once the mutations stop, every owner's keys converge back
// and the made-up nodes are removed.
func TestHostileMutations(t *testing.T) {
	total := 100_000
	if testing.Short() || raceEnabled {
		total = 10_000
	}
	var captured [][]byte
	c := hostileCluster(t, 5, memOptions{seed: 15, removeAfter: 30 * time.Second, onDeliver: func(_, _ string, b []byte) {
		if len(captured) < 2000 {
			captured = append(captured, append([]byte(nil), b...))
		}
	}})
	for i := range c.nodes {
		require.NoError(t, c.nodes[i].UpdateLocal("k", "v"))
	}
	c.runUntil(5, func() bool { return false })
	require.NotEmpty(t, captured)
	attacker := newSink(t, c.net, "10.66.0.5:7946")
	rng := rand.New(rand.NewPCG(15, 16))
	const perRound = 2000
	maxKnown := 0
	for sent := 0; sent < total; {
		for range perRound {
			b := mutate(rng, captured[rng.IntN(len(captured))])
			_ = attacker.tr.Send(c.addrs[rng.IntN(len(c.addrs))], b)
			sent++
		}
		c.round()
		for _, n := range c.nodes {
			maxKnown = max(maxKnown, len(n.Members()))
		}
	}
	t.Logf("mutations: %d sent; at most %d members known to one node", total, maxKnown)
	require.Less(t, maxKnown, total/10, "state stays bounded")
	rounds, ok := c.runUntil(120, func() bool { return c.divergence() == "" })
	t.Logf("mutations: owners' keys converged back after %d rounds", rounds)
	require.True(t, ok, "every owner's keys converge back: %s", c.divergence())
	for i := range c.nodes {
		v, _ := c.nodes[i].Lookup(memID(i), "k")
		require.Equal(t, "v", v)
	}
	c.runUntil(300, func() bool { return false })
	left := 0
	for _, n := range c.nodes {
		left = max(left, len(n.Members())-len(c.nodes))
	}
	t.Logf("mutations: %d made-up nodes still known to one node 300 rounds later", left)
	require.LessOrEqual(t, left, maxKnown, "no more made-up nodes once the mutations stop")
}

// mutate returns a copy of b with one to three bit flips, a truncation, or
// a byte overwrite.
func mutate(rng *rand.Rand, b []byte) []byte {
	out := append([]byte(nil), b...)
	if len(out) == 0 {
		return out
	}
	switch rng.IntN(4) {
	case 0:
		out = out[:rng.IntN(len(out))]
	case 1:
		out[rng.IntN(len(out))] = byte(rng.IntN(256))
	default:
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(out))
			out[i] ^= 1 << rng.IntN(8)
		}
	}
	return out
}

// FuzzNode feeds mutated valid messages through a whole Node in a
// converged 3-node cluster: no panic, and once the input stops, every
// owner's keys converge back.
func FuzzNode(f *testing.F) {
	var seeds [][]byte
	nw := mem.NewNetwork(mem.Config{Seed: 1, OnDeliver: func(_, _ string, b []byte) {
		if len(seeds) < 64 {
			seeds = append(seeds, append([]byte(nil), b...))
		}
	}})
	var nodes []*scuttlebutt.Node
	for i := range 3 {
		tr, err := nw.NewTransport(memID(i))
		if err != nil {
			f.Fatal(err)
		}
		n, err := scuttlebutt.NewBuilder(memID(i)).Transport(tr).Clock(nw).Seed(uint64(i)).Generation(1).Build()
		if err != nil {
			f.Fatal(err)
		}
		nodes = append(nodes, n)
		_ = n.UpdateLocal("k", "v")
		if i > 0 {
			_ = n.Join([]string{memID(0)})
		}
	}
	nw.Advance(10 * time.Second)
	for _, n := range nodes {
		_ = n.Close()
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c := hostileCluster(t, 3, memOptions{seed: 1})
		attacker := newSink(t, c.net, "10.66.0.6:7946")
		for i := range c.addrs {
			_ = attacker.tr.Send(c.addrs[i], b)
		}
		c.round()
		_, ok := c.runUntil(30, func() bool { return c.divergence() == "" })
		require.True(t, ok, "owners' keys converge back: %s", c.divergence())
	})
}
