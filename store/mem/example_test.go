package mem_test

import (
	"errors"
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/scuttlebutt-go/scuttlebutt/store/mem"
)

// The core records a node's state with Writes; the store applies them as
// given and returns the entries in ascending version order, for instance the
// ones a peer holding version 1 lacks.
func Example() {
	s := mem.New()
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(s.Write(&store.Write{
		Node: store.Node{ID: "node-a", Generation: 1, MaxVersion: 2},
		Put: []store.Entry{
			{Key: "role", Value: "db", Version: 1},
			{Key: "addr", Value: "10.0.0.1:7946", Version: 2},
		},
	}))
	// The owner deletes role: a tombstone at version 3 replaces its entry.
	must(s.Write(&store.Write{
		Node: store.Node{ID: "node-a", Generation: 1, MaxVersion: 3},
		Put:  []store.Entry{{Key: "role", Version: 3, Tombstone: true}},
	}))

	n, _ := s.Node("node-a")
	fmt.Printf("%s: generation %d, through version %d, %d keys\n", n.ID, n.Generation, n.MaxVersion, n.Keys)
	s.Entries("node-a", 1, func(e store.Entry) bool {
		fmt.Printf("after 1: %s@%d %q tombstone=%v\n", e.Key, e.Version, e.Value, e.Tombstone)
		return true
	})

	// A write no core would issue is refused and changes nothing.
	err := s.Write(&store.Write{Node: store.Node{ID: "node-a"}, Put: []store.Entry{{Version: 4}}})
	fmt.Println("empty key refused:", errors.Is(err, store.ErrInvalidWrite))

	must(s.Remove("node-a"))
	fmt.Println("nodes:", s.Len())
	// Output:
	// node-a: generation 1, through version 3, 2 keys
	// after 1: addr@2 "10.0.0.1:7946" tombstone=false
	// after 1: role@3 "" tombstone=true
	// empty key refused: true
	// nodes: 0
}
