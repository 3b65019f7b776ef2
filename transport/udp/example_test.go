package udp_test

import (
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/transport/udp"
)

func Example() {
	a, err := udp.New(udp.Config{BindAddr: "127.0.0.1:0"})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	b, err := udp.New(udp.Config{BindAddr: "127.0.0.1:0"})
	if err != nil {
		panic(err)
	}
	defer b.Close()

	type delivery struct {
		from string
		msg  string
	}
	got := make(chan delivery, 1)
	// The handler copies what it keeps: b is reused after it returns.
	if err := b.Start(func(from string, msg []byte) { got <- delivery{from, string(msg)} }); err != nil {
		panic(err)
	}
	if err := a.Start(func(string, []byte) {}); err != nil {
		panic(err)
	}
	if err := a.Send(b.LocalAddr(), []byte("hello")); err != nil {
		panic(err)
	}
	d := <-got
	fmt.Printf("%q from a: %v\n", d.msg, d.from == a.LocalAddr())
	// Output: "hello" from a: true
}
