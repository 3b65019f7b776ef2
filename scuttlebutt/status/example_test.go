package status_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/status"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// The status of one node of a small simulated cluster, read as JSON the
// way a program (or curl -H 'Accept: application/json') would.
func ExampleNew() {
	nw := mem.NewNetwork(mem.Config{Seed: 1})
	var nodes []*scuttlebutt.Node
	for _, id := range []string{"a", "b", "c"} {
		tr, _ := nw.NewTransport(id + ":7946")
		node, err := scuttlebutt.NewBuilder(id).Transport(tr).Clock(nw).Seed(1).Build()
		if err != nil {
			panic(err)
		}
		defer node.Close()
		node.UpdateLocal("role", "role-of-"+id)
		nodes = append(nodes, node)
	}
	nodes[1].Join([]string{"a:7946"})
	nodes[2].Join([]string{"a:7946"})
	nw.Advance(5 * time.Second)

	h := status.New(nodes[0], status.Options{Clock: nw})
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	var r status.Report
	if err := json.NewDecoder(rec.Body).Decode(&r); err != nil {
		panic(err)
	}
	fmt.Println("status of", r.ID)
	for _, m := range r.Members {
		fmt.Println(m.ID, m.Addr, m.Status, m.KeyCount, m.Keys["role"])
	}
	// Output:
	// status of a
	// a a:7946 alive 1 role-of-a
	// b b:7946 alive 1 role-of-b
	// c c:7946 alive 1 role-of-c
}
