package tcp

import (
	"sync/atomic"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/peerq"
)

// Stats counts what a Transport did since New. Every field only grows.
type Stats struct {
	// Sent is the number of datagrams written to a connection.
	Sent uint64
	// Received is the number of messages (datagrams and streams) handed to
	// the Handler.
	Received uint64
	// DroppedQueueFull counts datagrams dropped because the peer's send
	// queue was full: the peer reads too slowly, or is being dialled.
	DroppedQueueFull uint64
	// DroppedUnreachable counts datagrams dropped because the dial failed or
	// the peer was backing off after a failed dial.
	DroppedUnreachable uint64
	// DroppedWriteFailed counts datagrams lost when a write failed or timed
	// out and the connection was closed.
	DroppedWriteFailed uint64
	// DialFailures counts failed outbound connection attempts.
	DialFailures uint64
	// ProtocolErrors counts inbound connections closed for a malformed
	// hello or a frame above the limit.
	ProtocolErrors uint64
}

type counters struct {
	sent, received               atomic.Uint64
	droppedWr                    atomic.Uint64
	drops                        peerq.Drops // of Send, and after failed dials
	dialFailures, protocolErrors atomic.Uint64
}

// Stats returns a snapshot of the counters.
func (t *Transport) Stats() Stats {
	c := &t.stats
	return Stats{
		Sent:               c.sent.Load(),
		Received:           c.received.Load(),
		DroppedQueueFull:   c.drops.Full.Load(),
		DroppedUnreachable: c.drops.Unreachable.Load(),
		DroppedWriteFailed: c.droppedWr.Load(),
		DialFailures:       c.dialFailures.Load(),
		ProtocolErrors:     c.protocolErrors.Load(),
	}
}

var _ transport.Counter = (*Transport)(nil)

// Drops reports the datagrams dropped for a full send queue, and the
// inbound connections closed for a malformed hello or frame (as Decode).
func (t *Transport) Drops() transport.Drops {
	return transport.Drops{QueueFull: t.stats.drops.Full.Load(), Decode: t.stats.protocolErrors.Load()}
}
