// Command cluster runs a small Scuttlebutt cluster on loopback UDP and
// prints membership and state changes as they spread.
//
//	go run ./examples/cluster -nodes 5 -duration 10s
//
// Every node joins through node-0, publishes its role and a "load" value,
// and changes the load now and then. Each line shows which node saw what.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
)

func main() {
	nodes := flag.Int("nodes", 5, "how many nodes to run")
	duration := flag.Duration("duration", 10*time.Second, "how long to run")
	interval := flag.Duration("interval", 200*time.Millisecond, "gossip interval")
	flag.Parse()
	if err := run(*nodes, *duration, *interval); err != nil {
		log.Fatal(err)
	}
}

func run(count int, duration, interval time.Duration) error {
	start := time.Now()
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf("%6.2fs  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}
	var cluster []*scuttlebutt.Node
	defer func() {
		for _, n := range cluster {
			n.Close()
		}
	}()
	for i := range count {
		id := fmt.Sprintf("node-%d", i)
		n, err := scuttlebutt.New(scuttlebutt.Config{
			ID:             id,
			BindAddr:       "127.0.0.1:0",
			GossipInterval: interval,
			EventSubscriber: scuttlebutt.EventSubscriberFunc(func(e scuttlebutt.Event) {
				say("%-7s sees %s", id, describe(e))
			}),
		})
		if err != nil {
			return err
		}
		cluster = append(cluster, n)
		say("%-7s started on %s", id, n.Addr())
		role := []string{"api", "worker", "db"}[i%3]
		if err := n.UpdateLocal("role", role); err != nil {
			return err
		}
		if i > 0 {
			if err := n.Join([]string{cluster[0].Addr()}); err != nil {
				return err
			}
		}
	}

	rng := rand.New(rand.NewPCG(1, 2))
	tick := time.NewTicker(duration / 5)
	defer tick.Stop()
	deadline := time.After(duration)
	for {
		select {
		case <-tick.C:
			i := rng.IntN(len(cluster))
			load := fmt.Sprintf("%d%%", rng.IntN(100))
			say("%-7s sets load=%s", cluster[i].ID(), load)
			if err := cluster[i].UpdateLocal("load", load); err != nil {
				return err
			}
			printMembers(cluster[0])
		case <-deadline:
			last := cluster[len(cluster)-1]
			say("%-7s leaves", last.ID())
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err := last.Leave(ctx)
			cancel()
			if err != nil {
				fmt.Fprintln(os.Stderr, "leave:", err)
			}
			time.Sleep(3 * interval) // let the departure spread before exiting
			printMembers(cluster[0])
			return nil
		}
	}
}

func describe(e scuttlebutt.Event) string {
	switch e.Kind {
	case scuttlebutt.EventUpdate:
		return fmt.Sprintf("%s %s=%s", e.Node, e.Key, e.Value)
	case scuttlebutt.EventDelete:
		return fmt.Sprintf("%s deleted %s", e.Node, e.Key)
	}
	return fmt.Sprintf("%s %s", e.Node, e.Kind)
}

func printMembers(n *scuttlebutt.Node) {
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s's view ---\n", n.ID())
	for _, s := range n.Snapshot() {
		fmt.Fprintf(&b, "  %-7s %-8s %-16s role=%-6s load=%s\n", s.ID, s.Status, s.Addr, s.Keys["role"], s.Keys["load"])
	}
	fmt.Print(b.String())
}
