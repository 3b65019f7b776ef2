package scuttlebutt

import "bytes"

// The cluster label header. A Node with a Config.Label starts every message
// it sends (datagram or stream) with LabelByte, the label's length in one
// byte, and the label; the codec's encoding follows. A Node receiving a
// message checks the header before decoding: a message whose label differs
// from its own, or that carries none when it has one, or that carries one
// when it has none, is dropped and counted (Stats.LabelDrops). The header
// counts against the MTU like any other byte.
//
// With a transport/keyring wrapper the header travels inside the sealed
// payload, so the AES-GCM tag authenticates it exactly as associated data
// would: a key holder of another cluster cannot make its messages pass for
// this one's, and an altered label fails to open. The header, not
// associated data, is used because it works the same for every transport
// and in the keyring's plaintext migration modes.
const (
	// LabelByte is the first byte of a labelled message. No codec of this
	// module starts a message with it (0xC3 is msgpack's true, never a
	// Message; the binary codec starts with "SB", JSON with "{"), and it is
	// neither of transport/keyring's version bytes (0xC1, 0xC2). A custom
	// codec must not start its messages with it either.
	LabelByte byte = 0xC3
	// MaxLabelLength is the longest Config.Label accepted, in bytes.
	MaxLabelLength = 255
)

// labelHeader returns the header a Node with label sends, nil for none.
func labelHeader(label string) []byte {
	if label == "" {
		return nil
	}
	h := make([]byte, 0, 2+len(label))
	return append(append(h, LabelByte, byte(len(label))), label...)
}

// unlabel returns the codec bytes of a received message when its header
// matches header (nil: the node has no label), and false otherwise.
func unlabel(header, b []byte) ([]byte, bool) {
	if header == nil {
		return b, len(b) == 0 || b[0] != LabelByte
	}
	if !bytes.HasPrefix(b, header) {
		return nil, false
	}
	return b[len(header):], true
}
