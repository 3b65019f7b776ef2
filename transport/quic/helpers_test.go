package quic_test

import (
	"crypto/tls"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport/quic"
)

// waitFor bounds every wait on a delivery.
const waitFor = 5 * time.Second

type message struct {
	from string
	b    []byte
}

// clusterTLS is shared by every node of the tests: SelfSignedTLS is mutual,
// so nodes must share one configuration.
var clusterTLS = sync.OnceValue(func() *tls.Config {
	c, err := quic.SelfSignedTLS()
	if err != nil {
		panic(err)
	}
	return c
})

// fastConfig retries quickly so that tests about failures stay short. Its
// DialTimeout leaves room for several handshakes at once under -race on 2
// cores; tests that dial dead peers shorten it.
func fastConfig() quic.Config {
	return quic.Config{
		TLS:          clusterTLS(),
		DialTimeout:  3 * time.Second,
		WriteTimeout: 5 * time.Second,
		BackoffMin:   5 * time.Millisecond,
		BackoffMax:   20 * time.Millisecond,
	}
}

// node starts a Transport whose Handler copies every message into the
// returned channel. It is closed at the end of the test.
func node(t testing.TB, cfg quic.Config) (*quic.Transport, chan message) {
	t.Helper()
	tr, err := quic.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tr.Close()) })
	ch := make(chan message, 4096)
	require.NoError(t, tr.Start(func(from string, b []byte) {
		ch <- message{from: from, b: append([]byte(nil), b...)}
	}))
	return tr, ch
}

func receive(t testing.TB, ch <-chan message) message {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(waitFor):
		t.Fatal("timed out waiting for a message")
		return message{}
	}
}

// sendUntilReceived sends b to addr every few milliseconds until ch
// delivers it: datagrams may be lost.
func sendUntilReceived(t testing.TB, tr *quic.Transport, addr string, b []byte, ch <-chan message) message {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(waitFor)
	for {
		require.NoError(t, tr.Send(addr, b))
		select {
		case m := <-ch:
			return m
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%s never received the message", addr)
		}
	}
}
