package scuttlebutt_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// TestStatsByKind: the per-kind counters add up to the totals, on both
// sides, and what one node sent of a kind is what the other received.
func TestStatsByKind(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 11})
	var nodes []*scuttlebutt.Node
	for i := range 2 {
		tr, err := nw.NewTransport(fmt.Sprintf("10.0.0.%d:1", i))
		require.NoError(t, err)
		n, err := scuttlebutt.NewBuilder(fmt.Sprintf("n%d", i)).Transport(tr).Clock(nw).Seed(uint64(i)).
			Label("test").GossipInterval(time.Second).Build()
		require.NoError(t, err)
		t.Cleanup(func() { n.Close() })
		require.NoError(t, n.UpdateLocal("k", "v"))
		nodes = append(nodes, n)
	}
	require.NoError(t, nodes[1].Join([]string{"10.0.0.0:1"}))
	nw.Advance(30 * time.Second)
	for _, n := range nodes {
		require.NoError(t, n.Close())
	}
	a, b := nodes[0].Stats(), nodes[1].Stats()
	for _, s := range []scuttlebutt.Stats{a, b} {
		k := s.SentByKind
		require.Equal(t, s.MessagesSent, k.Syn.Messages+k.SynAck.Messages+k.Ack.Messages+k.Ping.Messages+k.Pong.Messages)
		require.Equal(t, s.BytesSent, k.Syn.Bytes+k.SynAck.Bytes+k.Ack.Bytes+k.Ping.Bytes+k.Pong.Bytes)
		r := s.ReceivedByKind
		require.Equal(t, s.MessagesReceived, r.Syn.Messages+r.SynAck.Messages+r.Ack.Messages+r.Ping.Messages+r.Pong.Messages)
		require.Equal(t, s.SynReceived, r.Syn.Messages)
		require.NotZero(t, k.Ping.Messages)
		require.NotZero(t, k.Pong.Messages)
	}
	// Nothing is lost on the mem network without loss.
	require.Equal(t, a.SentByKind, b.ReceivedByKind)
	require.Equal(t, b.SentByKind, a.ReceivedByKind)
}
