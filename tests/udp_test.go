package tests

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
)

// recorder collects a node's events for assertions.
type recorder struct {
	mu     sync.Mutex
	events []scuttlebutt.Event
}

func (r *recorder) OnEvent(e scuttlebutt.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) has(kind scuttlebutt.EventKind, node, key, value string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Kind == kind && e.Node == node && e.Key == key && e.Value == value {
			return true
		}
	}
	return false
}

// TestUDPClusterSeedUsage runs the seed README's usage on loopback UDP:
// three nodes discover each other and propagate updates.
func TestUDPClusterSeedUsage(t *testing.T) {
	defer goleak.VerifyNone(t)
	var nodes []*scuttlebutt.Node
	var subs []*recorder
	for i := range 3 {
		sub := &recorder{}
		node := scuttlebutt.Create(&scuttlebutt.Config{
			ID:              fmt.Sprintf("node-%d", i),
			BindAddr:        "127.0.0.1:0",
			EventSubscriber: sub,
			GossipInterval:  20 * time.Millisecond,
		})
		require.NoError(t, node.Err())
		defer node.Close()
		require.NoError(t, node.UpdateLocal("service", "ordering"))
		require.NoError(t, node.UpdateLocal("state", "booting"))
		nodes, subs = append(nodes, node), append(subs, sub)
	}
	require.NoError(t, nodes[1].Join([]string{nodes[0].Addr()}))
	require.NoError(t, nodes[2].Join([]string{nodes[0].Addr()}))

	for i, sub := range subs {
		for j := range nodes {
			if i == j {
				continue
			}
			id := nodes[j].ID()
			require.Eventually(t, func() bool { return sub.has(scuttlebutt.EventUpdate, id, "state", "booting") },
				5*time.Second, 5*time.Millisecond, "node-%d never saw %s's state", i, id)
		}
	}
	require.NoError(t, nodes[2].UpdateLocal("state", "active"))
	for i := range 2 {
		require.Eventually(t, func() bool { return subs[i].has(scuttlebutt.EventUpdate, "node-2", "state", "active") },
			5*time.Second, 5*time.Millisecond)
		v, ok := nodes[i].Lookup("node-2", "state")
		require.True(t, ok)
		require.Equal(t, "active", v)
	}
	require.Len(t, nodes[0].Members(), 3)

	// A node that leaves is reported as left everywhere.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, nodes[2].Leave(ctx))
	for i := range 2 {
		require.Eventually(t, func() bool { return subs[i].has(scuttlebutt.EventLeave, "node-2", "", "") },
			5*time.Second, 5*time.Millisecond)
	}
	for _, n := range nodes {
		require.NoError(t, n.Close())
		require.NoError(t, n.Close(), "Close is idempotent")
	}
}
