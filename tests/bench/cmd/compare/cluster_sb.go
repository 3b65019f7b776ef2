package main

import (
	"errors"
	"fmt"
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
	nodes []*scuttlebutt.Node
	ids   map[string]int
	c     counters

	killed          atomic.Bool
	falseSuspicions atomic.Int64 // EventSuspect before the kill
}

func newSBCluster(s settings, n int, tr *tracker) (cl *sbCluster, err error) {
	cl = &sbCluster{ids: make(map[string]int, n)}
	for i := range n {
		cl.ids[nodeName("sb", i)] = i
	}
	defer func() {
		if err != nil {
			cl.close()
		}
	}()
	pace := newPacer(s.interval, n)
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
			GossipInterval: s.interval,
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
		if err := node.UpdateLocal(metaKey, cl.stateOf(s, i, 0)); err != nil {
			return nil, err
		}
	}
	return cl, nil
}

func (cl *sbCluster) onEvent(tr *tracker, observer int, e scuttlebutt.Event) {
	subject, ok := cl.ids[e.Node]
	if !ok {
		return
	}
	switch e.Kind {
	case scuttlebutt.EventUpdate:
		if e.Key == metaKey {
			tr.seen(observer, subject, e.Value)
		}
	case scuttlebutt.EventSuspect:
		if !cl.killed.Load() {
			cl.falseSuspicions.Add(1)
		}
		tr.down(observer, subject, false)
	case scuttlebutt.EventLeave, scuttlebutt.EventRemove:
		tr.down(observer, subject, false)
	}
}

func (cl *sbCluster) counters() *counters { return &cl.c }

// stateOf is the value of node i's one key: with the key, stateBytes.
func (cl *sbCluster) stateOf(s settings, i, version int) string {
	return stateValue(nodeName("sb", i), version, s.stateBytes-len(metaKey))
}

// join makes every node but node 0 join node 0 at once. Join only queues
// the first SYN, so nothing here waits for the network; the node itself
// contacts the seed again while it knows no live peer.
func (cl *sbCluster) join(time.Time) (wait func() int) {
	seed := []string{cl.nodes[0].Addr()}
	failed := 0
	for _, n := range cl.nodes[1:] {
		if err := n.Join(seed); err != nil {
			failed++
		}
	}
	return func() int { return failed }
}

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
	cl.killed.Store(true)
	_ = cl.nodes[i].Close()
}

// fullSync: scuttlebutt has no periodic exchange besides its rounds, which
// the idle window measures.
func (cl *sbCluster) fullSync() (uint64, time.Duration) { return 0, 0 }

func (cl *sbCluster) suspectedBeforeKill() int { return int(cl.falseSuspicions.Load()) }

func (cl *sbCluster) tracksDead() bool { return false }

func (cl *sbCluster) close() error {
	var errs []error
	for _, n := range cl.nodes {
		errs = append(errs, n.Close())
	}
	return errors.Join(errs...)
}
