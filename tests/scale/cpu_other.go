//go:build !unix

package main

import "time"

// cpuTime is unavailable here: rows show no CPU time.
func cpuTime() (time.Duration, bool) { return 0, false }
