package codectest_test

import (
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/codec/codectest"
	"github.com/scuttlebutt-go/scuttlebutt/codec/json"
)

// ExampleDeltasPerPacket compares how many entries of the standard state two
// codecs fit in a 1,400-byte datagram.
func ExampleDeltasPerPacket() {
	for _, c := range []codec.Codec{json.Codec{}, binary.Codec{}} {
		fmt.Println(c.Name(), codectest.DeltasPerPacket(c, 1400))
	}
	// Output:
	// json 14
	// binary 25
}

// ExampleMessages shows the corpus every codec must round-trip.
func ExampleMessages() {
	c := binary.Codec{}
	for _, m := range codectest.Messages()[:5] {
		b, err := c.Append(nil, m)
		if err != nil {
			panic(err)
		}
		fmt.Println(m.Kind, len(b) == codec.Size(c, m))
	}
	// Output:
	// SYN true
	// SYNACK true
	// ACK true
	// PING true
	// PONG true
}
