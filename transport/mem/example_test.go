package mem_test

import (
	"fmt"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// Two transports exchange a datagram over a link with 10ms of delay; nothing
// arrives until the test advances virtual time.
func Example() {
	nw := mem.NewNetwork(mem.Config{Seed: 1, DefaultLink: mem.Link{Delay: 10 * time.Millisecond}})
	alice, _ := nw.NewTransport("alice")
	bob, _ := nw.NewTransport("bob")
	start := nw.Now()

	_ = alice.Start(func(from string, b []byte) {
		fmt.Printf("%v alice got %q from %s\n", nw.Now().Sub(start), b, from)
	})
	_ = bob.Start(func(from string, b []byte) {
		fmt.Printf("%v bob got %q from %s\n", nw.Now().Sub(start), b, from)
		_ = bob.Send(from, []byte("pong"))
	})

	_ = alice.Send("bob", []byte("ping"))
	nw.Advance(5 * time.Millisecond)
	fmt.Println("after 5ms:", nw.Stats().Delivered, "delivered")
	nw.Advance(time.Second)
	fmt.Println("after 1s:", nw.Stats().Delivered, "delivered")
	// Output:
	// after 5ms: 0 delivered
	// 10ms bob got "ping" from alice
	// 20ms alice got "pong" from bob
	// after 1s: 2 delivered
}

// A partition drops datagrams between the two sides until Heal.
func ExampleNetwork_Partition() {
	nw := mem.NewNetwork(mem.Config{})
	a, _ := nw.NewTransport("a")
	b, _ := nw.NewTransport("b")
	_ = a.Start(func(string, []byte) {})
	_ = b.Start(func(from string, p []byte) { fmt.Printf("b got %s\n", p) })

	nw.Partition([]string{"a"}, []string{"b"})
	_ = a.Send("b", []byte("during"))
	nw.Advance(time.Second)
	nw.Heal()
	_ = a.Send("b", []byte("after"))
	nw.Advance(time.Second)
	fmt.Println("dropped by partition:", nw.Stats().DroppedPartition)
	// Output:
	// b got after
	// dropped by partition: 1
}

// The Network is a virtual clock: timers fire when time is advanced past them.
func ExampleNetwork_AfterFunc() {
	nw := mem.NewNetwork(mem.Config{})
	start := nw.Now()
	nw.AfterFunc(2*time.Second, func() { fmt.Println("second timer at", nw.Now().Sub(start)) })
	nw.AfterFunc(time.Second, func() { fmt.Println("first timer at", nw.Now().Sub(start)) })
	stop := nw.AfterFunc(3*time.Second, func() { fmt.Println("never") })
	fmt.Println("stopped:", stop())
	nw.Advance(time.Minute)
	// Output:
	// stopped: true
	// first timer at 1s
	// second timer at 2s
}
