package tcp_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/tcp"
	"github.com/scuttlebutt-go/scuttlebutt/transport/transporttest"
)

// TCP is reliable while no queue overflows: the queue holds a whole burst
// of the suite's concurrent case.
func TestConformance(t *testing.T) {
	transporttest.Run(t, transporttest.Suite{
		Reliable: true,
		New: func(t *testing.T) transport.Transport {
			cfg := fastConfig()
			cfg.QueueSize = 1024
			tr, err := tcp.New(cfg)
			require.NoError(t, err)
			return tr
		},
		StalledPeer: func(t *testing.T) string { return stalledPeer(t) },
	})
}
