// Command customtransport plugs a transport written outside the module into
// Scuttlebutt nodes: lossyTransport wraps the UDP transport and adds latency
// and loss, and the nodes gossip over it on loopback.
//
//	go run ./examples/customtransport -duration 3s -loss 0.2 -latency 20ms
//
// Four nodes each publish a role and join through node-0; halfway through,
// the last node publishes a new value. The program prints when the cluster
// converged, how long the update took to reach everyone, the events each
// node saw and what each transport dropped. README.md in this directory
// explains how to write and test a transport.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"text/tabwriter"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/udp"
)

// options are the command-line flags.
type options struct {
	nodes    int
	duration time.Duration
	interval time.Duration
	latency  time.Duration
	jitter   time.Duration
	loss     float64
	seed     uint64
}

func main() {
	var o options
	flag.IntVar(&o.nodes, "nodes", 4, "how many nodes to run")
	flag.DurationVar(&o.duration, "duration", 3*time.Second, "how long to run")
	flag.DurationVar(&o.interval, "interval", 100*time.Millisecond, "gossip interval")
	flag.DurationVar(&o.latency, "latency", 20*time.Millisecond, "delay added to every datagram")
	flag.DurationVar(&o.jitter, "jitter", 20*time.Millisecond, "random extra delay, up to this much")
	flag.Float64Var(&o.loss, "loss", 0.2, "fraction of received datagrams dropped")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the transports' and nodes' random choices")
	flag.Parse()
	if err := run(o); err != nil {
		log.Fatal(err)
	}
}

func run(o options) error {
	if o.nodes < 2 || o.duration <= 0 {
		return fmt.Errorf("need at least 2 nodes and a positive duration")
	}
	w := newWatcher(o.nodes)
	var (
		nodes      []*scuttlebutt.Node
		transports []*lossyTransport
	)
	defer func() {
		for _, n := range nodes {
			n.Close() // closes its transport too
		}
	}()
	for i := range o.nodes {
		inner, err := udp.New(udp.Config{BindAddr: "127.0.0.1:0"})
		if err != nil {
			return err
		}
		lt, err := newLossy(inner, lossyConfig{Latency: o.latency, Jitter: o.jitter, Loss: o.loss, Seed: o.seed + uint64(i)})
		if err != nil {
			inner.Close()
			return err
		}
		n, err := scuttlebutt.NewBuilder(nodeID(i)).
			Transport(lt). // the node owns lt now and closes it on Close
			GossipInterval(o.interval).
			Seed(o.seed*1000 + uint64(i)).
			Subscriber(w.subscriber(i)).
			Build()
		if err != nil {
			return err
		}
		nodes = append(nodes, n)
		transports = append(transports, lt)
		w.say("%s listens on %s (latency %v+%v, loss %.0f%%)", n.ID(), n.Addr(), o.latency, o.jitter, 100*o.loss)
		if err := n.UpdateLocal("role", role(i)); err != nil {
			return err
		}
	}
	for _, n := range nodes[1:] {
		if err := n.Join([]string{nodes[0].Addr()}); err != nil {
			return err
		}
	}

	time.Sleep(o.duration / 2)
	last := nodes[len(nodes)-1]
	w.say("%s sets load=42%%", last.ID())
	w.expectLoad(len(nodes) - 1)
	if err := last.UpdateLocal("load", "42%"); err != nil {
		return err
	}
	time.Sleep(o.duration - o.duration/2)

	w.summary(os.Stdout)
	printTransports(transports)
	printView(nodes[0])
	return nil
}

// printView prints what n knows of every node.
func printView(n *scuttlebutt.Node) {
	fmt.Printf("\n%s's view:\n", n.ID())
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	for _, s := range n.Snapshot() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\trole=%s\tload=%s\n", s.ID, s.Status, s.Addr, s.Keys["role"], s.Keys["load"])
	}
	tw.Flush()
}

// printTransports prints what each node's lossyTransport did.
func printTransports(ts []*lossyTransport) {
	fmt.Println("\ntransport counters:")
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "node\tsent\tfailed\treceived\tdropped\t")
	for i, t := range ts {
		s := t.stats()
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", nodeID(i), s.Sent, s.Failed, s.Delivered, s.Dropped)
	}
	tw.Flush()
}

// nodeID returns node i's ID.
func nodeID(i int) string { return fmt.Sprintf("node-%d", i) }

// role returns the role node i publishes.
func role(i int) string { return []string{"api", "worker", "db"}[i%3] }
