// Command simulation runs a cluster deterministically in memory: every node
// gossips over a simulated network that is also its clock, so the run takes
// no real time to speak of and the same seed always gives the same output.
//
//	go run ./examples/simulation -nodes 200 -loss 0.1 -seed 7
//
// It joins the nodes, then changes one node's state and prints, round by
// round, how many nodes have seen the change. With the defaults the owner
// pushes the write at once and every node passes it on once, so it arrives
// everywhere within the first round; -push=false turns both off and shows
// anti-entropy alone: the epidemic curve of the paper.
//
//	go run ./examples/simulation -push=false
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"strings"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

func main() {
	nodes := flag.Int("nodes", 200, "cluster size")
	fanout := flag.Int("fanout", 3, "peers per gossip round")
	loss := flag.Float64("loss", 0, "datagram loss probability")
	seed := flag.Int64("seed", 1, "seed of the network and the nodes")
	push := flag.Bool("push", true, "push writes at once and pass news on (false: anti-entropy alone)")
	flag.Parse()

	c, err := sim.New(sim.Config{
		Nodes:  *nodes,
		Seed:   *seed,
		Fanout: *fanout,
		Link:   mem.Link{Loss: *loss, Delay: 2 * time.Millisecond, Jitter: 10 * time.Millisecond},
		Configure: func(_ int, b *scuttlebutt.Builder) {
			b.DisablePush(!*push)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.JoinAll(); err != nil {
		log.Fatal(err)
	}
	rounds, ok := c.RunRounds(500, c.AllKnowAll)
	if !ok {
		log.Fatalf("membership did not converge in %d rounds", rounds)
	}
	msgs, bytes, largest := c.Stats()
	fmt.Printf("%d nodes know each other after %d rounds (%d datagrams, %d bytes, largest %d)\n",
		*nodes, rounds, msgs, bytes, largest)

	owner := *nodes / 2
	if err := c.Nodes[owner].UpdateLocal("version", "v2"); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nnode-%d sets version=v2; nodes that have seen it:\n", owner)
	for r := 0; r <= 100; r++ {
		seen := c.Count(owner, "version", "v2")
		bar := strings.Repeat("#", seen*50 / *nodes)
		fmt.Printf("round %2d %5d/%d %s\n", r, seen, *nodes, bar)
		if seen == *nodes {
			theory := math.Log(float64(*nodes))/math.Log(3) + math.Log2(math.Log(float64(*nodes)))
			fmt.Printf("\nreached every node in %d rounds (log3(N) + log2(ln N) = %.1f)\n", r, theory)
			return
		}
		c.Net.Advance(time.Second)
	}
	fmt.Println("did not reach every node in 100 rounds")
}
