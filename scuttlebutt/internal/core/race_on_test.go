//go:build race

package core

// raceEnabled shortens the long property runs under the race detector.
const raceEnabled = true
