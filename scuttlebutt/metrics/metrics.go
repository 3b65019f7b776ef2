package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
)

// Namespace prefixes every metric name.
const Namespace = "scuttlebutt"

// Collector is a prometheus.Collector for one Node. It is safe for
// concurrent use, and keeps working after the Node is closed (its last
// counters stay readable).
type Collector struct {
	node *scuttlebutt.Node
}

var _ prometheus.Collector = (*Collector)(nil)

// NewCollector returns a Collector that reads node on every scrape.
func NewCollector(node *scuttlebutt.Node) *Collector { return &Collector{node: node} }

// Describe sends the descriptor of every family.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for i := range families {
		ch <- families[i].desc
	}
}

// Collect reads the Node's Stats and Snapshot once and sends every series.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := takeSample(c.node)
	for i := range families {
		f := &families[i]
		f.values(s, func(v float64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(f.desc, f.typ, v, labels...)
		})
	}
}

// Families returns the full names of every metric family the Collector
// exports, in the order it exports them.
func Families() []string {
	names := make([]string, len(families))
	for i := range families {
		names[i] = families[i].name
	}
	return names
}

// sample is what one scrape reads from the Node: its counters and a
// summary of its Snapshot. A family that needs more of the Node adds a
// field here and fills it in takeSample.
type sample struct {
	stats scuttlebutt.Stats
	// members counts the known nodes by status, this one included.
	members map[scuttlebutt.Status]int
	// keys and bytes are the live keys held and their bytes (key plus
	// value), by owner: ownerLocal for this node's, ownerPeers for the rest.
	keys, bytes [2]int
	// peers are the nodes this node monitors.
	peers []scuttlebutt.MonitoredPeer
}

// The owner label's values, as indexes of sample.keys and sample.bytes.
const (
	ownerLocal = iota
	ownerPeers
)

var ownerNames = [2]string{ownerLocal: "local", ownerPeers: "peers"}

// statuses are the values of the members family's status label, always
// all sent (zero when no node has it) so a series never vanishes.
var statuses = []scuttlebutt.Status{scuttlebutt.StatusAlive, scuttlebutt.StatusSuspect, scuttlebutt.StatusLeft}

func takeSample(n *scuttlebutt.Node) *sample {
	s := &sample{stats: n.Stats(), members: map[scuttlebutt.Status]int{}, peers: n.Monitored()}
	self := n.ID()
	for _, ns := range n.Snapshot() {
		s.members[ns.Status]++
		owner := ownerPeers
		if ns.ID == self {
			owner = ownerLocal
		}
		s.keys[owner] += len(ns.Keys)
		for k, v := range ns.Keys {
			s.bytes[owner] += len(k) + len(v)
		}
	}
	return s
}
