package quic_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/quic"
	"github.com/scuttlebutt-go/scuttlebutt/transport/transporttest"
)

// QUIC datagrams are unreliable, so the suite holds it to MinDelivery. The
// queue holds a whole burst of the suite's concurrent case, which starts
// while the connection is being dialled.
func TestConformance(t *testing.T) {
	transporttest.Run(t, transporttest.Suite{
		New: func(t *testing.T) transport.Transport {
			cfg := fastConfig()
			cfg.QueueSize = 1024
			tr, err := quic.New(cfg)
			require.NoError(t, err)
			return tr
		},
		StalledPeer: func(t *testing.T) string { return stalledPeer(t) },
	})
}
