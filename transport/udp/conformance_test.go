package udp_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/transporttest"
	"github.com/scuttlebutt-go/scuttlebutt/transport/udp"
)

func TestConformance(t *testing.T) {
	transporttest.Run(t, transporttest.Suite{New: func(t *testing.T) transport.Transport { return newLoopback(t, udp.Config{}) }})
}

// newLoopback returns a transport on an ephemeral 127.0.0.1 port, closed
// when t ends. cfg.BindAddr defaults to "127.0.0.1:0".
func newLoopback(t testing.TB, cfg udp.Config) *udp.Transport {
	t.Helper()
	if cfg.BindAddr == "" {
		cfg.BindAddr = "127.0.0.1:0"
	}
	tr, err := udp.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}
