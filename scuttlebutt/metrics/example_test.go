package metrics_test

import (
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/metrics"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// A Collector registered for a Node, here on a simulated network; a real
// program serves the registry with promhttp.HandlerFor.
func ExampleNewCollector() {
	nw := mem.NewNetwork(mem.Config{Seed: 1})
	var nodes []*scuttlebutt.Node
	for _, id := range []string{"a", "b", "c"} {
		tr, _ := nw.NewTransport(id)
		node, err := scuttlebutt.NewBuilder(id).Transport(tr).Clock(nw).Seed(1).Build()
		if err != nil {
			panic(err)
		}
		defer node.Close()
		nodes = append(nodes, node)
	}
	nodes[0].UpdateLocal("role", "api")
	nodes[1].UpdateLocal("role", "db")
	nodes[1].Join([]string{"a"})
	nodes[2].Join([]string{"a"})
	nw.Advance(5 * time.Second)

	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.NewCollector(nodes[0]))
	text, err := testutil.CollectAndFormat(metrics.NewCollector(nodes[0]), expfmt.TypeTextPlain,
		"scuttlebutt_members", "scuttlebutt_state_keys")
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(text)
	families, _ := reg.Gather()
	fmt.Println(len(families), "families")
	// Output:
	// # HELP scuttlebutt_members Nodes known, this one included, by status.
	// # TYPE scuttlebutt_members gauge
	// scuttlebutt_members{status="alive"} 3
	// scuttlebutt_members{status="left"} 0
	// scuttlebutt_members{status="suspect"} 0
	// # HELP scuttlebutt_state_keys Live keys held, by owner: local (this node's) or peers (every other node's).
	// # TYPE scuttlebutt_state_keys gauge
	// scuttlebutt_state_keys{owner="local"} 1
	// scuttlebutt_state_keys{owner="peers"} 1
	// 36 families
}
