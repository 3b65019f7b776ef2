package scuttlebutt

import "time"

// FlowState is what a Node shows of its flow control (Config.FlowControl).
type FlowState struct {
	// Desired is the rate of this node's own writes, in updates per
	// second, as it measures them; Max the rate at which it may put them
	// into gossip, shared with its peers.
	Desired, Max float64
	// Pending is how many of this node's keys have a write waiting to go
	// out; OldestWait how long the oldest of them has waited.
	Pending    int
	OldestWait time.Duration
}

// Flow returns the node's flow-control state; the zero FlowState when flow
// control is off or the node is closed.
func (n *Node) Flow() FlowState {
	if n.err != nil {
		return FlowState{}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return FlowState{}
	}
	f := n.core.Flow()
	s := FlowState{Desired: f.Desired, Max: f.Max, Pending: f.Pending}
	if f.Pending > 0 {
		s.OldestWait = n.clock.Now().Sub(f.OldestSince)
	}
	return s
}

// SetMTU changes the largest datagram this node sends from now on, as a
// route whose MTU shrinks would. It refuses, with an error wrapping
// ErrInvalidConfig, what New would refuse as Config.MTU: below MinMTU,
// above the transport's MTU, or too small for the codec and ID. Keys
// already written are not checked again: a node whose keys no longer fit
// one message at the new MTU still sends them over a stream, if the
// transport has one, or not at all.
func (n *Node) SetMTU(mtu int) error {
	if n.err != nil {
		return n.err
	}
	switch {
	case mtu < MinMTU:
		return configErr("MTU", "%d is below %d", mtu, MinMTU)
	case mtu > n.tr.MTU():
		return configErr("MTU", "%d exceeds the transport's MTU %d", mtu, n.tr.MTU())
	}
	if need := smallestMTU(n.codec, n.cfg.ID) + len(n.label); mtu < need {
		return configErr("MTU", "%d bytes cannot carry the smallest useful exchange of this node: %d needed", mtu, need)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return ErrClosed
	}
	n.mtu.Store(int64(mtu))
	n.core.SetMTU(mtu - len(n.label)) // the label header is sent in every message
	return nil
}
