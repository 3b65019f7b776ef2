package udp

import (
	"sync/atomic"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// Stats are a Transport's counters since New. They only grow.
type Stats struct {
	// Sent and BytesSent count datagrams written to the socket.
	Sent, BytesSent uint64
	// Received and BytesReceived count datagrams passed to the Handler.
	Received, BytesReceived uint64
	// SendErrors counts Send calls that failed for a reason other than the
	// transport being closed: too large, unresolvable, or a socket error.
	SendErrors uint64
	// ReceiveErrors counts socket read errors other than the close.
	ReceiveErrors uint64
	// Oversize counts received datagrams dropped for exceeding the MTU.
	Oversize uint64
	// Malformed counts received datagrams dropped for an invalid source
	// address.
	Malformed uint64
}

// counters holds the live values behind Stats.
type counters struct {
	sent, bytesSent         atomic.Uint64
	received, bytesReceived atomic.Uint64
	sendErrors              atomic.Uint64
	receiveErrors           atomic.Uint64
	oversize, malformed     atomic.Uint64
}

// Stats returns a snapshot of the counters. Each field is read atomically;
// the fields are not read at one instant together.
func (t *Transport) Stats() Stats {
	c := &t.stats
	return Stats{
		Sent:          c.sent.Load(),
		BytesSent:     c.bytesSent.Load(),
		Received:      c.received.Load(),
		BytesReceived: c.bytesReceived.Load(),
		SendErrors:    c.sendErrors.Load(),
		ReceiveErrors: c.receiveErrors.Load(),
		Oversize:      c.oversize.Load(),
		Malformed:     c.malformed.Load(),
	}
}

var _ transport.Counter = (*Transport)(nil)

// Drops reports the received datagrams dropped for exceeding the MTU and
// for an invalid source address (as Decode). Kernel is zero: receive-buffer
// overflows are not read from the socket.
func (t *Transport) Drops() transport.Drops {
	return transport.Drops{Oversize: t.stats.oversize.Load(), Decode: t.stats.malformed.Load()}
}
