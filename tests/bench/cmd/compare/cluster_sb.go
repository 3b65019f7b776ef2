package main

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/udp"
)

// metaKey is the one key a scuttlebutt node's 64 bytes of state live in:
// 4 bytes of key and 60 of value.
const metaKey = "meta"

// sbCluster is n scuttlebutt nodes on loopback UDP.
type sbCluster struct {
	s     settings
	nodes []*scuttlebutt.Node
	ids   map[string]int
	c     counters

	mu     sync.Mutex
	victim int // the node closed in the failure phase, or -1
	dead   []bool

	falseSuspicions atomic.Int64 // EventSuspect before the kill
	liveSuspected   atomic.Int64 // EventSuspect of a live node after the kill
	victimAlive     atomic.Int64 // EventAlive of the killed node
}

// newSBCluster starts n nodes at gossip interval (0: the library's
// default), each with its one key written and no seed yet.
func newSBCluster(s settings, n int, interval time.Duration, tr *tracker) (cl *sbCluster, err error) {
	cl = &sbCluster{s: s, ids: make(map[string]int, n), victim: -1, dead: make([]bool, n)}
	for i := range n {
		cl.ids[nodeName("sb", i)] = i
	}
	defer func() {
		if err != nil {
			_ = cl.close()
		}
	}()
	pace := newPacer(cmpOr(interval, sbDefaultInterval), n)
	for i := range n {
		pace.wait(i)
		id := nodeName("sb", i)
		u, err := udp.New(udp.Config{BindAddr: "127.0.0.1:0", MTU: s.mtu})
		if err != nil {
			return nil, err
		}
		observer := i
		node, err := scuttlebutt.New(scuttlebutt.Config{
			ID:             id,
			Transport:      &sbTransport{Transport: u, c: &cl.c},
			GossipInterval: interval,
			Fanout:         s.fanout,
			MTU:            s.mtu,
			EventSubscriber: scuttlebutt.EventSubscriberFunc(func(e scuttlebutt.Event) {
				cl.onEvent(tr, observer, e)
			}),
		})
		if err != nil {
			return nil, err
		}
		cl.nodes = append(cl.nodes, node)
		if err := node.UpdateLocal(metaKey, cl.stateOf(i, 0)); err != nil {
			return nil, err
		}
	}
	return cl, nil
}

func cmpOr(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func (cl *sbCluster) victimIndex() int {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.victim
}

func (cl *sbCluster) onEvent(tr *tracker, observer int, e scuttlebutt.Event) {
	subject, ok := cl.ids[e.Node]
	if !ok {
		return
	}
	v := cl.victimIndex()
	switch e.Kind {
	case scuttlebutt.EventUpdate:
		if e.Key == metaKey {
			tr.seen(observer, subject, e.Value)
		}
	case scuttlebutt.EventSuspect:
		switch {
		case v < 0:
			cl.falseSuspicions.Add(1)
		case subject != v:
			cl.liveSuspected.Add(1)
		}
		tr.down(observer, subject, false)
	case scuttlebutt.EventAlive:
		if v >= 0 && subject == v {
			cl.victimAlive.Add(1)
		}
	case scuttlebutt.EventLeave, scuttlebutt.EventRemove:
		tr.down(observer, subject, false)
	}
}

func (cl *sbCluster) counters() *counters { return &cl.c }

// stateOf is the value of node i's one key: with the key, stateBytes.
func (cl *sbCluster) stateOf(i, version int) string {
	return stateValue(nodeName("sb", i), version, cl.s.stateBytes-len(metaKey))
}

// startJoin gives node i node 0 as its seed. Join only queues the first
// SYN, so nothing here waits for the network; the node itself contacts the
// seed again while it knows no live peer.
func (cl *sbCluster) startJoin(i int, _ time.Time) {
	if err := cl.nodes[i].Join([]string{cl.nodes[0].Addr()}); err != nil {
		panic(fmt.Sprintf("Join: %v", err)) // it only fails on a closed node: a bug here
	}
}

func (cl *sbCluster) joinFailures() int { return 0 }

// update writes node i's key; the next gossip rounds carry it.
func (cl *sbCluster) update(i int, value string) func() {
	if err := cl.nodes[i].UpdateLocal(metaKey, value); err != nil {
		panic(fmt.Sprintf("UpdateLocal: %v", err)) // a bug in this program
	}
	return func() {}
}

// kill closes node i without Leave: it stops gossiping and its socket.
// Suspicion arrives as EventSuspect, so there is nothing to poll.
func (cl *sbCluster) kill(i int) {
	cl.mu.Lock()
	cl.victim = i
	cl.dead[i] = true
	cl.mu.Unlock()
	_ = cl.nodes[i].Close()
}

// fullSync: scuttlebutt has no periodic exchange besides its rounds, which
// the idle window measures.
func (cl *sbCluster) fullSync() (tally, time.Duration) { return tally{}, 0 }

func (cl *sbCluster) suspectedBeforeKill() int { return int(cl.falseSuspicions.Load()) }

func (cl *sbCluster) afterKill() (int, int) {
	return int(cl.liveSuspected.Load()), int(cl.victimAlive.Load())
}

func (cl *sbCluster) tracksDead() bool { return false }

// internals sums the Stats counters of the nodes still running.
func (cl *sbCluster) internals() map[string]uint64 {
	out := map[string]uint64{}
	cl.mu.Lock()
	dead := append([]bool(nil), cl.dead...)
	cl.mu.Unlock()
	for i, n := range cl.nodes {
		if dead[i] {
			continue
		}
		st := n.Stats()
		for k, v := range map[string]uint64{
			"rounds": st.Rounds, "quiet rounds": st.QuietRounds,
			"SYN received": st.SynReceived, "SYNACK received": st.SynAckReceived, "ACK received": st.AckReceived,
			"exchanges equal": st.ExchangesEqual, "exchanges differ": st.ExchangesDiffer, "walks": st.Walks,
			"PINGs sent": st.PingsSent, "PONGs received": st.PongsReceived,
			"deltas applied": st.DeltasApplied, "pushes": st.Pushes, "forwards": st.Forwards,
			"verdicts written": st.Suspicions, "refutations": st.Refutations,
			"messages sent": st.MessagesSent, "bytes sent": st.BytesSent,
		} {
			out[k] += v
		}
	}
	return out
}

func (cl *sbCluster) close() error {
	var errs []error
	for _, n := range cl.nodes {
		errs = append(errs, n.Close())
	}
	return errors.Join(errs...)
}
