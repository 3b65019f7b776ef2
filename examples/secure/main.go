// Command secure runs a small encrypted cluster on loopback UDP and rotates
// its key while it gossips, in the three steps of transport/keyring:
// install the new key everywhere, make it primary everywhere, then remove
// the old one. A write after each step shows the cluster still spreading
// state; a node that kept only the old key then tries to join, and its
// messages are dropped and counted.
//
//	go run ./examples/secure -nodes 5
//
// Every message is sealed with AES-256-GCM and carries the cluster label
// "secure-demo" (Config.Label) inside the seal.
package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/keyring"
	"github.com/scuttlebutt-go/scuttlebutt/transport/udp"
)

func main() {
	nodes := flag.Int("nodes", 5, "how many nodes to run")
	interval := flag.Duration("interval", 100*time.Millisecond, "gossip interval")
	flag.Parse()
	if err := run(os.Stdout, *nodes, *interval); err != nil {
		log.Fatal(err)
	}
}

// label names the demo's cluster.
const label = "secure-demo"

// demo is the running cluster.
type demo struct {
	out      io.Writer
	start    time.Time
	interval time.Duration
	nodes    []*scuttlebutt.Node
	rings    []*keyring.Keyring
}

func (d *demo) say(format string, args ...any) {
	fmt.Fprintf(d.out, "%6.2fs  %s\n", time.Since(d.start).Seconds(), fmt.Sprintf(format, args...))
}

// node starts a node sealing with ring; the keyring wrapper answers a peer
// still on an older key with that key for replyWindow.
func (d *demo) node(id string, ring *keyring.Keyring, replyWindow time.Duration) (*scuttlebutt.Node, error) {
	inner, err := udp.New(udp.Config{BindAddr: "127.0.0.1:0"})
	if err != nil {
		return nil, err
	}
	tr, err := keyring.Wrap(inner, keyring.Config{Keyring: ring, ReplyWindow: replyWindow})
	if err != nil {
		inner.Close()
		return nil, err
	}
	return scuttlebutt.NewBuilder(id).Transport(tr).Label(label).GossipInterval(d.interval).Build()
}

// spread writes key=value on node 0 and waits until every node holds it.
func (d *demo) spread(key, value string) error {
	if err := d.nodes[0].UpdateLocal(key, value); err != nil {
		return err
	}
	deadline := time.Now().Add(100 * d.interval)
	for time.Now().Before(deadline) {
		all := true
		for _, n := range d.nodes {
			if v, _ := n.Lookup(d.nodes[0].ID(), key); v != value {
				all = false
			}
		}
		if all {
			d.say("%s=%s reached all %d nodes", key, value, len(d.nodes))
			return nil
		}
		time.Sleep(d.interval / 4)
	}
	return fmt.Errorf("%s=%s did not reach every node", key, value)
}

// failedOpens sums the messages no key opened, over every node.
func (d *demo) failedOpens() uint64 {
	var k uint64
	for _, n := range d.nodes {
		k += n.Stats().TransportDrops.Unauthenticated
	}
	return k
}

func newKey() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return k
}

func run(out io.Writer, count int, interval time.Duration) error {
	if count < 2 {
		return errors.New("-nodes: at least 2")
	}
	d := &demo{out: out, start: time.Now(), interval: interval}
	defer func() {
		for _, n := range d.nodes {
			n.Close()
		}
	}()
	oldKey, newKey := newKey(), newKey()
	replyWindow := 5 * interval
	for i := range count {
		ring, err := keyring.New(oldKey) // one keyring per node, as in separate processes
		if err != nil {
			return err
		}
		n, err := d.node(fmt.Sprintf("node-%d", i), ring, replyWindow)
		if err != nil {
			return err
		}
		d.nodes, d.rings = append(d.nodes, n), append(d.rings, ring)
		if i > 0 {
			if err := n.Join([]string{d.nodes[0].Addr()}); err != nil {
				return err
			}
		}
	}
	d.say("%d nodes sealing with key %x..., label %q", count, oldKey[:4], label)
	if err := d.spread("step", "started"); err != nil {
		return err
	}

	for i, r := range d.rings {
		if err := r.Install(newKey); err != nil {
			return fmt.Errorf("node-%d: %w", i, err)
		}
	}
	d.say("step 1: key %x... installed on every node (still sealing with the old one)", newKey[:4])
	if err := d.spread("step", "installed"); err != nil {
		return err
	}
	for i, r := range d.rings {
		if err := r.UseKey(newKey); err != nil {
			return fmt.Errorf("node-%d: %w", i, err)
		}
	}
	d.say("step 2: the new key is primary on every node")
	if err := d.spread("step", "primary"); err != nil {
		return err
	}
	time.Sleep(replyWindow) // no node answers with the old key any more
	if err := d.rings[0].Remove(d.rings[0].Primary()); !errors.Is(err, keyring.ErrPrimaryKey) {
		return fmt.Errorf("removing the primary key: want ErrPrimaryKey, got %v", err)
	}
	for i, r := range d.rings {
		if err := r.Remove(oldKey); err != nil {
			return fmt.Errorf("node-%d: %w", i, err)
		}
	}
	d.say("step 3: the old key is removed from every node")
	if err := d.spread("step", "rotated"); err != nil {
		return err
	}
	if k := d.failedOpens(); k != 0 {
		return fmt.Errorf("%d messages failed to open during the rotation", k)
	}
	d.say("rotated with no message lost to a key mismatch")

	stale, err := keyring.New(oldKey)
	if err != nil {
		return err
	}
	late, err := d.node("late", stale, replyWindow)
	if err != nil {
		return err
	}
	defer late.Close()
	if err := late.Join([]string{d.nodes[0].Addr()}); err != nil {
		return err
	}
	deadline := time.Now().Add(100 * interval)
	for d.failedOpens() < 3 && time.Now().Before(deadline) { // a few tries
		time.Sleep(interval / 4)
	}
	if k := d.failedOpens(); k < 3 || len(late.Members()) != 1 {
		return fmt.Errorf("a node with only the removed key was not kept out (%d drops, it sees %d members)", k, len(late.Members()))
	}
	d.say("a node with only the old key tried to join: %d of its messages dropped, it sees no one", d.failedOpens())
	d.say("node-0 holds %d key; its primary is %x...", len(d.rings[0].Keys()), d.rings[0].Primary()[:4])
	return nil
}
