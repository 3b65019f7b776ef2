package tcp_test

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport/tcp"
)

// waitFor bounds every wait on a delivery.
const waitFor = 5 * time.Second

type message struct {
	from string
	b    []byte
}

// fastConfig retries quickly so that tests about failures stay short.
func fastConfig() tcp.Config {
	return tcp.Config{
		DialTimeout:  time.Second,
		WriteTimeout: 500 * time.Millisecond,
		BackoffMin:   5 * time.Millisecond,
		BackoffMax:   20 * time.Millisecond,
	}
}

// node starts a Transport whose Handler copies every message into the
// returned channel. It is closed at the end of the test.
func node(t testing.TB, cfg tcp.Config) (*tcp.Transport, chan message) {
	t.Helper()
	tr, err := tcp.New(cfg)
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
// delivers it: delivery is best effort while a peer restarts.
func sendUntilReceived(t testing.TB, tr *tcp.Transport, addr string, b []byte, ch <-chan message) message {
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

// silentListener accepts connections and never reads from them. accepted
// receives a value for each connection.
func silentListener(t testing.TB) (addr string, accepted <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	acc := make(chan struct{}, 100)
	go func() {
		defer close(done)
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
			select {
			case acc <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().String(), acc
}
