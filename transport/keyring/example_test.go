package keyring_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport/keyring"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// Two wrapped transports on a simulated network rotate their shared key
// in three steps while messages keep arriving, none lost.
func Example() {
	oldKey := bytes.Repeat([]byte{1}, 32)
	newKey := bytes.Repeat([]byte{2}, 32)
	nw := mem.NewNetwork(mem.Config{Seed: 1})
	ring, _ := keyring.New(oldKey) // one keyring shared by both, for brevity
	ia, _ := nw.NewTransport("a")
	ib, _ := nw.NewTransport("b")
	a, _ := keyring.Wrap(ia, keyring.Config{Keyring: ring})
	b, _ := keyring.Wrap(ib, keyring.Config{Keyring: ring})
	defer a.Close()
	defer b.Close()
	a.Start(func(string, []byte) {})
	b.Start(func(from string, m []byte) { fmt.Printf("b got %q from %s\n", m, from) })

	send := func(step string) {
		a.Send("b", []byte(step))
		nw.Advance(time.Millisecond)
	}
	send("before")
	ring.Install(newKey) // 1. install the new key everywhere
	send("installed")
	ring.UseKey(newKey) // 2. make it primary everywhere
	send("primary")
	fmt.Println("remove primary:", ring.Remove(newKey))
	ring.Remove(oldKey) // 3. remove the old key everywhere
	send("removed")
	fmt.Println("keys:", len(ring.Keys()), "MTU:", a.MTU(), "=", nw.MTU(), "-", keyring.Overhead)
	fmt.Printf("%+v\n", b.(*keyring.StreamTransport).Stats())
	// Output:
	// b got "before" from a
	// b got "installed" from a
	// b got "primary" from a
	// remove primary: keyring: remove: keyring: cannot remove the primary key
	// b got "removed" from a
	// keys: 1 MTU: 1371 = 1400 - 29
	// {Sealed:0 SentPlaintext:0 Decrypted:4 Plaintext:0 Failed:0 Refused:0}
}
