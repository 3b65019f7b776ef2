package bolt_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/store/bolt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// Choosing the durable store with the Builder: node a keeps its state in a
// file. Restarted on the same file, it takes a newer generation, still
// knows b without any gossip (a warm restart), and, with RepublishLocal,
// has its own keys back.
func Example() {
	dir, err := os.MkdirTemp("", "bolt-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "gossip.db")

	nw := mem.NewNetwork(mem.Config{Seed: 1})
	startA := func(republish bool) (*scuttlebutt.Node, *bolt.Store) {
		s, err := bolt.Open(path, nil) // fsync on every commit
		if err != nil {
			panic(err)
		}
		tr, _ := nw.NewTransport("a:7946")
		a, err := scuttlebutt.NewBuilder("a").
			Store(s).
			RepublishLocal(republish).
			Transport(tr).Clock(nw).Seed(1).
			Build()
		if err != nil {
			panic(err)
		}
		return a, s
	}

	tb, _ := nw.NewTransport("b:7946")
	b, _ := scuttlebutt.NewBuilder("b").Transport(tb).Clock(nw).Seed(2).Build()
	defer b.Close()
	a, s := startA(false)
	a.UpdateLocal("role", "api")
	b.UpdateLocal("role", "db")
	b.Join([]string{"a:7946"})
	nw.Advance(3 * time.Second)
	first := a.Generation()
	a.Close() // the Node does not close its store
	s.Close()

	a, s = startA(true)
	defer s.Close()
	defer a.Close()
	role, _ := a.Lookup("b", "role")
	fmt.Println("a still knows b's role:", role)
	role, _ = a.Lookup("a", "role")
	fmt.Println("a's own role, republished:", role)
	fmt.Println("a's generation grew:", a.Generation() > first)
	// Output:
	// a still knows b's role: db
	// a's own role, republished: api
	// a's generation grew: true
}
