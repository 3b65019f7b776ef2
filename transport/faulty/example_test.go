package faulty_test

import (
	"fmt"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport/faulty"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// A wrapper around a simulated transport, on the network's virtual clock:
// a fifth of the datagrams are lost and the rest arrive 50ms late, the same
// ones on every run.
func ExampleNew() {
	nw := mem.NewNetwork(mem.Config{Seed: 1})
	inner, _ := nw.NewTransport("a")
	t, err := faulty.New(inner, faulty.Config{Loss: 0.2, Delay: 50 * time.Millisecond, Seed: 1, Clock: nw})
	if err != nil {
		panic(err)
	}
	defer t.Close()
	dst, _ := nw.NewTransport("b")
	defer dst.Close()
	received := 0
	dst.Start(func(string, []byte) { received++ })
	t.Start(func(string, []byte) {})

	for range 100 {
		t.Send("b", []byte("ping"))
	}
	nw.Advance(49 * time.Millisecond)
	fmt.Println("after 49ms:", received)
	nw.Advance(time.Millisecond)
	fmt.Println("after 50ms:", received)
	fmt.Printf("%+v\n", t.(*faulty.StreamTransport).Stats())
	// Output:
	// after 49ms: 0
	// after 50ms: 77
	// {Sent:77 Lost:23 Delayed:77 Failed:0}
}
