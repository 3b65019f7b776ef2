package core

import (
	"fmt"
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// benchCore returns a core holding n nodes of 8 keys each, with the binary
// codec's sizes.
func benchCore(b *testing.B, id string, n int) *Core {
	c := newCore(&testing.T{}, id, func(cfg *Config) { cfg.Sizer = binary.Codec{} })
	for i := range n {
		nid := fmt.Sprintf("node-%04d", i)
		entries := []store.Entry{{Key: KeyAddr, Value: "10.0.0.1:7946", Version: 1}}
		for k := range 8 {
			entries = append(entries, store.Entry{Key: fmt.Sprintf("key-%d", k), Value: "value-value-value", Version: uint64(k + 2)})
		}
		seedNode(b, c, nid, entries)
	}
	return c
}

// BenchmarkDigest builds one SYN digest in a 1,000-node cluster.
func BenchmarkDigest(b *testing.B) {
	c := benchCore(b, "self", 1000)
	b.ReportAllocs()
	for b.Loop() {
		c.synMessage()
	}
}

// BenchmarkAnswerSyn answers a SYN from a peer that lacks 2 versions of
// every node it lists: echoes, candidate selection and packing under the
// MTU.
func BenchmarkAnswerSyn(b *testing.B) {
	c := benchCore(b, "self", 1000)
	peer := benchCore(b, "peer", 0)
	syn := c.synMessage()
	syn.From = "peer"
	syn.Hash++
	for i := range syn.Digest.Entries {
		syn.Digest.Entries[i].MaxVersion -= 2
	}
	_ = peer
	b.ReportAllocs()
	for b.Loop() {
		c.Step(t0, "peer-addr", syn)
		c.out = c.out[:0]
	}
}

// BenchmarkApplyDelta applies a message of 10 node deltas of 8 entries each
// to a core that lacks them, then rolls back by re-creating the nodes.
func BenchmarkApplyDelta(b *testing.B) {
	src := benchCore(b, "src", 10)
	var deltas []codec.NodeDelta
	src.st.Range("", "", func(n store.Node) bool {
		if n.ID != "src" {
			d := codec.NodeDelta{ID: n.ID, Generation: 1, Upto: n.MaxVersion}
			deltas = append(deltas, d)
		}
		return true
	})
	for i := range deltas {
		src.st.Entries(deltas[i].ID, 0, func(e store.Entry) bool {
			deltas[i].Entries = append(deltas[i].Entries, codec.Entry(e))
			return true
		})
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		c := benchCore(b, "dst", 0)
		b.StartTimer()
		c.applyDeltas(t0, src.cfg.ID, deltas)
	}
}
