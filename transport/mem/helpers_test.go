package mem

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// delivery is one datagram seen by a recording handler.
type delivery struct {
	from string
	data string
}

// recorder collects what a transport's handler receives.
type recorder struct{ got []delivery }

func (r *recorder) handle(from string, b []byte) {
	r.got = append(r.got, delivery{from, string(b)})
}

// newStarted attaches started transports at addrs, each with a recorder.
func newStarted(t *testing.T, n *Network, addrs ...string) ([]*Transport, []*recorder) {
	t.Helper()
	ts := make([]*Transport, len(addrs))
	rs := make([]*recorder, len(addrs))
	for i, a := range addrs {
		tr, err := n.NewTransport(a)
		require.NoError(t, err)
		rs[i] = &recorder{}
		require.NoError(t, tr.Start(rs[i].handle))
		ts[i] = tr
	}
	return ts, rs
}
