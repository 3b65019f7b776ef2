// Package tests holds system tests: whole clusters in memory (deterministic,
// on virtual time) and over real loopback sockets.
//
// Tests named Large (the 1,000-node simulations and the long lifecycle
// measurements) and the full TestChaos run only with -large, without the
// race detector; without it TestChaos runs a shorter plan:
//
//	go test ./...                                              # a few minutes
//	go test -count=1 -run 'Large|Chaos' ./tests/ -args -large  # the long runs
package tests
