package scuttlebutt_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

func TestSmallClusterConverges(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 1})
	var nodes []*scuttlebutt.Node
	for i := range 5 {
		tr, err := nw.NewTransport(fmt.Sprintf("n%d", i))
		require.NoError(t, err)
		n, err := scuttlebutt.NewBuilder(fmt.Sprintf("node-%d", i)).Transport(tr).Clock(nw).Seed(uint64(i)).
			GossipInterval(time.Second).Build()
		require.NoError(t, err)
		t.Cleanup(func() { n.Close() })
		nodes = append(nodes, n)
	}
	for i, n := range nodes {
		require.NoError(t, n.UpdateLocal("k", fmt.Sprint("v", i)))
		if i > 0 {
			require.NoError(t, n.Join([]string{"n0"}))
		}
	}
	ok := nw.RunUntil(nw.Now().Add(time.Minute), func() bool {
		for _, n := range nodes {
			for j := range nodes {
				if v, _ := n.Lookup(fmt.Sprintf("node-%d", j), "k"); v != fmt.Sprint("v", j) {
					return false
				}
			}
		}
		return true
	})
	require.True(t, ok)
}
