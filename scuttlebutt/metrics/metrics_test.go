package metrics_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/metrics"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// cluster returns a converged 4-node simulated cluster with a few keys, one
// deleted, in which node 3 has been closed long enough to be suspected by
// the others.
func cluster(t *testing.T) *sim.Cluster {
	t.Helper()
	c, err := sim.New(sim.Config{Nodes: 4, Seed: 7, GossipInterval: time.Second})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	require.NoError(t, c.JoinAll())
	require.NoError(t, c.Nodes[0].UpdateLocal("role", "api"))
	require.NoError(t, c.Nodes[0].UpdateLocal("zone", "eu-1"))
	require.NoError(t, c.Nodes[1].UpdateLocal("role", "worker"))
	require.NoError(t, c.Nodes[2].UpdateLocal("tmp", "x"))
	_, ok := c.RunRounds(50, func() bool { return c.AllKnowAll() && c.Count(2, "tmp", "x") == 4 })
	require.True(t, ok, "the cluster converges")
	require.NoError(t, c.Nodes[2].DeleteLocal("tmp"))
	require.NoError(t, c.Nodes[3].Close())
	_, ok = c.RunRounds(120, func() bool {
		s, _ := c.Nodes[0].NodeState(sim.ID(3))
		return s.Status == scuttlebutt.StatusSuspect && c.Count(2, "tmp", "x") == 0
	})
	require.True(t, ok, "node-3 is suspected and the delete spread")
	return c
}

// gather collects c through a pedantic registry, which also checks that
// Describe and Collect agree, and returns every series as
// "name{label=value,...}" -> value.
func gather(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(c))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			out[seriesName(mf.GetName(), m)] = value(mf.GetType(), m)
		}
	}
	return out
}

func seriesName(name string, m *dto.Metric) string {
	if len(m.GetLabel()) == 0 {
		return name
	}
	var ls []string
	for _, l := range m.GetLabel() {
		ls = append(ls, l.GetName()+"="+l.GetValue())
	}
	return name + "{" + strings.Join(ls, ",") + "}"
}

func value(typ dto.MetricType, m *dto.Metric) float64 {
	if typ == dto.MetricType_COUNTER {
		return m.GetCounter().GetValue()
	}
	return m.GetGauge().GetValue()
}

// want is what the collector must report for node, computed here from
// Stats and Snapshot field by field.
func want(node *scuttlebutt.Node) map[string]float64 {
	s := node.Stats()
	f := func(v uint64) float64 { return float64(v) }
	w := map[string]float64{
		"scuttlebutt_gossip_rounds_total":                               f(s.Rounds),
		"scuttlebutt_messages_received_total":                           f(s.MessagesReceived),
		"scuttlebutt_received_bytes_total":                              f(s.BytesReceived),
		"scuttlebutt_received_messages_dropped_total{reason=label}":     f(s.LabelDrops),
		"scuttlebutt_received_messages_dropped_total{reason=malformed}": f(s.DecodeErrors),
		"scuttlebutt_received_messages_dropped_total{reason=ignored}":   f(s.MessagesDropped),
		"scuttlebutt_send_errors_total{reason=transport}":               f(s.SendErrors),
		"scuttlebutt_send_errors_total{reason=encode}":                  f(s.EncodeErrors),
		"scuttlebutt_send_errors_total{reason=oversize}":                f(s.Oversize),
		"scuttlebutt_transport_drops_total{reason=oversize}":            f(s.TransportDrops.Oversize),
		"scuttlebutt_transport_drops_total{reason=queue_full}":          f(s.TransportDrops.QueueFull),
		"scuttlebutt_transport_drops_total{reason=decode}":              f(s.TransportDrops.Decode),
		"scuttlebutt_transport_drops_total{reason=kernel}":              f(s.TransportDrops.Kernel),
		"scuttlebutt_transport_drops_total{reason=unauthenticated}":     f(s.TransportDrops.Unauthenticated),
		"scuttlebutt_largest_datagram_sent_bytes":                       float64(s.LargestSent),
		"scuttlebutt_stream_messages_sent_total":                        f(s.StreamsSent),
		"scuttlebutt_stream_messages_dropped_total":                     f(s.StreamsDropped),
		"scuttlebutt_deltas_received_total{outcome=applied}":            f(s.DeltasApplied),
		"scuttlebutt_deltas_received_total{outcome=stale}":              f(s.DeltasStale),
		"scuttlebutt_deltas_received_total{outcome=rejected}":           f(s.DeltasRejected),
		"scuttlebutt_deltas_over_limits_total":                          f(s.LimitDrops),
		"scuttlebutt_entries_applied_total":                             f(s.EntriesApplied),
		"scuttlebutt_deltas_cut_total":                                  f(s.DeltasCut),
		"scuttlebutt_prunes_sent_total":                                 f(s.ResetsSent),
		"scuttlebutt_prunes_installed_total":                            f(s.Prunes),
		"scuttlebutt_prunes_staged_total":                               f(s.PrunesStaged),
		"scuttlebutt_prunes_too_large_total":                            f(s.PrunesTooLarge),
		"scuttlebutt_tombstones_collected_total":                        f(s.TombstonesGCd),
		"scuttlebutt_liveness_checks_total":                             f(s.LivenessChecks),
		"scuttlebutt_pings_sent_total":                                  f(s.PingsSent),
		"scuttlebutt_pongs_received_total":                              f(s.PongsReceived),
		"scuttlebutt_verdicts_written_total":                            f(s.Suspicions),
		"scuttlebutt_refutations_total":                                 f(s.Refutations),
		"scuttlebutt_exchanges_total{outcome=equal}":                    f(s.ExchangesEqual),
		"scuttlebutt_exchanges_total{outcome=pulled}":                   f(s.ExchangesPulled),
		"scuttlebutt_exchanges_total{outcome=pushed}":                   f(s.ExchangesPushed),
		"scuttlebutt_exchanges_total{outcome=both}":                     f(s.ExchangesBoth),
		"scuttlebutt_exchanges_total{outcome=neither}":                  f(s.ExchangesNeither),
		"scuttlebutt_bucket_walks_total":                                f(s.Walks),
		"scuttlebutt_quiet_rounds_total":                                f(s.QuietRounds),
		"scuttlebutt_store_errors_total":                                f(s.StoreErrors),
		"scuttlebutt_generation_bumps_total":                            f(s.GenerationBumps),
		"scuttlebutt_members{status=alive}":                             0,
		"scuttlebutt_members{status=suspect}":                           0,
		"scuttlebutt_members{status=left}":                              0,
		"scuttlebutt_state_keys{owner=local}":                           0,
		"scuttlebutt_state_keys{owner=peers}":                           0,
		"scuttlebutt_state_bytes{owner=local}":                          0,
		"scuttlebutt_state_bytes{owner=peers}":                          0,
	}
	kinds := func(k scuttlebutt.KindCounts) map[string]scuttlebutt.Traffic {
		return map[string]scuttlebutt.Traffic{"syn": k.Syn, "synack": k.SynAck, "ack": k.Ack, "ping": k.Ping, "pong": k.Pong}
	}
	var sent uint64
	for kind, t := range kinds(s.SentByKind) {
		w["scuttlebutt_messages_sent_total{kind="+kind+"}"] = f(t.Messages)
		w["scuttlebutt_sent_bytes_total{kind="+kind+"}"] = f(t.Bytes)
		sent += t.Messages
	}
	if sent != s.MessagesSent {
		panic(fmt.Sprintf("messages sent by kind add up to %d, not MessagesSent %d", sent, s.MessagesSent))
	}
	for kind, t := range kinds(s.ReceivedByKind) {
		w["scuttlebutt_messages_decoded_total{kind="+kind+"}"] = f(t.Messages)
		w["scuttlebutt_decoded_bytes_total{kind="+kind+"}"] = f(t.Bytes)
	}
	for _, p := range node.Monitored() {
		w["scuttlebutt_detector_phi{peer="+p.ID+"}"] = p.Phi
	}
	for _, ns := range node.Snapshot() {
		w["scuttlebutt_members{status="+ns.Status.String()+"}"]++
		owner := "peers"
		if ns.ID == node.ID() {
			owner = "local"
		}
		for k, v := range ns.Keys {
			w["scuttlebutt_state_keys{owner="+owner+"}"]++
			w["scuttlebutt_state_bytes{owner="+owner+"}"] += float64(len(k) + len(v))
		}
	}
	return w
}

// TestValuesMatchStats checks every series of every live node against its
// Stats and Snapshot; the cluster holds keys, a delete and a suspect, so
// most values are not zero.
func TestValuesMatchStats(t *testing.T) {
	c := cluster(t)
	for i := range 3 {
		node := c.Nodes[i]
		got := gather(t, metrics.NewCollector(node))
		require.Equal(t, want(node), got, "%s", node.ID())
	}
	got := gather(t, metrics.NewCollector(c.Nodes[0]))
	require.Equal(t, 3.0, got["scuttlebutt_members{status=alive}"])
	require.Equal(t, 1.0, got["scuttlebutt_members{status=suspect}"])
	require.Equal(t, 2.0, got["scuttlebutt_state_keys{owner=local}"])
	require.Equal(t, 1.0, got["scuttlebutt_state_keys{owner=peers}"]) // node-1's role
	require.Equal(t, float64(len("role")+len("worker")), got["scuttlebutt_state_bytes{owner=peers}"])
	require.Positive(t, got["scuttlebutt_gossip_rounds_total"])
	require.Positive(t, got["scuttlebutt_pongs_received_total"])
	require.NotEmpty(t, c.Nodes[0].Monitored(), "node-0 monitors its ring successors")
	require.Positive(t, got["scuttlebutt_deltas_received_total{outcome=applied}"])
	require.Positive(t, got["scuttlebutt_messages_decoded_total{kind=synack}"])
}

// TestLint runs promlint over everything the collector exports.
func TestLint(t *testing.T) {
	c := cluster(t)
	problems, err := testutil.CollectAndLint(metrics.NewCollector(c.Nodes[0]))
	require.NoError(t, err)
	require.Empty(t, problems)
}

// TestFamilies checks that Families names every family exported, each
// once, and that the package documentation lists each of them.
func TestFamilies(t *testing.T) {
	c := cluster(t)
	got := gather(t, metrics.NewCollector(c.Nodes[1]))
	exported := map[string]bool{}
	for s := range got {
		exported[strings.SplitN(s, "{", 2)[0]] = true
	}
	names := metrics.Families()
	require.Len(t, exported, len(names))
	for _, n := range names {
		require.True(t, exported[n], "%s is exported", n)
	}
	sorted := slices.Clone(names)
	sort.Strings(sorted)
	require.Len(t, slices.Compact(sorted), len(names), "no family named twice")

	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	for _, n := range names {
		require.Regexp(t, regexp.MustCompile(`//\s+`+n+`\b`), string(doc), "doc.go lists %s", n)
	}
	require.Equal(t, len(got), testutil.CollectAndCount(metrics.NewCollector(c.Nodes[1])), "every series has its own labels")
}

// TestClosedNode: a closed Node's last counters stay readable.
func TestClosedNode(t *testing.T) {
	c := cluster(t)
	node := c.Nodes[2]
	before := node.Stats()
	require.NoError(t, node.Close())
	got := gather(t, metrics.NewCollector(node))
	require.Equal(t, float64(before.Rounds), got["scuttlebutt_gossip_rounds_total"])
	require.Equal(t, want(node), got)
}

// TestSeveralNodes registers two nodes' collectors in one registry under a
// node label, as the package documentation suggests.
func TestSeveralNodes(t *testing.T) {
	c := cluster(t)
	reg := prometheus.NewPedanticRegistry()
	for _, n := range c.Nodes[:2] {
		prometheus.WrapRegistererWith(prometheus.Labels{"node": n.ID()}, reg).MustRegister(metrics.NewCollector(n))
	}
	mfs, err := reg.Gather()
	require.NoError(t, err)
	require.Len(t, mfs, len(metrics.Families()))
	for _, mf := range mfs {
		if mf.GetName() == "scuttlebutt_gossip_rounds_total" {
			require.Len(t, mf.GetMetric(), 2)
		}
	}
}
