package scuttlebutt_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/keyring"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// labelled starts a node named id at addr with label, on nw, seeded with
// seeds, and writes "cluster"=label.
func labelled(t *testing.T, nw *mem.Network, id, addr, label string, wrap func(transport.Transport) transport.Transport, seeds ...string) *scuttlebutt.Node {
	t.Helper()
	tr, err := nw.NewTransport(addr)
	require.NoError(t, err)
	var use transport.Transport = tr
	if wrap != nil {
		use = wrap(tr)
	}
	n, err := scuttlebutt.NewBuilder(id).Transport(use).Clock(nw).Seed(uint64(len(id) + len(addr))).
		Label(label).GossipInterval(time.Second).Build()
	require.NoError(t, err)
	t.Cleanup(func() { n.Close() })
	require.NoError(t, n.UpdateLocal("cluster", label))
	if len(seeds) > 0 {
		require.NoError(t, n.Join(seeds))
	}
	return n
}

// TestLabelsKeepClustersApart: two clusters share one network and each
// other's seeds (every node of "blue" also joins through a node of "green",
// and the reverse); an unlabelled node joins through both. After a minute
// every node knows exactly the members of its own cluster, holds no key of
// the others, and the mismatches were counted.
func TestLabelsKeepClustersApart(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 3})
	plain := labelled(t, nw, "plain", "10.0.9.9:1", "", nil, "10.0.1.0:1", "10.0.2.0:1")
	clusters := map[string][]*scuttlebutt.Node{}
	for i := range 4 {
		for _, label := range []string{"blue", "green"} {
			net, other := 1, 2
			if label == "green" {
				net, other = 2, 1
			}
			id := fmt.Sprintf("%s-%d", label, i)
			seeds := []string{fmt.Sprintf("10.0.%d.0:1", other), "10.0.9.9:1"}
			if i > 0 {
				seeds = append(seeds, fmt.Sprintf("10.0.%d.0:1", net))
			}
			addr := fmt.Sprintf("10.0.%d.%d:1", net, i)
			clusters[label] = append(clusters[label], labelled(t, nw, id, addr, label, nil, seeds...))
		}
	}
	nw.Advance(time.Minute)

	for label, nodes := range clusters {
		for _, n := range nodes {
			var ids []string
			for _, m := range n.Members() {
				ids = append(ids, m)
				require.True(t, strings.HasPrefix(m, label+"-"), "%s sees %s", n.ID(), m)
			}
			require.Len(t, ids, 4, "%s members %v", n.ID(), ids)
			for j := range 4 {
				v, ok := n.Lookup(fmt.Sprintf("%s-%d", label, j), "cluster")
				require.True(t, ok && v == label, "%s lacks %s-%d", n.ID(), label, j)
			}
			_, ok := n.Lookup("plain", "cluster")
			require.False(t, ok)
		}
	}
	require.Len(t, plain.Members(), 1, "the unlabelled node stays alone")
	require.NotZero(t, plain.Stats().LabelDrops)
	require.NotZero(t, clusters["blue"][0].Stats().LabelDrops)
	require.NotZero(t, clusters["green"][0].Stats().LabelDrops)
	require.Zero(t, clusters["blue"][0].Stats().DecodeErrors, "a mismatch is a label drop, not a decode error")
}

// TestLabelWithKeyring: a label under a keyring seal; the same key but
// another label still keeps a node out.
func TestLabelWithKeyring(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 4})
	ring, err := keyring.New(testKey(1))
	require.NoError(t, err)
	seal := func(tr transport.Transport) transport.Transport {
		w, err := keyring.Wrap(tr, keyring.Config{Keyring: ring, Clock: nw})
		require.NoError(t, err)
		return w
	}
	var nodes []*scuttlebutt.Node
	for i := range 3 {
		var seeds []string
		if i > 0 {
			seeds = []string{"10.0.0.0:1"}
		}
		nodes = append(nodes, labelled(t, nw, fmt.Sprintf("n%d", i), fmt.Sprintf("10.0.0.%d:1", i), "prod", seal, seeds...))
	}
	intruder := labelled(t, nw, "x", "10.0.0.99:1", "staging", seal, "10.0.0.0:1")
	nw.Advance(30 * time.Second)
	for _, n := range nodes {
		require.Len(t, n.Members(), 3, n.ID())
	}
	require.Len(t, intruder.Members(), 1)
	require.NotZero(t, nodes[0].Stats().LabelDrops)
}

// TestLabelCountsAgainstTheMTU: with the longest label, every datagram
// still fits the MTU while a node with more state than one datagram holds
// is caught up.
func TestLabelCountsAgainstTheMTU(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 5})
	label := strings.Repeat("L", scuttlebutt.MaxLabelLength)
	mk := func(id string, seeds ...string) *scuttlebutt.Node {
		tr, err := nw.NewTransport(id)
		require.NoError(t, err)
		n, err := scuttlebutt.NewBuilder(id).Transport(tr).Clock(nw).Seed(9).Label(label).
			MTU(1000).DisableStreams(true).GossipInterval(time.Second).Build()
		require.NoError(t, err)
		t.Cleanup(func() { n.Close() })
		if len(seeds) > 0 {
			require.NoError(t, n.Join(seeds))
		}
		return n
	}
	a := mk("a")
	for i := range 50 {
		require.NoError(t, a.UpdateLocal(fmt.Sprintf("key-%03d", i), strings.Repeat("v", 40)))
	}
	b := mk("b", "a")
	ok := nw.RunUntil(nw.Now().Add(time.Minute), func() bool {
		v, _ := b.Lookup("a", "key-049")
		return v != ""
	})
	require.True(t, ok)
	require.Greater(t, a.Stats().LargestSent, 900, "messages were packed up to the MTU")
	for _, n := range []*scuttlebutt.Node{a, b} {
		s := n.Stats()
		require.LessOrEqual(t, s.LargestSent, 1000)
		require.Zero(t, s.Oversize)
		require.Zero(t, s.LabelDrops)
	}
}

func TestLabelTooLongRefused(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{})
	tr, err := nw.NewTransport("a")
	require.NoError(t, err)
	_, err = scuttlebutt.NewBuilder("a").Transport(tr).Clock(nw).Label(strings.Repeat("x", 256)).Build()
	var ce *scuttlebutt.ConfigError
	require.True(t, errors.As(err, &ce), "%v", err)
	require.Equal(t, "Label", ce.Field)
}
