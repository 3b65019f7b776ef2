package scuttlebutt

import (
	"errors"
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/transport/keyring"
)

// ErrNotEncrypted: SetEncryptionMode was called on a Node whose
// Config.Transport is not a transport/keyring wrapper.
var ErrNotEncrypted = errors.New("scuttlebutt: transport is not a keyring wrapper")

// encrypted is what both transport/keyring wrappers have.
type encrypted interface {
	Keyring() *keyring.Keyring
	SetMode(keyring.Mode) error
}

// Keyring returns the keyring of the Node's transport, for rotating keys
// while the Node runs (Install, UseKey, Remove; see transport/keyring),
// when Config.Transport is a transport/keyring wrapper; nil otherwise. A
// keyring wrapper inside another wrapper (transport/faulty around it, say)
// is not found: keep the *keyring.Keyring given to keyring.Wrap instead,
// which is the same object.
func (n *Node) Keyring() *keyring.Keyring {
	if e, ok := n.tr.(encrypted); ok {
		return e.Keyring()
	}
	return nil
}

// SetEncryptionMode sets the mode of the Node's keyring wrapper: what it
// sends (sealed or not) and accepts (sealed only, or unsealed too), for
// migrating a running plaintext cluster to encryption (see the steps in
// transport/keyring). It returns an error wrapping ErrNotEncrypted when
// Config.Transport is not a transport/keyring wrapper.
func (n *Node) SetEncryptionMode(m keyring.Mode) error {
	e, ok := n.tr.(encrypted)
	if !ok {
		return fmt.Errorf("set encryption mode %v: %w", m, ErrNotEncrypted)
	}
	return e.SetMode(m)
}
