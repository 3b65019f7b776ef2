package quic_test

import (
	"context"
	"fmt"
	"log"

	"github.com/scuttlebutt-go/scuttlebutt/transport/quic"
)

// Two nodes on loopback sharing a development TLS configuration: a sends a
// datagram, b answers to the address the Handler reports, which is a's
// listening address.
func Example() {
	tlsConf, err := quic.SelfSignedTLS("127.0.0.1") // development only
	if err != nil {
		log.Fatal(err)
	}
	a, err := quic.New(quic.Config{BindAddr: "127.0.0.1:0", TLS: tlsConf})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	b, err := quic.New(quic.Config{BindAddr: "127.0.0.1:0", TLS: tlsConf})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	reply := make(chan string, 1)
	if err := a.Start(func(from string, p []byte) { reply <- string(p) }); err != nil {
		log.Fatal(err)
	}
	if err := b.Start(func(from string, p []byte) {
		fmt.Printf("b got %q; from is a's address: %v\n", p, from == a.LocalAddr())
		_ = b.Send(from, []byte("pong"))
	}); err != nil {
		log.Fatal(err)
	}

	if err := a.Send(b.LocalAddr(), []byte("ping")); err != nil {
		log.Fatal(err)
	}
	fmt.Println("a got", <-reply)
	// Output:
	// b got "ping"; from is a's address: true
	// a got pong
}

// SendStream carries messages above the MTU and returns once the receiver's
// Handler has seen them.
func ExampleTransport_SendStream() {
	tlsConf, err := quic.SelfSignedTLS()
	if err != nil {
		log.Fatal(err)
	}
	a, err := quic.New(quic.Config{TLS: tlsConf})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	b, err := quic.New(quic.Config{TLS: tlsConf})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	got := make(chan int, 1)
	if err := b.Start(func(_ string, p []byte) { got <- len(p) }); err != nil {
		log.Fatal(err)
	}

	state := make([]byte, 1<<20) // a full state sync, far above the MTU
	if err := a.SendStream(context.Background(), b.LocalAddr(), state); err != nil {
		log.Fatal(err)
	}
	fmt.Println("b got", <-got, "bytes")
	// Output: b got 1048576 bytes
}
