package scuttlebutt_test

import (
	"fmt"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// Three nodes on a simulated network that is also their clock: advancing
// virtual time runs the cluster, deterministically and without sleeping.
func Example() {
	nw := mem.NewNetwork(mem.Config{Seed: 1})
	var nodes []*scuttlebutt.Node
	for _, id := range []string{"a", "b", "c"} {
		tr, _ := nw.NewTransport(id + ":7946")
		node, err := scuttlebutt.NewBuilder(id).Transport(tr).Clock(nw).Seed(1).Build()
		if err != nil {
			panic(err)
		}
		defer node.Close()
		nodes = append(nodes, node)
	}
	nodes[0].UpdateLocal("role", "api")
	nodes[1].Join([]string{"a:7946"})
	nodes[2].Join([]string{"a:7946"})
	nw.Advance(5 * time.Second)

	role, _ := nodes[2].Lookup("a", "role")
	fmt.Println("c sees a's role:", role)
	fmt.Println("b's members:", nodes[1].Members())
	// Output:
	// c sees a's role: api
	// b's members: [a b c]
}

// Subscribers see only real changes, in order; SubscribePrefix filters keys.
func ExampleNode_SubscribePrefix() {
	nw := mem.NewNetwork(mem.Config{Seed: 1})
	ta, _ := nw.NewTransport("a")
	tb, _ := nw.NewTransport("b")
	a, _ := scuttlebutt.NewBuilder("a").Transport(ta).Clock(nw).Seed(1).Build()
	b, _ := scuttlebutt.NewBuilder("b").Transport(tb).Clock(nw).Seed(2).Build()
	defer a.Close()
	defer b.Close()
	b.SubscribePrefix("route/", func(e scuttlebutt.Event) {
		fmt.Printf("%s %s.%s=%q\n", e.Kind, e.Node, e.Key, e.Value)
	})
	b.Join([]string{"a"})
	a.UpdateLocal("route/orders", "10.0.0.1")
	a.UpdateLocal("load", "12%")
	nw.Advance(3 * time.Second)
	a.UpdateLocal("route/orders", "10.0.0.1") // unchanged: no event
	a.DeleteLocal("route/orders")
	nw.Advance(3 * time.Second)
	// Output:
	// update a.route/orders="10.0.0.1"
	// delete a.route/orders=""
}

// New refuses a bad Config with an error naming the field.
func ExampleNew_invalidConfig() {
	_, err := scuttlebutt.New(scuttlebutt.Config{ID: "a", Fanout: -1})
	fmt.Println(err)
	// Output:
	// scuttlebutt: invalid config: Fanout: -1 is outside 1..64
}

// The seed README's usage, unchanged: Create takes a *Config and returns the
// Node; a failure shows in node.Err().
func ExampleCreate() {
	var sub scuttlebutt.EventSubscriber = scuttlebutt.EventSubscriberFunc(func(e scuttlebutt.Event) {
		fmt.Println(e)
	})
	node := scuttlebutt.Create(&scuttlebutt.Config{
		ID:       "node-1",
		BindAddr: "0.0.0.0:8119",
		// Subscribe to updates about other nodes.
		EventSubscriber: sub,
	})
	defer node.Close()

	// Set this nodes state to be propagated to other nodes when joining.
	node.UpdateLocal("service", "ordering")
	node.UpdateLocal("rpcAddr", "10.25.104.42:5112")
	node.UpdateLocal("state", "booting")

	// Join an existing cluster by specifying at least on known peer.
	node.Join([]string{"10.26.104.52:9992", "10.26.104.56:7331"})

	// Update this nodes state, which will be propagated to other nodes (and
	// notify subscribers of those nodes).
	node.UpdateLocal("state", "active")
}
