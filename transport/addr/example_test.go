package addr_test

import (
	"errors"
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/transport/addr"
)

func ExampleResolve() {
	s, err := addr.Resolve(`{{ GetAllInterfaces | include "network" "127.0.0.0/8" | attr "address" }}:7946`)
	fmt.Println(s, err)

	_, err = addr.Resolve(`{{ GetAllInterfaces | include "name" "^no-such-interface$" | attr "address" }}:7946`)
	fmt.Println(errors.Is(err, addr.ErrNoAddress))
	// Output:
	// 127.0.0.1:7946 <nil>
	// true
}

func ExampleAdvertise() {
	// A specific bind address is already what peers should use.
	s, err := addr.Advertise("127.0.0.1:7946")
	fmt.Println(s, err)
	// Output: 127.0.0.1:7946 <nil>
}
