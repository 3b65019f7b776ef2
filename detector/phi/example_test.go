package phi_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector/phi"
)

// A node heartbeats every second like clockwork, then falls silent. With
// the defaults (threshold 8, 3 s acceptable pause, deviation at least
// 100 ms) phi passes 8 about 4.56 s into the silence.
func Example() {
	d, err := phi.New(phi.Config{})
	if err != nil {
		panic(err)
	}
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 60 {
		d.Heartbeat("node-a", now)
		now = now.Add(time.Second)
	}
	last := now.Add(-time.Second)
	for _, silence := range []time.Duration{time.Second, 4 * time.Second, 4500 * time.Millisecond, 4600 * time.Millisecond, time.Minute} {
		at := last.Add(silence)
		fmt.Printf("after %v: phi %.2f, suspected %v\n", silence, d.Level("node-a", at), d.Suspect("node-a", at))
	}
	// Output:
	// after 1s: phi 0.00, suspected false
	// after 4s: phi 0.30, suspected false
	// after 4.5s: phi 6.54, suspected false
	// after 4.6s: phi 9.01, suspected true
	// after 1m0s: phi 1000.00, suspected true
}

// The window adapts: the same silence is judged more leniently for a node
// whose heartbeats have been irregular.
func Example_jitter() {
	d, err := phi.New(phi.Config{})
	if err != nil {
		panic(err)
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	regular, irregular := start, start
	for i := range 100 {
		regular = regular.Add(time.Second)
		irregular = irregular.Add(time.Duration(500+1000*(i%2)) * time.Millisecond) // 0.5 s, 1.5 s, ...
		d.Heartbeat("regular", regular)
		d.Heartbeat("irregular", irregular)
	}
	silence := 5 * time.Second
	fmt.Printf("regular:   phi %.2f after %v\n", d.Level("regular", regular.Add(silence)), silence)
	fmt.Printf("irregular: phi %.2f after %v\n", d.Level("irregular", irregular.Add(silence)), silence)
	// Output:
	// regular:   phi 23.01 after 5s
	// irregular: phi 1.64 after 5s
}

func ExampleNew_invalid() {
	_, err := phi.New(phi.Config{WindowSize: 1})
	var ce *phi.ConfigError
	fmt.Println(errors.Is(err, phi.ErrInvalidConfig), errors.As(err, &ce) && ce.Field == "WindowSize")
	fmt.Println(err)
	// Output:
	// true true
	// phi: invalid config: WindowSize: 1 is not in [2, 65536]
}
