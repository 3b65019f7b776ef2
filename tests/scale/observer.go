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
	// decode also decodes every datagram with the binary codec to split its
	// bytes by part and kind and find the tracked entry.
	decode
)

// probe names the one entry whose spread is tracked: (node, key, version).
type probe struct {
	owner   string
	key     string
	version uint64
}

// traffic is a split of delivered bytes. Every decoded datagram's bytes
// fall in exactly one of header, digest, deltas and liveness:
//
//   - liveness: whole PING and PONG datagrams (a PONG's hash and digest
//     entries included: they exist to serve the monitor's exchange);
//   - header: the fixed part of a SYN, SYNACK or ACK (magic, version, kind,
//     presence flags, sender ID);
//   - digest: everything else of a SYN, SYNACK or ACK that is not node
//     deltas: the hash, digest entries, covered buckets, bucket hashes and
//     requests;
//   - deltas: the node deltas, their entries and counts.
type traffic struct {
	header, digest, deltas, liveness uint64
	// kinds counts datagrams and bytes by message kind (index codec.Kind).
	kinds [codec.KindPong + 1]struct{ datagrams, bytes uint64 }
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
	split       traffic // with mode decode
	undecodable uint64
	// misSized counts decoded datagrams whose length differs from the
	// codec's predicted codec.Size (a codec bug: the split would be off).
	misSized uint64

	// The tracked entry, when set.
	probe       *probe
	carrying    []int32 // per destination node: deliveries carrying the probe
	carryBytes  uint64  // bytes of the datagrams carrying the probe
	carryDeltas uint64  // bytes of the probe's own node delta and entry
}

func newObserver() *observer { return &observer{index: map[string]int{}} }

// reset zeroes the totals (not the probe counters).
func (o *observer) reset() {
	o.datagrams, o.bytes, o.undecodable, o.misSized = 0, 0, 0, 0
	o.split = traffic{}
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
	size := uint64(len(b))
	if codec.Size(o.dec, m) != len(b) {
		o.misSized++
	}
	if m.Kind.Valid() {
		o.split.kinds[m.Kind].datagrams++
		o.split.kinds[m.Kind].bytes += size
	}
	if m.Kind == codec.KindPing || m.Kind == codec.KindPong {
		o.split.liveness += size
		return
	}
	// The message without its deltas is the header plus the digest part;
	// the rest of the datagram is node deltas.
	head := *m
	head.Deltas = nil
	headSize := min(uint64(codec.Size(o.dec, &head)), size)
	base := min(uint64(o.dec.Base(m.Kind, m.From)), headSize)
	o.split.header += base
	o.split.digest += headSize - base
	o.split.deltas += size - headSize
	if o.probe != nil {
		if n := o.probeSize(m); n > 0 {
			if i, ok := o.index[to]; ok {
				o.carrying[i]++
			}
			o.carryBytes += size
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
