package interval_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector/interval"
)

func Example() {
	d, err := interval.New(interval.Config{Interval: time.Second, K: 3})
	if err != nil {
		panic(err)
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	d.Heartbeat("node-a", start)
	for _, silence := range []time.Duration{time.Second, 3 * time.Second, 3500 * time.Millisecond} {
		now := start.Add(silence)
		fmt.Printf("after %v: level %.1f, suspected %v\n", silence, d.Level("node-a", now), d.Suspect("node-a", now))
	}
	// Output:
	// after 1s: level 1.0, suspected false
	// after 3s: level 3.0, suspected false
	// after 3.5s: level 3.5, suspected true
}

func ExampleNew_invalid() {
	_, err := interval.New(interval.Config{K: 0.5})
	var ce *interval.ConfigError
	fmt.Println(errors.Is(err, interval.ErrInvalidConfig), errors.As(err, &ce) && ce.Field == "K")
	fmt.Println(err)
	// Output:
	// true true
	// interval: invalid config: K: 0.5 is not a finite number >= 1
}
