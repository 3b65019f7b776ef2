// Package metrics exports a Node's counters and state to Prometheus.
//
// NewCollector returns a prometheus.Collector that reads the Node's public
// API (Stats and Snapshot) on every scrape; the Node itself knows nothing of
// Prometheus and keeps no extra state for it:
//
//	reg := prometheus.NewRegistry()
//	reg.MustRegister(metrics.NewCollector(node))
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// Every family is named scuttlebutt_..., counters end in _total and sizes
// are in bytes; Families returns the names. The counters follow Stats one to
// one (see its field comments for what each counts):
//
//	scuttlebutt_gossip_rounds_total                      Rounds
//	scuttlebutt_messages_sent_total{kind}                SentByKind (syn, synack, ack, ping, pong) Messages
//	scuttlebutt_sent_bytes_total{kind}                   SentByKind Bytes
//	scuttlebutt_messages_received_total                  MessagesReceived
//	scuttlebutt_received_bytes_total                     BytesReceived
//	scuttlebutt_messages_decoded_total{kind}             ReceivedByKind Messages
//	scuttlebutt_decoded_bytes_total{kind}                ReceivedByKind Bytes
//	scuttlebutt_received_messages_dropped_total{reason}  LabelDrops (label), DecodeErrors (malformed), MessagesDropped (ignored)
//	scuttlebutt_send_errors_total{reason}                SendErrors (transport), EncodeErrors (encode), Oversize (oversize)
//	scuttlebutt_transport_drops_total{reason}            TransportDrops (oversize, queue_full, decode, kernel, unauthenticated)
//	scuttlebutt_largest_datagram_sent_bytes              LargestSent (a gauge)
//	scuttlebutt_stream_messages_sent_total               StreamsSent
//	scuttlebutt_stream_messages_dropped_total            StreamsDropped
//	scuttlebutt_deltas_received_total{outcome}           DeltasApplied, DeltasStale, DeltasRejected
//	scuttlebutt_deltas_over_limits_total                 LimitDrops
//	scuttlebutt_entries_applied_total                    EntriesApplied
//	scuttlebutt_deltas_cut_total                         DeltasCut
//	scuttlebutt_prunes_sent_total                        ResetsSent
//	scuttlebutt_prunes_installed_total                   Prunes
//	scuttlebutt_prunes_staged_total                      PrunesStaged
//	scuttlebutt_prunes_too_large_total                   PrunesTooLarge
//	scuttlebutt_tombstones_collected_total               TombstonesGCd
//	scuttlebutt_liveness_checks_total                    LivenessChecks
//	scuttlebutt_pings_sent_total                         PingsSent
//	scuttlebutt_pongs_received_total                     PongsReceived
//	scuttlebutt_verdicts_written_total                   Suspicions
//	scuttlebutt_refutations_total                        Refutations
//	scuttlebutt_exchanges_total{outcome}                 ExchangesEqual, ExchangesPulled, ExchangesPushed, ExchangesBoth, ExchangesNeither
//	scuttlebutt_bucket_walks_total                       Walks
//	scuttlebutt_quiet_rounds_total                       QuietRounds
//	scuttlebutt_store_errors_total                       StoreErrors
//	scuttlebutt_generation_bumps_total                   GenerationBumps
//
// and the gauges come from Snapshot:
//
//	scuttlebutt_members{status}        nodes known, this one included, by status (alive, suspect, left)
//	scuttlebutt_state_keys{owner}      live keys held, of this node (local) and of the others (peers)
//	scuttlebutt_state_bytes{owner}     the bytes of those keys and their values
//
// and one gauge from Monitored:
//
//	scuttlebutt_detector_phi{peer}     the detector's phi of each node this node monitors
//
// A scrape copies the whole Snapshot, every key of every node: cheap for
// the clusters a status page shows, worth knowing for very large states.
//
// One Collector describes one Node. To export several Nodes of one process
// from one registry, register each under its own label:
//
//	prometheus.WrapRegistererWith(prometheus.Labels{"node": node.ID()}, reg).MustRegister(metrics.NewCollector(node))
package metrics
