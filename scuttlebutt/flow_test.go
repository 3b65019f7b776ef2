package scuttlebutt_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// SetMTU refuses what New refuses as Config.MTU, and a lowered MTU bounds
// every datagram sent after it.
func TestSetMTU(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 1, MTU: 4000})
	var nodes []*scuttlebutt.Node
	for _, id := range []string{"a", "b"} {
		n, err := scuttlebutt.NewBuilder(id).Transport(mustTransport(t, nw, id+":1")).Clock(nw).Seed(1).
			MTU(4000).DisablePush(true).DisableStreams(true).Build()
		require.NoError(t, err)
		defer n.Close()
		nodes = append(nodes, n)
	}
	a, b := nodes[0], nodes[1]
	for _, bad := range []int{100, scuttlebutt.MinMTU - 1, 4001} {
		err := a.SetMTU(bad)
		var ce *scuttlebutt.ConfigError
		require.ErrorIs(t, err, scuttlebutt.ErrInvalidConfig, "MTU %d", bad)
		require.True(t, errors.As(err, &ce))
		assert.Equal(t, "MTU", ce.Field)
	}
	require.NoError(t, a.SetMTU(600))
	require.NoError(t, b.SetMTU(600))
	for i := range 26 {
		require.NoError(t, a.UpdateLocal("key-"+string(rune('a'+i)), "a value of some length, forty bytes long"))
	}
	require.NoError(t, b.Join([]string{"a:1"}))
	nw.Advance(30 * time.Second)
	largest := max(a.Stats().LargestSent, b.Stats().LargestSent)
	assert.LessOrEqual(t, largest, 600)
	assert.Greater(t, largest, 400, "messages are packed up to the new MTU")
	v, ok := b.Lookup("a", "key-z")
	assert.True(t, ok)
	assert.Equal(t, "a value of some length, forty bytes long", v)
}

// With FlowControl, writes beyond the allowed rate wait at the node (its
// reads see them at once) and go out later; none is lost.
func TestFlowControlNode(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 1})
	var nodes []*scuttlebutt.Node
	for _, id := range []string{"a", "b"} {
		n, err := scuttlebutt.NewBuilder(id).Transport(mustTransport(t, nw, id+":1")).Clock(nw).Seed(2).
			GossipInterval(time.Second).FlowControl(true).Build()
		require.NoError(t, err)
		defer n.Close()
		nodes = append(nodes, n)
	}
	a, b := nodes[0], nodes[1]
	require.NoError(t, b.Join([]string{"a:1"}))
	nw.Advance(5 * time.Second)
	for i := range 10 {
		require.NoError(t, a.UpdateLocal("k", string(rune('0'+i)))) // merged: one key waits
		require.NoError(t, a.UpdateLocal(string(rune('a'+i)), "x"))
	}
	f := a.Flow()
	assert.Greater(t, f.Pending, 0)
	assert.Greater(t, f.Max, 0.0)
	v, _ := a.Lookup("a", "k")
	assert.Equal(t, "9", v, "a node reads its own waiting write")
	nw.Advance(60 * time.Second)
	assert.Zero(t, a.Flow().Pending)
	v, _ = b.Lookup("a", "k")
	assert.Equal(t, "9", v)
	for i := range 10 {
		_, ok := b.Lookup("a", string(rune('a'+i)))
		assert.True(t, ok)
	}
}
