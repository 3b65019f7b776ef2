package main

import (
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// sizes are one codec's wire costs.
type sizes struct {
	// perPacket is how many entries of the standard state fit in one ACK.
	perPacket int
	// delta is the encoded size of an ACK carrying the whole standard state.
	delta int
	// digest is the encoded size of a SYN with a 50-node digest.
	digest int
	// digestEntry is the size one more digest entry adds.
	digestEntry int
	// digestPerPacket is how many digest entries fit in one SYN.
	digestPerPacket int
	// ping is the encoded size of a PING with a digest hash, the message a
	// quiet cluster sends most.
	ping int
}

// measure computes c's sizes and checks that its Sizer agrees with its
// encoding on the messages measured.
func measure(c codec.Codec, mtu int) (sizes, error) {
	state := standardState()
	s := sizes{perPacket: entriesPerPacket(c, &state, mtu)}
	var err error
	ack := &codec.Message{Kind: codec.KindAck, From: "node-00", Deltas: []codec.NodeDelta{state}}
	if s.delta, err = encodedSize(c, ack); err != nil {
		return s, err
	}
	syn := typicalDigest(50)
	if s.digest, err = encodedSize(c, syn); err != nil {
		return s, err
	}
	s.digestEntry = c.DigestEntry(&syn.Digest.Entries[len(syn.Digest.Entries)/2])
	s.digestPerPacket = digestPerPacket(c, typicalDigest(1000), mtu)
	ping := &codec.Message{Kind: codec.KindPing, From: "node-42", Hash: 0x9d5a_3c7e_41b2_f086}
	if s.ping, err = encodedSize(c, ping); err != nil {
		return s, err
	}
	return s, nil
}

// encodedSize encodes m and returns its length, after checking that the
// Sizer predicted exactly that.
func encodedSize(c codec.Codec, m *codec.Message) (int, error) {
	b, err := c.Append(nil, m)
	if err != nil {
		return 0, fmt.Errorf("%s: encoding a %s: %w", c.Name(), m.Kind, err)
	}
	if want := codec.Size(c, m); want != len(b) {
		return 0, fmt.Errorf("%s: Sizer predicts %d bytes for a %s, encoding has %d", c.Name(), want, m.Kind, len(b))
	}
	return len(b), nil
}

// entriesPerPacket returns how many of d's entries, in version order, fit in
// one ACK of at most mtu bytes, counted as the core's packer counts: the
// message base, one node delta, then entries while the total stays within
// mtu. The list counts are charged as they grow, since a count's encoded
// width can change with its value.
func entriesPerPacket(s codec.Sizer, d *codec.NodeDelta, mtu int) int {
	size := s.Base(codec.KindAck, "node-00") + s.DeltaCount(1) + s.NodeDelta(d)
	n := 0
	for i := range d.Entries {
		next := size + s.Entry(&d.Entries[i]) + s.EntryCount(i+1) - s.EntryCount(i)
		if next > mtu {
			break
		}
		size, n = next, n+1
	}
	return n
}

// digestPerPacket returns how many of syn's digest entries fit in one SYN
// of at most mtu bytes, with its hash. The entries a SYN lists are the
// nodes that changed lately; when more changed than fit, the peers find the
// rest by a bucket walk, so this bounds how much change one SYN explains.
func digestPerPacket(s codec.Sizer, syn *codec.Message, mtu int) int {
	size := s.Base(codec.KindSyn, syn.From)
	if syn.Hash != 0 {
		size += s.HashSize()
	}
	n := 0
	for i := range syn.Digest.Entries {
		next := size + s.DigestEntry(&syn.Digest.Entries[i]) + s.DigestCount(i+1) - s.DigestCount(i)
		if next > mtu {
			break
		}
		size, n = next, n+1
	}
	return n
}

// standardState is the reference state the codec docs compare on: one node
// delta of 64 entries, 16-byte keys, 32-byte values, versions spread from
// 10^4 to 10^6 in ascending order.
func standardState() codec.NodeDelta {
	d := codec.NodeDelta{ID: "node-17", Generation: 1_717_000_017}
	const lo, hi = 10_000, 1_000_000
	for i := range 64 {
		d.Entries = append(d.Entries, codec.Entry{
			Key:     fmt.Sprintf("service/key-%04d", i),
			Value:   fmt.Sprintf("10.0.%d.%d:7946/%-18s", i/8, i%8, "healthy"),
			Version: uint64(lo + i*(hi-lo)/63),
		})
	}
	d.Upto = d.Entries[len(d.Entries)-1].Version
	return d
}

// typicalDigest returns a SYN with a digest hash whose digest lists n nodes
// with realistic IDs, generations (start times in seconds) and counters.
func typicalDigest(n int) *codec.Message {
	m := &codec.Message{Kind: codec.KindSyn, From: "node-00", Hash: 0x9d5a_3c7e_41b2_f086}
	for i := range n {
		m.Digest.Entries = append(m.Digest.Entries, codec.DigestEntry{
			ID:         fmt.Sprintf("node-%02d", i),
			Generation: 1_717_000_000 + uint64(i),
			MaxVersion: 10_000 + uint64(i)*997,
		})
	}
	return m
}
