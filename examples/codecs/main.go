// Command codecs compares the three wire codecs on the numbers that matter
// for gossip: how much state fits in one datagram, what a digest costs, and
// how fast and how cheaply a cluster converges with each.
//
//	go run ./examples/codecs -nodes 100 -keys 16 -seed 1
//
// The sizes come from each codec's Sizer, counted the way the protocol
// core's packer counts, and are checked against the real encoding. The
// cluster runs are deterministic simulations on virtual time (package
// scuttlebutt/sim), so the same flags always print the same table.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"text/tabwriter"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/codec/json"
	"github.com/scuttlebutt-go/scuttlebutt/codec/msgpack"
)

// codecs are the codecs compared, in table order.
var codecs = []codec.Codec{json.Codec{}, msgpack.Codec{}, binary.Codec{}}

func main() {
	var run clusterRun
	flag.IntVar(&run.nodes, "nodes", 100, "simulated cluster size")
	flag.IntVar(&run.keys, "keys", 16, "keys each node publishes before joining")
	flag.Int64Var(&run.seed, "seed", 1, "seed of the simulated network and nodes")
	flag.Float64Var(&run.loss, "loss", 0, "datagram loss probability in the simulation")
	flag.IntVar(&run.maxRounds, "max-rounds", 300, "give up on convergence after this many gossip rounds")
	mtu := flag.Int("mtu", 1400, "datagram size limit in bytes")
	flag.Parse()
	run.mtu = *mtu
	if run.nodes < 2 || run.keys < 1 || run.maxRounds < 1 {
		log.Fatal("need -nodes >= 2, -keys >= 1 and -max-rounds >= 1")
	}
	if err := report(os.Stdout, run); err != nil {
		log.Fatal(err)
	}
}

// report prints the size table, then runs the cluster once per codec and
// prints the convergence table.
func report(out io.Writer, run clusterRun) error {
	fmt.Fprintf(out, "Sizes (standard state: one node, 64 keys of 16 bytes, values of 32 bytes)\n\n")
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "codec\tentries per %d-byte ACK\t64-key delta (bytes)\t50-node digest (bytes)\tbytes per digest entry\tdigest entries per SYN\tPING (bytes)\t\n", run.mtu)
	for _, c := range codecs {
		s, err := measure(c, run.mtu)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", c.Name(), s.perPacket, s.delta, s.digest, s.digestEntry, s.digestPerPacket, s.ping)
	}
	if err := w.Flush(); err != nil {
		return err
	}

	fmt.Fprintf(out, "\nConvergence (%d nodes, %d keys each, MTU %d, loss %.2f, seed %d, 1s rounds on virtual time)\n\n",
		run.nodes, run.keys, run.mtu, run.loss, run.seed)
	w = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "codec\tmembership (rounds)\tall state (rounds)\tdatagrams\tbytes sent\tlargest datagram\t\n")
	for _, c := range codecs {
		r, err := run.converge(c)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name(), err)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%d\t\n", c.Name(), rounds(r.members, r.membersOK),
			rounds(r.state, r.stateOK), r.messages, r.bytes, r.largest)
	}
	return w.Flush()
}

// rounds formats a round count, or "> n" when the run gave up.
func rounds(n int, ok bool) string {
	if !ok {
		return fmt.Sprintf("> %d", n)
	}
	return fmt.Sprint(n)
}
