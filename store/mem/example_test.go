package mem_test

import (
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/scuttlebutt-go/scuttlebutt/store/mem"
)

// The owner writes its keys; a replica applies them as a delta and reports
// what changed; the owner lists what a peer that holds version 1 lacks.
func Example() {
	owner := mem.New()
	if _, err := owner.AddNode("node-a", 1); err != nil {
		panic(err)
	}
	owner.Put("node-a", "role", "db", false)
	owner.Put("node-a", "addr", "10.0.0.1:7946", false)
	owner.Put("node-a", "role", "db", false) // unchanged: no new version
	owner.Put("node-a", "role", "", true)    // delete: a tombstone at version 3

	d := &store.Delta{ID: "node-a", Generation: 1}
	owner.Entries("node-a", 0, func(e store.Entry) bool {
		d.Entries = append(d.Entries, e)
		return true
	})
	n, _ := owner.Node("node-a")
	d.Upto = n.MaxVersion
	fmt.Println("owner holds through version", n.MaxVersion, "with", n.Keys, "keys")

	replica := mem.New()
	err := replica.Apply(d, func(e store.Entry) {
		fmt.Printf("replica: %s = %q at version %d (deleted: %v)\n", e.Key, e.Value, e.Version, e.Tombstone)
	})
	fmt.Println("apply:", err)

	owner.Entries("node-a", 1, func(e store.Entry) bool {
		fmt.Printf("after 1: %s@%d tombstone=%v\n", e.Key, e.Version, e.Tombstone)
		return true
	})
	// Output:
	// owner holds through version 3 with 2 keys
	// replica: addr = "10.0.0.1:7946" at version 2 (deleted: false)
	// apply: <nil>
	// after 1: addr@2 tombstone=false
	// after 1: role@3 tombstone=true
}
