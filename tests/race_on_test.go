//go:build race

package tests

// raceEnabled: the race detector slows simulations about tenfold, so long
// runs are shortened (never below what their assertions need).
const raceEnabled = true
