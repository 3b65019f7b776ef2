// Package detector defines the failure detector interface: it turns the
// arrival times of a monitored node's answers (PONGs to the monitor's PINGs,
// one every heartbeat interval) into a verdict on whether the node is
// suspected of having failed.
//
// Implementations: detector/interval (suspected after k intervals without a
// new heartbeat) and detector/phi (phi-accrual, Hayashibara et al. 2004).
package detector

import "time"

// Detector judges liveness from heartbeat arrival times.
//
// Implementations need not be safe for concurrent use: the Node serialises
// every call. Times are passed in (never read from the wall clock) so that a
// simulated clock drives the detector deterministically. Times passed for one
// node never go backwards.
type Detector interface {
	// Heartbeat records that a new heartbeat of node id arrived at now.
	Heartbeat(id string, now time.Time)
	// Suspect reports whether node id is suspected of failure at now. A node
	// never heard from is not suspected.
	Suspect(id string, now time.Time) bool
	// Level is the suspicion level of id at now, for display and metrics;
	// its scale is the implementation's (phi for phi-accrual). Zero for a
	// node never heard from.
	Level(id string, now time.Time) float64
	// Forget drops everything known about id (the node was removed or
	// restarted with a new generation).
	Forget(id string)
}
