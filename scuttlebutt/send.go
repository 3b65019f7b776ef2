package scuttlebutt

import (
	"context"
	"errors"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/internal/core"
	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// maxQueuedStreams bounds the stream messages waiting for the stream sender;
// more are dropped (and counted): the core sends again what is still owed.
const maxQueuedStreams = 64

// send encodes and sends messages; it is called without the lock. Stream
// messages go to the stream sender on the wall clock, so that a slow peer
// never holds up the goroutine that called send (often the transport's
// receive goroutine); on a virtual clock they are sent inline.
func (n *Node) send(out []core.Outgoing) {
	if len(out) == 0 {
		return
	}
	var buf []byte
	for _, o := range out {
		if o.Stream && n.wall {
			n.queueStream(o)
			continue
		}
		buf = n.sendOne(buf[:0], o)
	}
}

// sendOne encodes o into buf and sends it, returning buf for reuse.
func (n *Node) sendOne(buf []byte, o core.Outgoing) []byte {
	buf, ok := n.encode(append(buf[:0], n.label...), o.Msg)
	if !ok {
		return buf
	}
	if mtu := int(n.mtu.Load()); len(buf) > mtu && !o.Stream {
		// The packer sizes every message to fit; this is a bug guard.
		n.oversize.Add(1)
		n.cfg.Logger.Error("message over MTU not sent", "kind", o.Msg.Kind, "bytes", len(buf), "mtu", mtu)
		return buf
	}
	var err error
	if o.Stream {
		err = n.sendStream(o.To, buf)
	} else {
		err = n.tr.Send(o.To, buf)
	}
	if err != nil {
		n.sendErrors.Add(1)
		n.cfg.Logger.Debug("send failed", "to", o.To, "err", err)
		return buf
	}
	n.messagesSent.Add(1)
	n.bytesSent.Add(uint64(len(buf)))
	if o.Msg.Kind.Valid() {
		n.sentByKind[o.Msg.Kind].add(len(buf))
	}
	if o.Stream {
		n.streamsSent.Add(1)
	} else if l := int64(len(buf)); l > n.largestSent.Load() {
		n.largestSent.Store(l)
	}
	return buf
}

// encode appends m's encoding to buf, which holds the label header. When
// the codec refuses the message, the node deltas it refuses are dropped one
// by one and the rest is sent: one bad delta must not keep every message
// that carries it from going out.
func (n *Node) encode(buf []byte, m *codec.Message) ([]byte, bool) {
	base := len(buf)
	out, err := n.codec.Append(buf, m)
	if err == nil {
		return out, true
	}
	n.encodeErrors.Add(1)
	kept := make([]codec.NodeDelta, 0, len(m.Deltas))
	probe := &codec.Message{Kind: m.Kind, From: m.From}
	for _, d := range m.Deltas {
		probe.Deltas = append(probe.Deltas[:0], d)
		if _, derr := n.codec.Append(buf[:base], probe); derr != nil {
			n.cfg.Logger.Error("dropping a delta the codec refuses", "kind", m.Kind, "node", d.ID, "err", derr)
			continue
		}
		kept = append(kept, d)
	}
	if len(kept) == len(m.Deltas) {
		n.cfg.Logger.Error("encoding message", "kind", m.Kind, "err", err)
		return buf[:base], false // the fault is not in a delta
	}
	trimmed := *m
	trimmed.Deltas = kept
	out, err = n.codec.Append(buf[:base], &trimmed)
	if err != nil {
		n.cfg.Logger.Error("encoding message", "kind", m.Kind, "err", err)
		return buf[:base], false
	}
	return out, true
}

// queueStream hands o to the stream sender, starting it if needed.
func (n *Node) queueStream(o core.Outgoing) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	if len(n.streams) >= maxQueuedStreams {
		n.streamDrops.Add(1)
		return
	}
	n.streams = append(n.streams, o)
	if !n.sending {
		n.sending = true
		n.workers.Add(1)
		go n.streamSender()
	}
}

// streamSender sends queued stream messages one at a time, then exits.
func (n *Node) streamSender() {
	defer n.workers.Done()
	var buf []byte
	for {
		n.mu.Lock()
		if len(n.streams) == 0 || n.closed {
			n.sending = false
			n.mu.Unlock()
			return
		}
		o := n.streams[0]
		n.streams = n.streams[1:]
		n.mu.Unlock()
		buf = n.sendOne(buf[:0], o)
	}
}

func (n *Node) sendStream(to string, b []byte) error {
	s, ok := n.tr.(transport.Streamer)
	if !ok {
		return errors.New("scuttlebutt: transport has no stream capability")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*n.cfg.GossipInterval)
	defer cancel()
	return s.SendStream(ctx, to, b)
}
