package core

import "github.com/scuttlebutt-go/scuttlebutt/codec"

// Anti-amplification, after QUIC (RFC 9000 section 8). Without a key the
// source address of a datagram proves nothing: a SYN of a few bytes with a
// forged source would make this node send its much larger answer to a third
// party, and a member's advertised address (KeyAddr) is only what gossip
// says. So, when Config.Amplification is set, the Core sorts the addresses it
// sends to in three, and Ready enforces the limits on every queued message,
// whatever produced it:
//
//   - Validated: a seed given to Join or SetSeeds (the user vouched for it),
//     or an address this node sent something to that then answered (a
//     SYNACK, ACK or PONG from it, or from the node whose KeyAddr it is).
//     No limit.
//   - A sender not validated: every message from it that decoded adds
//     Amplification times its encoded size to its credit, and no more than
//     the credit goes back to it. Replies are built to fit the credit (a
//     PONG without its hints, a SYNACK with fewer deltas).
//   - Any other address (one learned only from gossip): probes only, a PING
//     or a SYN that carries nothing but the hash, until it answers. A SYN
//     of a round is cut down to a probe; anything else is dropped.
//
// Messages dropped for this are counted in Stats.AmplificationDrops, SYNs
// cut down in Stats.Probes. A sender that forges its source and also forges
// the answers (blind, since it never sees what this node sent) can still get
// its address validated: no message carries a secret without a key. The rule
// bounds what a single forged datagram, or a forged KeyAddr, can make this
// node send; the keyring closes the rest.

// maxAddrs bounds the addresses tracked: past it, those that are neither
// validated member addresses nor seeds are forgotten.
const maxAddrs = 4096

// addrState is what the Core knows of one address.
type addrState struct {
	validated bool
	// probed: this node sent it something while it was not validated.
	probed bool
	// credit is how many bytes may still go to it while not validated.
	credit int
}

// amplifying reports whether the anti-amplification rule is on.
func (c *Core) amplifying() bool { return c.cfg.Amplification > 0 }

// addr returns the state of address a, made if needed.
func (c *Core) addr(a string) *addrState {
	st := c.addrs[a]
	if st == nil {
		if len(c.addrs) >= maxAddrs {
			c.forgetAddrs()
		}
		st = &addrState{}
		c.addrs[a] = st
	}
	return st
}

// forgetAddrs drops every tracked address but the validated addresses of
// members and the seeds, which stay validated.
func (c *Core) forgetAddrs() {
	keep := map[string]bool{}
	for _, m := range c.order {
		keep[m.addr] = true
	}
	for a, st := range c.addrs {
		if !st.validated || !keep[a] {
			delete(c.addrs, a)
		}
	}
	for _, s := range c.seeds {
		c.addr(s).validated = true
	}
}

// vouch marks a as validated: a seed the user gave.
func (c *Core) vouch(a string) {
	if c.amplifying() && a != "" {
		c.addr(a).validated = true
	}
}

// received takes a decoded message from address from into the accounting:
// credit for a sender not validated, and validation of an address that
// answered what this node sent it.
func (c *Core) received(from string, m *codec.Message) {
	if !c.amplifying() {
		return
	}
	st := c.addr(from)
	answer := m.Kind == codec.KindSynAck || m.Kind == codec.KindAck || m.Kind == codec.KindPong
	if st.validated {
		return
	}
	if answer && st.probed {
		st.validated = true
		return
	}
	st.credit = min(st.credit+c.cfg.Amplification*codec.Size(c.sizer, m), 1<<30)
	if mb := c.members[m.From]; answer && mb != nil && mb.addr != "" && mb.addr != from {
		if other := c.addrs[mb.addr]; other != nil && other.probed {
			other.validated = true // behind NAT: it answers from another address
		}
	}
}

// sendLimit is the most bytes one message to address a may take: the MTU,
// or a smaller credit.
func (c *Core) sendLimit(a string) int {
	if !c.amplifying() {
		return c.cfg.MTU
	}
	st := c.addrs[a]
	switch {
	case st == nil:
		return 0
	case st.validated:
		return c.cfg.MTU
	}
	return min(st.credit, c.cfg.MTU)
}

// validated reports whether address a may get any message.
func (c *Core) validated(a string) bool {
	if !c.amplifying() {
		return true
	}
	st := c.addrs[a]
	return st != nil && st.validated
}

// isProbe reports whether m is a probe: a PING, or a SYN with its hash only.
func isProbe(m *codec.Message) bool {
	switch m.Kind {
	case codec.KindPing:
		return true
	case codec.KindSyn:
		return len(m.Digest.Entries) == 0 && len(m.Digest.Cover) == 0 && len(m.Buckets) == 0 &&
			len(m.Requests) == 0 && len(m.Deltas) == 0
	}
	return false
}

// limitOut applies the rule to the queued messages, in place.
func (c *Core) limitOut() {
	if !c.amplifying() || len(c.out) == 0 {
		return
	}
	kept := c.out[:0]
	for _, o := range c.out {
		st := c.addr(o.To)
		if st.validated {
			kept = append(kept, o)
			continue
		}
		if isProbe(o.Msg) {
			st.probed = true
			kept = append(kept, o)
			continue
		}
		if size := codec.Size(c.sizer, o.Msg); !o.Stream && size <= st.credit {
			st.credit -= size
			st.probed = true
			kept = append(kept, o)
			continue
		}
		if o.Msg.Kind == codec.KindSyn {
			c.stats.Probes++
			st.probed = true
			kept = append(kept, Outgoing{To: o.To, Msg: &codec.Message{Kind: codec.KindSyn, From: o.Msg.From, Hash: o.Msg.Hash}})
			continue
		}
		c.stats.AmplificationDrops++
	}
	clear(c.out[len(kept):])
	c.out = kept
}
