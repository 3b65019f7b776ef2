package scuttlebutt_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// TestConfigSlipsOfUnits: durations that can only be a slip of units are
// refused with a ConfigError naming the field the user set, and so is a
// bad AdvertiseAddr (not reported as BindAddr).
func TestConfigSlipsOfUnits(t *testing.T) {
	tests := []struct {
		field string
		cfg   scuttlebutt.Config
	}{
		{"GossipInterval", scuttlebutt.Config{GossipInterval: 500}},
		{"GossipInterval", scuttlebutt.Config{GossipInterval: 9 * time.Millisecond}},
		{"HeartbeatInterval", scuttlebutt.Config{GossipInterval: 0, HeartbeatInterval: 800}},
		{"RemoveAfter", scuttlebutt.Config{RemoveAfter: 120}},
		{"RememberRemoved", scuttlebutt.Config{RememberRemoved: 600 * time.Millisecond}},
		{"TombstoneGrace", scuttlebutt.Config{TombstoneGrace: 300}},
		{"AdvertiseAddr", scuttlebutt.Config{BindAddr: "127.0.0.1:0", AdvertiseAddr: "10.0.0.1:http"}},
		{"AdvertiseAddr", scuttlebutt.Config{BindAddr: "127.0.0.1:0", AdvertiseAddr: "no-port"}},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			cfg := tt.cfg
			cfg.ID = "a"
			n, err := scuttlebutt.New(cfg)
			if n != nil {
				_ = n.Close()
			}
			var ce *scuttlebutt.ConfigError
			require.True(t, errors.As(err, &ce), "a ConfigError, got %v", err)
			require.Equal(t, tt.field, ce.Field, "%v", err)
			require.ErrorIs(t, err, scuttlebutt.ErrInvalidConfig)
		})
	}
	// The smallest sensible values pass.
	nw := mem.NewNetwork(mem.Config{})
	tr, err := nw.NewTransport("a")
	require.NoError(t, err)
	n, err := scuttlebutt.New(scuttlebutt.Config{ID: "a", Transport: tr, Clock: nw, GossipInterval: scuttlebutt.MinInterval,
		RemoveAfter: scuttlebutt.MinGrace, RememberRemoved: scuttlebutt.MinGrace, TombstoneGrace: scuttlebutt.MinGrace})
	require.NoError(t, err)
	require.NoError(t, n.Close())
}

// TestTransportDropsInStats: a transport's own drop counts reach
// Node.Stats (here mem's queue limit).
func TestTransportDropsInStats(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{QueueLimit: 1})
	tr, err := nw.NewTransport("a")
	require.NoError(t, err)
	n, err := scuttlebutt.New(scuttlebutt.Config{ID: "a", Transport: tr, Clock: nw})
	require.NoError(t, err)
	defer n.Close()
	for range 3 {
		require.NoError(t, tr.Send("b", []byte("x")))
	}
	require.Equal(t, uint64(2), n.Stats().TransportDrops.QueueFull)
}
