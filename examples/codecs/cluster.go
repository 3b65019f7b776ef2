package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// keyPrefix marks the keys this program publishes.
const keyPrefix = "service/"

// clusterRun describes the simulated cluster every codec is run on.
type clusterRun struct {
	nodes, keys, mtu, maxRounds int
	seed                        int64
	loss                        float64
}

// result is what one simulated run measured.
type result struct {
	members, state     int  // gossip rounds until membership, all state
	membersOK, stateOK bool // whether each converged within maxRounds
	messages, bytes    uint64
	largest            int
}

// converge starts the cluster with codec c, lets every node publish its
// keys, joins them all through node 0 and runs gossip rounds until every
// node holds every other node's keys.
func (r clusterRun) converge(c codec.Codec) (result, error) {
	// updates[i] counts the updates of other nodes' keys node i has seen.
	// Each key is written once and events are delivered once per change, so
	// node i holds everything when the count reaches (nodes-1)*keys.
	updates := make([]int, r.nodes)
	cl, err := sim.New(sim.Config{
		Nodes: r.nodes,
		Seed:  r.seed,
		MTU:   r.mtu,
		Codec: c,
		Link:  mem.Link{Loss: r.loss, Delay: 2 * time.Millisecond, Jitter: 10 * time.Millisecond},
		Configure: func(i int, b *scuttlebutt.Builder) {
			self := sim.ID(i)
			b.Subscriber(scuttlebutt.EventSubscriberFunc(func(e scuttlebutt.Event) {
				if e.Kind == scuttlebutt.EventUpdate && e.Node != self && strings.HasPrefix(e.Key, keyPrefix) {
					updates[i]++
				}
			}))
		},
	})
	if err != nil {
		return result{}, err
	}
	defer cl.Close()
	for i, n := range cl.Nodes {
		for k := range r.keys {
			// 16-byte keys and 32-byte values, like the standard state.
			key := fmt.Sprintf("%skey-%04d", keyPrefix, k)
			value := fmt.Sprintf("%-32.32s", fmt.Sprintf("10.%d.%d.%d:7946/healthy", i>>8&255, i&255, k))
			if err := n.UpdateLocal(key, value); err != nil {
				return result{}, err
			}
		}
	}
	if err := cl.JoinAll(); err != nil {
		return result{}, err
	}
	want := (r.nodes - 1) * r.keys
	allState := func() bool {
		for _, u := range updates {
			if u < want {
				return false
			}
		}
		return true
	}
	var res result
	res.members, res.membersOK = cl.RunRounds(r.maxRounds, cl.AllKnowAll)
	more, ok := cl.RunRounds(r.maxRounds-res.members, allState)
	res.state, res.stateOK = res.members+more, ok
	res.messages, res.bytes, res.largest = cl.Stats()
	return res, nil
}
