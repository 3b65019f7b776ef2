package quic

import (
	"sync/atomic"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/peerq"
)

// Stats counts what a Transport did since New. Every field only grows.
type Stats struct {
	// Sent is the number of messages handed to QUIC by Send's writers.
	Sent uint64
	// SentOnStream is the part of Sent that went over a batch stream rather
	// than as a datagram: too large for a datagram, or part of a burst.
	SentOnStream uint64
	// Received is the number of messages (datagrams and streams) handed to
	// the Handler.
	Received uint64
	// DroppedQueueFull counts messages dropped because the peer's send
	// queue was full: the peer is slow, or being dialled.
	DroppedQueueFull uint64
	// DroppedUnreachable counts messages dropped because the dial failed or
	// the peer was backing off after a failed dial.
	DroppedUnreachable uint64
	// DroppedSendFailed counts messages lost when sending on an established
	// connection failed.
	DroppedSendFailed uint64
	// DialFailures counts failed outbound connection attempts.
	DialFailures uint64
	// ProtocolErrors counts bad hellos (the connection is closed) and bad or
	// oversized streams (the stream is cancelled).
	ProtocolErrors uint64
}

type counters struct {
	sent, sentOnStream, received atomic.Uint64
	droppedSend                  atomic.Uint64
	drops                        peerq.Drops // of Send, and after failed dials
	dialFailures, protocolErrors atomic.Uint64
}

// Stats returns a snapshot of the counters.
func (t *Transport) Stats() Stats {
	c := &t.stats
	return Stats{
		Sent:               c.sent.Load(),
		SentOnStream:       c.sentOnStream.Load(),
		Received:           c.received.Load(),
		DroppedQueueFull:   c.drops.Full.Load(),
		DroppedUnreachable: c.drops.Unreachable.Load(),
		DroppedSendFailed:  c.droppedSend.Load(),
		DialFailures:       c.dialFailures.Load(),
		ProtocolErrors:     c.protocolErrors.Load(),
	}
}

var _ transport.Counter = (*Transport)(nil)

// Drops reports the messages dropped for a full send queue, and the bad
// hellos and streams (as Decode).
func (t *Transport) Drops() transport.Drops {
	return transport.Drops{QueueFull: t.stats.drops.Full.Load(), Decode: t.stats.protocolErrors.Load()}
}
