package scuttlebutt

import (
	"context"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/internal/core"
)

// Leave announces this node's departure and waits until min(Fanout, live
// peers) peers have acknowledged it, or ctx is done. From then on the node
// accepts no writes, other nodes report it as left (EventLeave) and never
// rediscover it from old gossip, and it is removed after RemoveAfter. Leave
// keeps gossiping; call Close afterwards. Called from a subscriber on a
// virtual clock (inline delivery), Leave announces the departure and returns
// at once: no virtual time can pass while the subscriber runs.
func (n *Node) Leave(ctx context.Context) error {
	done := make(chan struct{})
	inline := false
	err := n.do(func(c *core.Core) error {
		inline = !n.wall && n.draining
		n.leaveNeed = min(n.cfg.Fanout, c.AlivePeers())
		n.leaving = done // takeReady closes it at once when no peer is needed
		c.Leave(n.clock.Now())
		return nil
	})
	if err != nil || inline {
		// From a subscriber on a virtual clock, time cannot pass until
		// it returns: the departure is announced, not waited for.
		return err
	}
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
