package scuttlebutt

import (
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// Stats is a snapshot of a Node's counters. Every counter only grows.
type Stats struct {
	// Rounds is the number of gossip rounds run.
	Rounds uint64
	// SynReceived, SynAckReceived and AckReceived count the messages of
	// each kind received and decoded.
	SynReceived    uint64
	SynAckReceived uint64
	AckReceived    uint64
	// DeltasApplied counts node deltas that changed state; DeltasStale
	// those already held or of an old generation; DeltasRejected those
	// refused (gaps, malformed, about removed nodes, owed a prune first).
	DeltasApplied  uint64
	DeltasStale    uint64
	DeltasRejected uint64
	// EntriesApplied counts key changes applied from peers.
	EntriesApplied uint64
	// DeltasCut counts node deltas cut short, or left out, for lack of room.
	DeltasCut uint64
	// ResetsSent counts prunes sent: key lists for peers that may have
	// missed deletes whose tombstones were collected.
	ResetsSent uint64
	// Prunes counts prunes installed here, PrunesStaged the key lists
	// taken for one (installed or not yet), PrunesTooLarge the prunes this
	// node owed a peer that fit no message.
	Prunes         uint64
	PrunesStaged   uint64
	PrunesTooLarge uint64
	// TombstonesGCd counts tombstones dropped after TombstoneGrace.
	TombstonesGCd uint64
	// MessagesDropped counts messages ignored as a whole (bad kind, from
	// this node's own ID).
	MessagesDropped uint64
	// LivenessChecks counts questions put to the failure detector about
	// the nodes this node monitors.
	LivenessChecks uint64
	// PingsSent counts PINGs to monitored nodes (probes of late ones
	// included); PongsReceived the PONGs that came back.
	PingsSent     uint64
	PongsReceived uint64
	// Suspicions counts the verdicts this node wrote as a monitor;
	// Refutations the times it took a new incarnation because a quorum of
	// its own monitors suspected it.
	Suspicions  uint64
	Refutations uint64
	// ExchangesEqual counts received SYNs and PINGs whose digest hash
	// matched this node's (nothing to exchange); ExchangesDiffer those
	// whose hash did not.
	ExchangesEqual  uint64
	ExchangesDiffer uint64
	// ExchangesPulled, ExchangesPushed, ExchangesBoth and ExchangesNeither
	// count the exchanges this node opened whose hashes differed, by what
	// the first answer brought and what went back: deltas in, out, both,
	// or neither (only requests, or a bucket walk whose deltas came later).
	ExchangesPulled  uint64
	ExchangesPushed  uint64
	ExchangesBoth    uint64
	ExchangesNeither uint64
	// Walks counts bucket walks this node started: hashes that still
	// differed once both sides' recent changes were counted.
	Walks uint64
	// Pushes counts messages that carried a fresh local write to a peer at
	// once, before the next round.
	Pushes uint64
	// Forwards counts messages that passed news on at once: another
	// node's delta this node had just applied, or a monitor's verdict.
	Forwards uint64
	// QuietRounds counts rounds that opened no exchange because nothing
	// had changed for a while.
	QuietRounds uint64
	// StoreErrors counts store writes that failed and changed nothing.
	StoreErrors uint64
	// GenerationBumps counts the times this node found the cluster holding
	// a newer generation of its own ID and took one above it.
	GenerationBumps uint64
	// VersionBumps counts the times this node found gossip holding its own
	// ID at its generation with a version above its counter (a forgery),
	// and wrote its keys again above it.
	VersionBumps uint64
	// GenerationsRefused counts deltas, digest entries and requests dropped
	// for a generation further ahead of the clock than MaxGenerationSkew.
	GenerationsRefused uint64
	// AmplificationDrops counts messages not sent to an address that was
	// not validated, for lack of credit (see AmplificationFactor); Probes
	// the SYNs cut down to a bare probe for such an address.
	AmplificationDrops uint64
	Probes             uint64

	// MessagesSent and BytesSent count what went out through the
	// transport; MessagesReceived and BytesReceived what came in, before
	// decoding.
	MessagesSent     uint64
	BytesSent        uint64
	MessagesReceived uint64
	BytesReceived    uint64
	// LargestSent is the largest datagram sent, in bytes (stream messages
	// not included).
	LargestSent int
	// StreamsSent counts messages sent over the transport's stream
	// capability (included in MessagesSent and BytesSent).
	StreamsSent uint64
	// StreamsDropped counts stream messages dropped because too many were
	// waiting for a slow peer.
	StreamsDropped uint64
	// DecodeErrors counts received datagrams that did not decode.
	DecodeErrors uint64
	// SendErrors counts messages the transport refused or failed to send.
	SendErrors uint64
	// EncodeErrors counts messages the codec refused, in whole or in part.
	EncodeErrors uint64
	// Oversize counts messages that came out larger than the MTU and were
	// not sent (always zero unless there is a bug).
	Oversize uint64
	// LimitDrops counts remote deltas dropped because the state they
	// bring would take a node over one of Config.Limits (also counted in
	// DeltasRejected).
	LimitDrops uint64
	// LabelDrops counts received messages dropped because their cluster
	// label differs from Config.Label (see Config.Label).
	LabelDrops uint64
	// SentByKind splits the messages sent (MessagesSent, BytesSent) by
	// kind; ReceivedByKind the messages received and decoded, with their
	// bytes as received.
	SentByKind     KindCounts
	ReceivedByKind KindCounts
	// TransportDrops are the transport's own drop counts, for a transport
	// that reports them (transport.Counter: udp, tcp, quic, mem, and the
	// keyring and faulty wrappers, which add their inner transport's).
	TransportDrops transport.Drops
}

// Traffic counts messages and their bytes, label header and codec
// encoding included (the transport's own framing or seal not).
type Traffic struct {
	Messages uint64
	Bytes    uint64
}

// KindCounts holds a Traffic for each message kind: SYN, SYNACK and ACK
// make the exchanges, PING and PONG the monitors' liveness checks.
type KindCounts struct {
	Syn    Traffic
	SynAck Traffic
	Ack    Traffic
	Ping   Traffic
	Pong   Traffic
}

// kindCounts reads one of a Node's per-kind arrays.
func kindCounts(t *[codec.KindPong + 1]traffic) KindCounts {
	return KindCounts{
		Syn:    t[codec.KindSyn].load(),
		SynAck: t[codec.KindSynAck].load(),
		Ack:    t[codec.KindAck].load(),
		Ping:   t[codec.KindPing].load(),
		Pong:   t[codec.KindPong].load(),
	}
}

// Stats returns the node's counters.
func (n *Node) Stats() Stats {
	if n.err != nil {
		return Stats{}
	}
	n.mu.Lock()
	cs := n.core.Stats()
	n.mu.Unlock()
	drops := transport.DropsOf(n.tr)
	return Stats{
		VersionBumps:       cs.VersionBumps,
		GenerationsRefused: cs.GenerationsRefused,
		AmplificationDrops: cs.AmplificationDrops,
		Probes:             cs.Probes,
		TransportDrops:     drops,
		Rounds:             cs.Rounds,
		SynReceived:        cs.SynReceived,
		SynAckReceived:     cs.SynAckReceived,
		AckReceived:        cs.AckReceived,
		DeltasApplied:      cs.DeltasApplied,
		DeltasStale:        cs.DeltasStale,
		DeltasRejected:     cs.DeltasRejected,
		EntriesApplied:     cs.EntriesApplied,
		DeltasCut:          cs.DeltasCut,
		ResetsSent:         cs.ResetsSent,
		Prunes:             cs.Prunes,
		PrunesStaged:       cs.PrunesStaged,
		PrunesTooLarge:     cs.PrunesTooLarge,
		TombstonesGCd:      cs.TombstonesGCd,
		MessagesDropped:    cs.MessagesDropped,
		LivenessChecks:     cs.LivenessChecks,
		PingsSent:          cs.PingsSent,
		PongsReceived:      cs.PongsReceived,
		Suspicions:         cs.Suspicions,
		Refutations:        cs.Refutations,
		ExchangesEqual:     cs.ExchangesEqual,
		ExchangesDiffer:    cs.ExchangesDiffer,
		ExchangesPulled:    cs.ExchangesPulled,
		ExchangesPushed:    cs.ExchangesPushed,
		ExchangesBoth:      cs.ExchangesBoth,
		ExchangesNeither:   cs.ExchangesNeither,
		Walks:              cs.Walks,
		Pushes:             cs.Pushes,
		Forwards:           cs.Forwards,
		QuietRounds:        cs.QuietRounds,
		StoreErrors:        cs.StoreErrors,
		GenerationBumps:    cs.GenerationBumps,
		MessagesSent:       n.messagesSent.Load(),
		BytesSent:          n.bytesSent.Load(),
		MessagesReceived:   n.messagesRecv.Load(),
		BytesReceived:      n.bytesRecv.Load(),
		LargestSent:        int(n.largestSent.Load()),
		StreamsSent:        n.streamsSent.Load(),
		StreamsDropped:     n.streamDrops.Load(),
		DecodeErrors:       n.decodeErrors.Load(),
		SendErrors:         n.sendErrors.Load(),
		EncodeErrors:       n.encodeErrors.Load(),
		Oversize:           n.oversize.Load(),
		LabelDrops:         n.labelDrops.Load(),
		LimitDrops:         cs.LimitDrops,
		SentByKind:         kindCounts(&n.sentByKind),
		ReceivedByKind:     kindCounts(&n.recvByKind),
	}
}

// MonitoredPeer is a node this node watches as one of its monitors (see
// the package documentation on liveness).
type MonitoredPeer struct {
	ID string
	// Phi is the Detector's suspicion level of the peer (phi for the
	// default phi-accrual detector).
	Phi float64
	// LastPong is when the peer last answered a PING.
	LastPong time.Time
	// Suspected: this node holds a verdict that the peer is down.
	Suspected bool
}

// Monitored returns the peers this node watches, by ID: its ring
// successors, and the nodes it holds a verdict against.
func (n *Node) Monitored() []MonitoredPeer {
	if n.err != nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []MonitoredPeer
	for _, m := range n.core.Monitored(n.clock.Now()) {
		out = append(out, MonitoredPeer{ID: m.ID, Phi: m.Level, LastPong: m.LastPong, Suspected: m.Suspected})
	}
	return out
}
