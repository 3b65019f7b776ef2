// Package tests holds system tests: whole clusters in memory (deterministic,
// on virtual time) and over real loopback sockets. Tests named Large
// simulate 1,000 nodes and are skipped under the race detector.
package tests
