package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
)

// setup is the experiment's load and cluster: the paper's by default
// (paperSetup), a smaller one in the test.
type setup struct {
	Nodes, Keys int
	// MTU is the datagram limit in bytes; precise reconciliation ignores
	// it (preciseMTU).
	MTU int
	// Rate is each node's writes per second, HighRate from HighFrom to
	// HighUntil; no writes from StopAt. The run is sampled each second up
	// to End, then goes on, unsampled, until every mapping is fresh or
	// DrainLimit.
	Rate, HighRate      float64
	HighFrom, HighUntil float64
	StopAt, End         float64
	DrainLimit          float64
	// HalveAt is when the MTU drops by half in the variants that halve it.
	HalveAt float64
	Seed    int64
}

// paperSetup is section 5 of the paper: 128 nodes of 64 keys, one
// exchange per node per second, about 100 deltas to a message, 1 update
// per second per node, 2 from 25 s to 75 s, none from 120 s, until 150 s.
func paperSetup(seed int64) setup {
	return setup{Nodes: 128, Keys: 64, MTU: 1600, Rate: 1, HighRate: 2, HighFrom: 25, HighUntil: 75,
		StopAt: 120, End: 150, DrainLimit: 400, HalveAt: 90, Seed: seed}
}

// preciseMTU stands in for no limit: precise reconciliation sends exactly
// what the peer lacks, whatever its size.
const preciseMTU = 60000

// variant is one protocol configuration run under the same load.
type variant struct {
	Name     string
	Ordering scuttlebutt.Ordering
	Precise  bool
	Flow     bool
	Halve    bool
}

func (v variant) describe(s setup) string {
	var b strings.Builder
	switch {
	case v.Precise:
		fmt.Fprintf(&b, "precise reconciliation (MTU %d B, in effect none)", preciseMTU)
	case v.Ordering == scuttlebutt.ScuttleBreadth:
		fmt.Fprintf(&b, "scuttle-breadth, MTU %d B", s.MTU)
	default:
		fmt.Fprintf(&b, "scuttle-depth, MTU %d B", s.MTU)
	}
	if v.Halve {
		fmt.Fprintf(&b, ", %d B from t=%gs", s.MTU/2, s.HalveAt)
	}
	if v.Flow {
		b.WriteString(", flow control")
	} else {
		b.WriteString(", no flow control")
	}
	return b.String()
}

var variants = []variant{
	{Name: "depth", Ordering: scuttlebutt.ScuttleDepth},
	{Name: "breadth", Ordering: scuttlebutt.ScuttleBreadth},
	{Name: "precise", Precise: true},
	{Name: "depth-fc", Ordering: scuttlebutt.ScuttleDepth, Flow: true},
	{Name: "breadth-fc", Ordering: scuttlebutt.ScuttleBreadth, Flow: true},
	{Name: "precise-fc", Precise: true, Flow: true},
	{Name: "depth-mtuhalf", Ordering: scuttlebutt.ScuttleDepth, Halve: true},
	{Name: "depth-fc-mtuhalf", Ordering: scuttlebutt.ScuttleDepth, Flow: true, Halve: true},
}

// row is one second of a run.
type row struct {
	T int
	sample
	// Rate is the nodes' mean maximum rate (flow control), in updates/s.
	Rate float64
}

// result is a whole run.
type result struct {
	V    variant
	Rows []row
	// Peak is the most stale mappings seen, MaxAge the longest staleness;
	// Drain the seconds after StopAt until no observer lacked any write,
	// -1 if that did not happen by DrainLimit.
	Peak   int
	MaxAge float64
	Drain  float64
	// MaxWait is the longest a write waited at its node for flow control.
	MaxWait float64
	// Exchanges counts the SYNs sent while the load was high, Entries the
	// entries the SYNACKs and ACKs carried meanwhile, Full the SYNACKs and
	// ACKs that left deltas out for lack of room; Bytes their size.
	Exchanges, Entries, Messages, Bytes int
	// Per kind (SYNACK, ACK) while the load was high: messages, their
	// bytes, the bytes of their deltas, and those within 32 bytes of the
	// MTU.
	Kinds [2]kindCount
	// Pings counts the PINGs sent during the sampled run (they do not
	// belong to the paper's model; see the README).
	Pings uint64
}

// kindCount sums one message kind.
type kindCount struct{ N, Bytes, DeltaBytes, Full int }

// run runs one variant under setup s.
func run(s setup, v variant) (*result, error) {
	tr := newTracker(s.Nodes, s.Keys)
	var t0 time.Time
	var c *sim.Cluster
	now := func() float64 { return c.Net.Now().Sub(t0).Seconds() }
	res := &result{V: v, Drain: -1}
	counting := false
	dec := binary.Codec{}
	mtu := s.MTU
	if v.Precise {
		mtu = preciseMTU
	}
	curMTU := mtu
	cfg := sim.Config{
		Nodes: s.Nodes, Seed: s.Seed, MTU: preciseMTU, GossipInterval: time.Second, Fanout: 1,
		Ordering: v.Ordering, Codec: dec,
		Configure: func(_ int, b *scuttlebutt.Builder) {
			b.MTU(preciseMTU). // the warm-up runs unbounded; see below
						FlowControl(v.Flow).DisablePush(true).DisableQuiet(true).
						HeartbeatInterval(10 * time.Minute)
		},
		OnDeliver: func(_, _ string, b []byte) {
			if !counting {
				return
			}
			m, err := dec.Decode(b)
			if err != nil {
				return
			}
			switch m.Kind {
			case codec.KindSyn:
				res.Exchanges++
			case codec.KindSynAck, codec.KindAck:
				res.Messages++
				res.Bytes += len(b)
				kc := &res.Kinds[0]
				if m.Kind == codec.KindAck {
					kc = &res.Kinds[1]
				}
				kc.N++
				kc.Bytes += len(b)
				if len(b) > curMTU-32 {
					kc.Full++
				}
				kc.DeltaBytes += dec.DeltaCount(len(m.Deltas))
				for i := range m.Deltas {
					d := &m.Deltas[i]
					res.Entries += len(d.Entries)
					kc.DeltaBytes += dec.NodeDelta(d) + dec.EntryCount(len(d.Entries))
					for j := range d.Entries {
						kc.DeltaBytes += dec.Entry(&d.Entries[j])
					}
				}
			}
		},
	}
	c, err := sim.New(cfg)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	for i, n := range c.Nodes {
		n.Subscribe(func(e scuttlebutt.Event) {
			if e.Kind != scuttlebutt.EventUpdate || !strings.HasPrefix(e.Key, "k") {
				return
			}
			r, err := strconv.Atoi(strings.TrimPrefix(e.Node, "node-"))
			if err != nil || r >= s.Nodes {
				return
			}
			tr.event(i, r, e.Key, e.Value, now())
		})
	}
	if err := warmUp(c, tr, s); err != nil {
		return nil, err
	}
	// The run: t=0 is the next whole second of virtual time.
	t0 = c.Net.Now().Truncate(time.Second).Add(time.Second)
	c.Net.Advance(t0.Sub(c.Net.Now()))
	for _, n := range c.Nodes {
		if err := n.SetMTU(mtu); err != nil {
			return nil, err
		}
	}
	var pings0 uint64
	for _, n := range c.Nodes {
		pings0 += n.Stats().PingsSent
	}
	rng := rand.New(rand.NewPCG(uint64(s.Seed), 0x5eed))
	credit := make([]float64, s.Nodes)
	for i := range credit {
		credit[i] = rng.Float64() // each node's phase
	}
	const step = 100 * time.Millisecond
	steps := int(time.Second / step)
	halved := false
	for sec := 0; ; sec++ {
		t := float64(sec)
		if v.Halve && !halved && t >= s.HalveAt {
			halved = true
			for _, n := range c.Nodes {
				if err := n.SetMTU(mtu / 2); err != nil {
					return nil, err
				}
			}
			curMTU = mtu / 2
		}
		counting = t >= s.HighFrom && t < s.HighUntil
		for j := range steps {
			rate := s.Rate
			at := t + float64(j)*step.Seconds()
			switch {
			case at >= s.StopAt:
				rate = 0
			case at >= s.HighFrom && at < s.HighUntil:
				rate = s.HighRate
			}
			for i, n := range c.Nodes {
				credit[i] += rate * step.Seconds()
				for credit[i] >= 1 {
					credit[i]--
					k := rng.IntN(s.Keys)
					if err := n.UpdateLocal(keyName(k), tr.wrote(i, k, at)); err != nil {
						return nil, err
					}
				}
			}
			c.Net.Advance(step)
		}
		t++
		smp := tr.look(t)
		if t <= s.End {
			r := row{T: int(t), sample: smp}
			if v.Flow {
				for _, n := range c.Nodes {
					r.Rate += n.Flow().Max
				}
				r.Rate /= float64(len(c.Nodes))
			}
			res.Rows = append(res.Rows, r)
			res.Peak = max(res.Peak, smp.stale)
			res.MaxAge = max(res.MaxAge, smp.maxAge)
			res.MaxWait = max(res.MaxWait, smp.maxWait)
			if t == s.End {
				for _, n := range c.Nodes {
					res.Pings += n.Stats().PingsSent
				}
				res.Pings -= pings0
			}
		}
		if t >= s.StopAt && smp.behind == 0 && res.Drain < 0 {
			res.Drain = t - s.StopAt
		}
		if t >= s.End && (res.Drain >= 0 || t >= s.DrainLimit) {
			return res, nil
		}
	}
}

// warmUp joins the nodes, writes every key once and runs until every node
// holds every key. It runs with an MTU large enough for whole states, so
// that it takes seconds, not minutes; the run then sets the variant's MTU.
func warmUp(c *sim.Cluster, tr *tracker, s setup) error {
	if err := c.JoinAll(); err != nil {
		return err
	}
	if _, ok := c.RunRounds(200, c.AllKnowAll); !ok {
		return fmt.Errorf("membership did not converge")
	}
	for i, n := range c.Nodes {
		for k := range s.Keys {
			if err := n.UpdateLocal(keyName(k), tr.wrote(i, k, 0)); err != nil {
				return err
			}
		}
	}
	if _, ok := c.RunRounds(300, func() bool { return tr.look(0).behind == 0 }); !ok {
		return fmt.Errorf("the initial state did not converge")
	}
	return nil
}
