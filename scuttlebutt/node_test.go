package scuttlebutt_test

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConfigValidationNamesTheField(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{})
	tests := []struct {
		field string
		cfg   scuttlebutt.Config
	}{
		{"ID", scuttlebutt.Config{}},
		{"ID", scuttlebutt.Config{ID: string(make([]byte, 200))}},
		{"Fanout", scuttlebutt.Config{ID: "a", Fanout: 65}},
		{"GossipInterval", scuttlebutt.Config{ID: "a", GossipInterval: -time.Second}},
		{"HeartbeatInterval", scuttlebutt.Config{ID: "a", GossipInterval: time.Second, HeartbeatInterval: 500 * time.Millisecond}},
		{"Monitors", scuttlebutt.Config{ID: "a", Monitors: 17}},
		{"Monitors", scuttlebutt.Config{ID: "a", Monitors: -1}},
		{"MTU", scuttlebutt.Config{ID: "a", MTU: 100}},
		{"Ordering", scuttlebutt.Config{ID: "a", Ordering: 9}},
		{"RemoveAfter", scuttlebutt.Config{ID: "a", RemoveAfter: -1}},
		{"TombstoneGrace", scuttlebutt.Config{ID: "a", TombstoneGrace: -1}},
		{"BindAddr", scuttlebutt.Config{ID: "a", BindAddr: "not an address"}},
		{"BindAddr", scuttlebutt.Config{ID: "a", BindAddr: `{{ GetAllInterfaces | include "name" "^nonexistent$" | attr "address" }}:0`}},
		{"MTU", scuttlebutt.Config{ID: "a", MTU: 9000, Transport: mustTransport(t, nw, "x")}},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			_, err := scuttlebutt.New(tt.cfg)
			require.ErrorIs(t, err, scuttlebutt.ErrInvalidConfig)
			var ce *scuttlebutt.ConfigError
			require.True(t, errors.As(err, &ce))
			require.Equal(t, tt.field, ce.Field, err.Error())
		})
	}
}

func mustTransport(t *testing.T, nw *mem.Network, addr string) *mem.Transport {
	tr, err := nw.NewTransport(addr)
	require.NoError(t, err)
	return tr
}

func TestCreateReportsFailureThroughErr(t *testing.T) {
	n := scuttlebutt.Create(&scuttlebutt.Config{})
	require.ErrorIs(t, n.Err(), scuttlebutt.ErrInvalidConfig)
	require.ErrorIs(t, n.UpdateLocal("k", "v"), scuttlebutt.ErrInvalidConfig)
	require.ErrorIs(t, n.Join([]string{"x"}), scuttlebutt.ErrInvalidConfig)
	_, ok := n.Lookup("a", "k")
	require.False(t, ok)
	require.NoError(t, n.Close())
}

func newMemNode(t *testing.T, nw *mem.Network, id string) *scuttlebutt.Node {
	n, err := scuttlebutt.NewBuilder(id).Transport(mustTransport(t, nw, id)).Clock(nw).Seed(1).Build()
	require.NoError(t, err)
	t.Cleanup(func() { n.Close() })
	return n
}

func TestClosedNodeRefusesCalls(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{})
	n := newMemNode(t, nw, "a")
	require.NoError(t, n.Close())
	require.NoError(t, n.Close())
	for _, err := range []error{n.UpdateLocal("k", "v"), n.DeleteLocal("k"), n.Join([]string{"b"})} {
		require.ErrorIs(t, err, scuttlebutt.ErrClosed)
		require.ErrorIs(t, err, net.ErrClosed)
	}
	require.Zero(t, nw.PendingTimers(), "Close stops the gossip timer")
}

func TestReservedAndEmptyKeysRefused(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{})
	n := newMemNode(t, nw, "a")
	require.ErrorIs(t, n.UpdateLocal("", "v"), scuttlebutt.ErrEmptyKey)
	require.ErrorIs(t, n.UpdateLocal("_sb.addr", "v"), scuttlebutt.ErrReservedKey)
	_, ok := n.Lookup("a", "_sb.addr")
	require.False(t, ok, "reserved keys are not visible")
}

// A subscriber may call back into the Node, even write: its own events come
// after the current one, on the same goroutine, never concurrently.
func TestSubscriberMayCallTheNode(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{})
	n := newMemNode(t, nw, "a")
	var seen []string
	n.Subscribe(func(e scuttlebutt.Event) {
		seen = append(seen, e.Key+"="+e.Value)
		if e.Key == "ping" {
			v, _ := n.Lookup("a", "ping")
			require.NoError(t, n.UpdateLocal("pong", v))
		}
	})
	require.NoError(t, n.UpdateLocal("ping", "1"))
	require.Equal(t, []string{"ping=1", "pong=1"}, seen)
}

func TestSnapshotAndUnsubscribe(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 3})
	a, b := newMemNode(t, nw, "a"), newMemNode(t, nw, "b")
	count := 0
	cancel := b.Subscribe(func(scuttlebutt.Event) { count++ })
	require.NoError(t, a.UpdateLocal("x", "1"))
	require.NoError(t, b.Join([]string{"a"}))
	nw.Advance(3 * time.Second)
	require.Equal(t, 2, count, "join and update")
	cancel()
	require.NoError(t, a.UpdateLocal("x", "2"))
	nw.Advance(3 * time.Second)
	require.Equal(t, 2, count)

	snap := b.Snapshot()
	require.Len(t, snap, 2)
	require.Equal(t, "a", snap[0].ID)
	require.Equal(t, map[string]string{"x": "2"}, snap[0].Keys)
	require.Equal(t, scuttlebutt.StatusAlive, snap[0].Status)
	require.Equal(t, "a", snap[0].Addr)
}
