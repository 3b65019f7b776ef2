package scuttlebutt

import "context"

// Leave announces this node's departure and waits until min(Fanout, live
// peers) peers have acknowledged it, or ctx is done. From then on the node
// accepts no writes, other nodes report it as left (EventLeave) and never
// rediscover it from old gossip, and it is removed after RemoveAfter. Leave
// keeps gossiping; call Close afterwards.
func (n *Node) Leave(ctx context.Context) error {
	if n.err != nil {
		return n.err
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return ErrClosed
	}
	n.leaveNeed = min(n.cfg.Fanout, n.core.AlivePeers())
	done := make(chan struct{})
	n.leaving = done
	n.core.Leave(n.clock.Now())
	out := n.takeReady() // closes done at once when no peer is needed
	n.mu.Unlock()
	n.send(out)
	n.deliver()
	select {
	case <-done:
		n.mu.Lock()
		closed := n.closed
		n.mu.Unlock()
		if closed {
			return ErrClosed
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leaveQuorum is how many acknowledgements Leave waits for; the caller
// holds n.mu.
func (n *Node) leaveQuorum() int { return n.leaveNeed }
