package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
)

// families are every metric family the Collector exports, one entry each.
// Adding a family is adding a line: counter for one Stats counter,
// counterBy for several Stats counters under one label, gauge for a value
// computed from the sample, with any labels (a family whose series come
// and go, such as one per monitored peer, emits one series per peer).
// TestValuesMatchStats and TestFamilies then ask for the new family's
// expected values and its line in doc.go.
var families = []family{
	counter("gossip_rounds_total", "Gossip rounds run.", func(s *scuttlebutt.Stats) uint64 { return s.Rounds }),

	counterBy("messages_sent_total", "Messages sent through the transport, datagrams and stream messages, by kind.", "kind", byKind(sent, messages)...),
	counterBy("sent_bytes_total", "Bytes sent through the transport, label header and encoding, by message kind.", "kind", byKind(sent, bytes)...),
	counter("messages_received_total", "Messages received from the transport, before decoding.", func(s *scuttlebutt.Stats) uint64 { return s.MessagesReceived }),
	counter("received_bytes_total", "Bytes received from the transport, before decoding.", func(s *scuttlebutt.Stats) uint64 { return s.BytesReceived }),
	counterBy("messages_decoded_total", "Messages received and decoded, by kind.", "kind", byKind(received, messages)...),
	counterBy("decoded_bytes_total", "Bytes of the messages received and decoded, as received, by message kind.", "kind", byKind(received, bytes)...),
	counterBy("received_messages_dropped_total", "Received messages dropped whole, by reason: label (another cluster label, or none), malformed (did not decode), ignored (bad kind, or from this node's own ID).", "reason",
		by("label", func(s *scuttlebutt.Stats) uint64 { return s.LabelDrops }),
		by("malformed", func(s *scuttlebutt.Stats) uint64 { return s.DecodeErrors }),
		by("ignored", func(s *scuttlebutt.Stats) uint64 { return s.MessagesDropped })),
	counterBy("send_errors_total", "Outgoing messages that failed, by reason: transport (refused or failed to send), encode (the codec refused the message or some of its deltas, which were left out), oversize (larger than the MTU, not sent).", "reason",
		by("transport", func(s *scuttlebutt.Stats) uint64 { return s.SendErrors }),
		by("encode", func(s *scuttlebutt.Stats) uint64 { return s.EncodeErrors }),
		by("oversize", func(s *scuttlebutt.Stats) uint64 { return s.Oversize })),
	counterBy("transport_drops_total", "Messages the transport dropped, by reason: oversize (over the MTU), queue_full (a send queue was full), decode (malformed at the transport's level), kernel (the operating system's receive buffer was full), unauthenticated (no installed key opened it, or unsealed where sealing is required).", "reason",
		by("oversize", func(s *scuttlebutt.Stats) uint64 { return s.TransportDrops.Oversize }),
		by("queue_full", func(s *scuttlebutt.Stats) uint64 { return s.TransportDrops.QueueFull }),
		by("decode", func(s *scuttlebutt.Stats) uint64 { return s.TransportDrops.Decode }),
		by("kernel", func(s *scuttlebutt.Stats) uint64 { return s.TransportDrops.Kernel }),
		by("unauthenticated", func(s *scuttlebutt.Stats) uint64 { return s.TransportDrops.Unauthenticated })),
	gauge("largest_datagram_sent_bytes", "The largest datagram sent so far, in bytes (stream messages not included).", nil,
		func(s *sample, emit emitFunc) { emit(float64(s.stats.LargestSent)) }),

	counter("stream_messages_sent_total", "Messages sent over the transport's stream capability (also counted in messages_sent_total).", func(s *scuttlebutt.Stats) uint64 { return s.StreamsSent }),
	counter("stream_messages_dropped_total", "Stream messages dropped because too many were waiting for a slow peer.", func(s *scuttlebutt.Stats) uint64 { return s.StreamsDropped }),

	counterBy("deltas_received_total", "Node deltas received, by outcome: applied (changed state), stale (already held, or of an old generation), rejected (gaps, malformed, about removed nodes, owed a prune first).", "outcome",
		by("applied", func(s *scuttlebutt.Stats) uint64 { return s.DeltasApplied }),
		by("stale", func(s *scuttlebutt.Stats) uint64 { return s.DeltasStale }),
		by("rejected", func(s *scuttlebutt.Stats) uint64 { return s.DeltasRejected })),
	counter("deltas_over_limits_total", "Node deltas refused because the state they bring would exceed one of Config.Limits (also counted as rejected).", func(s *scuttlebutt.Stats) uint64 { return s.LimitDrops }),
	counter("entries_applied_total", "Key changes applied from peers.", func(s *scuttlebutt.Stats) uint64 { return s.EntriesApplied }),
	counter("deltas_cut_total", "Outgoing node deltas cut short, or left out, for lack of room.", func(s *scuttlebutt.Stats) uint64 { return s.DeltasCut }),

	counter("prunes_sent_total", "Prunes sent: key lists for peers that may have missed deletes whose tombstones were collected.", func(s *scuttlebutt.Stats) uint64 { return s.ResetsSent }),
	counter("prunes_installed_total", "Prunes installed here.", func(s *scuttlebutt.Stats) uint64 { return s.Prunes }),
	counter("prunes_staged_total", "Key lists taken for a prune, installed or not yet.", func(s *scuttlebutt.Stats) uint64 { return s.PrunesStaged }),
	counter("prunes_too_large_total", "Prunes this node owed a peer that fit no message.", func(s *scuttlebutt.Stats) uint64 { return s.PrunesTooLarge }),
	counter("tombstones_collected_total", "Tombstones dropped after the tombstone grace period.", func(s *scuttlebutt.Stats) uint64 { return s.TombstonesGCd }),

	counter("liveness_checks_total", "Questions put to the failure detector about the nodes this node monitors.", func(s *scuttlebutt.Stats) uint64 { return s.LivenessChecks }),
	counter("pings_sent_total", "PINGs sent to monitored nodes, probes of late ones included.", func(s *scuttlebutt.Stats) uint64 { return s.PingsSent }),
	counter("pongs_received_total", "PONGs received from monitored nodes.", func(s *scuttlebutt.Stats) uint64 { return s.PongsReceived }),
	counter("verdicts_written_total", "Verdicts this node wrote as a monitor: a node it suspects is down.", func(s *scuttlebutt.Stats) uint64 { return s.Suspicions }),
	counter("refutations_total", "Times this node took a new incarnation because a quorum of its monitors suspected it.", func(s *scuttlebutt.Stats) uint64 { return s.Refutations }),
	counterBy("exchanges_total", "Exchanges by outcome: equal (a SYN or PING whose digest hash matched this node's, answered with nothing), and, of those this node opened whose hashes differed, pulled (deltas came in), pushed (deltas went out), both, or neither (only requests, or a bucket walk).", "outcome",
		by("equal", func(s *scuttlebutt.Stats) uint64 { return s.ExchangesEqual }),
		by("pulled", func(s *scuttlebutt.Stats) uint64 { return s.ExchangesPulled }),
		by("pushed", func(s *scuttlebutt.Stats) uint64 { return s.ExchangesPushed }),
		by("both", func(s *scuttlebutt.Stats) uint64 { return s.ExchangesBoth }),
		by("neither", func(s *scuttlebutt.Stats) uint64 { return s.ExchangesNeither })),
	counter("bucket_walks_total", "Bucket walks this node started: digest hashes that still differed once both sides' recent changes were counted.", func(s *scuttlebutt.Stats) uint64 { return s.Walks }),
	counter("quiet_rounds_total", "Rounds that opened no exchange because nothing had changed for a while.", func(s *scuttlebutt.Stats) uint64 { return s.QuietRounds }),
	gauge("detector_phi", "The failure detector's suspicion level (phi for phi-accrual) of each node this node monitors.", []string{"peer"}, func(s *sample, emit emitFunc) {
		for _, p := range s.peers {
			emit(p.Phi, p.ID)
		}
	}),
	counter("store_errors_total", "Store writes that failed and changed nothing.", func(s *scuttlebutt.Stats) uint64 { return s.StoreErrors }),
	counter("generation_bumps_total", "Times this node found the cluster holding a newer generation of its own ID and took one above it.", func(s *scuttlebutt.Stats) uint64 { return s.GenerationBumps }),

	gauge("members", "Nodes known, this one included, by status.", []string{"status"}, func(s *sample, emit emitFunc) {
		for _, st := range statuses {
			emit(float64(s.members[st]), st.String())
		}
	}),
	gauge("state_keys", "Live keys held, by owner: local (this node's) or peers (every other node's).", []string{"owner"}, func(s *sample, emit emitFunc) {
		for o, n := range s.keys {
			emit(float64(n), ownerNames[o])
		}
	}),
	gauge("state_bytes", "Bytes of the live keys held (keys plus values), by owner: local or peers.", []string{"owner"}, func(s *sample, emit emitFunc) {
		for o, n := range s.bytes {
			emit(float64(n), ownerNames[o])
		}
	}),
}

// family is one metric family: its descriptor, its type, and how its
// series are read from a sample.
type family struct {
	name string
	desc *prometheus.Desc
	typ  prometheus.ValueType
	// values emits every series of the family, each with its label values
	// in the order the descriptor names the labels.
	values func(s *sample, emit emitFunc)
}

// emitFunc sends one series: its value and its label values.
type emitFunc func(v float64, labelValues ...string)

// series is one labelled series of a counterBy family.
type series struct {
	label string
	value func(s *scuttlebutt.Stats) uint64
}

// by names the series of a counterBy family that reads value.
// The sides and measures of a per-kind family.
var (
	sent     = func(s *scuttlebutt.Stats) *scuttlebutt.KindCounts { return &s.SentByKind }
	received = func(s *scuttlebutt.Stats) *scuttlebutt.KindCounts { return &s.ReceivedByKind }
	messages = func(t scuttlebutt.Traffic) uint64 { return t.Messages }
	bytes    = func(t scuttlebutt.Traffic) uint64 { return t.Bytes }
)

// byKind is one series per message kind, of one side and one measure.
func byKind(side func(*scuttlebutt.Stats) *scuttlebutt.KindCounts, measure func(scuttlebutt.Traffic) uint64) []series {
	kind := func(label string, pick func(*scuttlebutt.KindCounts) scuttlebutt.Traffic) series {
		return by(label, func(s *scuttlebutt.Stats) uint64 { return measure(pick(side(s))) })
	}
	return []series{
		kind("syn", func(k *scuttlebutt.KindCounts) scuttlebutt.Traffic { return k.Syn }),
		kind("synack", func(k *scuttlebutt.KindCounts) scuttlebutt.Traffic { return k.SynAck }),
		kind("ack", func(k *scuttlebutt.KindCounts) scuttlebutt.Traffic { return k.Ack }),
		kind("ping", func(k *scuttlebutt.KindCounts) scuttlebutt.Traffic { return k.Ping }),
		kind("pong", func(k *scuttlebutt.KindCounts) scuttlebutt.Traffic { return k.Pong }),
	}
}

func by(label string, value func(s *scuttlebutt.Stats) uint64) series {
	return series{label: label, value: value}
}

func newFamily(name, help string, typ prometheus.ValueType, labels []string, values func(*sample, emitFunc)) family {
	full := prometheus.BuildFQName(Namespace, "", name)
	return family{name: full, desc: prometheus.NewDesc(full, help, labels, nil), typ: typ, values: values}
}

// counter is a family of one series that reads one Stats counter.
func counter(name, help string, value func(s *scuttlebutt.Stats) uint64) family {
	return newFamily(name, help, prometheus.CounterValue, nil, func(s *sample, emit emitFunc) {
		emit(float64(value(&s.stats)))
	})
}

// counterBy is a family of several Stats counters told apart by one label.
func counterBy(name, help, label string, all ...series) family {
	return newFamily(name, help, prometheus.CounterValue, []string{label}, func(s *sample, emit emitFunc) {
		for _, x := range all {
			emit(float64(x.value(&s.stats)), x.label)
		}
	})
}

// gauge is a family whose series values computes from the sample.
func gauge(name, help string, labels []string, values func(s *sample, emit emitFunc)) family {
	return newFamily(name, help, prometheus.GaugeValue, labels, values)
}
