package main

import (
	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
)

// mode says how much work the observer does per delivered datagram.
type mode int

const (
	// off ignores deliveries: the join phase, where decoding every datagram
	// would double the cost being measured.
	off mode = iota
	// count adds up datagrams and bytes only; cheap enough not to disturb
	// the CPU measurement.
	count
	// decode also decodes every datagram with the binary codec to account
	// digest bytes and find the tracked entry.
	decode
)

// probe names the one entry whose spread is tracked: (node, key, version).
type probe struct {
	owner   string
	key     string
	version uint64
}

// observer is the Network's OnDeliver hook. The simulation runs on one
// goroutine (the one that advances the Network), so it needs no lock.
type observer struct {
	mode  mode
	index map[string]int // address -> node index
	dec   binary.Codec

	// Totals since the last reset.
	datagrams   uint64
	bytes       uint64
	digestBytes uint64 // digest part of SYN and SYNACK datagrams
	deltaBytes  uint64 // node deltas and their entries, in every kind
	undecodable uint64

	// The tracked entry, when set.
	probe       *probe
	carrying    []int32 // per destination node: deliveries carrying the probe
	carryBytes  uint64  // bytes of the datagrams carrying the probe
	carryDeltas uint64  // bytes of the probe's own node delta and entry
}

func newObserver() *observer { return &observer{index: map[string]int{}} }

// reset zeroes the totals (not the probe counters).
func (o *observer) reset() {
	o.datagrams, o.bytes, o.digestBytes, o.deltaBytes, o.undecodable = 0, 0, 0, 0, 0
}

// track starts counting deliveries of p among n nodes.
func (o *observer) track(p probe, n int) {
	o.probe = &p
	o.carrying = make([]int32, n)
	o.carryBytes, o.carryDeltas = 0, 0
}

// onDeliver is passed as sim.Config.OnDeliver.
func (o *observer) onDeliver(_, to string, b []byte) {
	if o.mode == off {
		return
	}
	o.datagrams++
	o.bytes += uint64(len(b))
	if o.mode != decode {
		return
	}
	m, err := o.dec.Decode(b)
	if err != nil {
		o.undecodable++
		return
	}
	// The digest's bytes are those of a message holding only the digest,
	// less the same message with an empty one (the header and sender); the
	// rest of the datagram is node deltas.
	head := codec.Message{Kind: m.Kind, From: m.From, Digest: m.Digest}
	headSize := codec.Size(o.dec, &head)
	if m.Kind == codec.KindSyn || m.Kind == codec.KindSynAck {
		o.digestBytes += uint64(headSize - o.dec.Base(m.Kind, m.From, "", ""))
	}
	o.deltaBytes += uint64(len(b) - headSize)
	if o.probe != nil {
		if n := o.probeSize(m); n > 0 {
			if i, ok := o.index[to]; ok {
				o.carrying[i]++
			}
			o.carryBytes += uint64(len(b))
			o.carryDeltas += uint64(n)
		}
	}
}

// probeSize returns the encoded size of the node delta header plus the
// tracked entry if m carries that exact (node, key, version) entry, else 0.
func (o *observer) probeSize(m *codec.Message) int {
	p := o.probe
	for i := range m.Deltas {
		d := &m.Deltas[i]
		if d.ID != p.owner {
			continue
		}
		for j := range d.Entries {
			e := &d.Entries[j]
			if e.Key == p.key && e.Version == p.version {
				return o.dec.NodeDelta(d) + o.dec.Entry(e)
			}
		}
	}
	return 0
}
