package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
)

// mlCluster is n hashicorp/memberlist nodes on loopback, each on its own
// NetTransport wrapped by a counting mlTransport.
type mlCluster struct {
	nodes []*memberlist.Memberlist
	dels  []*mlDelegate
	ids   map[string]int
	c     counters
	tr    *tracker

	falseSuspicions atomic.Int64 // changes to suspect before the kill

	mu     sync.Mutex
	victim int // the node stopped in the failure phase, or -1
}

// mlDelegate serves a node's metadata and turns memberlist's events into
// tracker reports. memberlist calls the event methods with its node lock
// held, so they only record.
type mlDelegate struct {
	observer int
	cl       *mlCluster
	tr       *tracker
	mu       sync.Mutex
	meta     []byte
}

func (d *mlDelegate) NodeMeta(limit int) []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.meta) > limit {
		panic(fmt.Sprintf("meta of %d bytes over memberlist's limit %d", len(d.meta), limit))
	}
	return append([]byte(nil), d.meta...)
}

func (d *mlDelegate) setMeta(v string) {
	d.mu.Lock()
	d.meta = []byte(v)
	d.mu.Unlock()
}

func (d *mlDelegate) NotifyMsg([]byte)                    {}
func (d *mlDelegate) GetBroadcasts(int, int) [][]byte     { return nil }
func (d *mlDelegate) LocalState(bool) []byte              { return nil }
func (d *mlDelegate) MergeRemoteState(buf []byte, _ bool) {}

func (d *mlDelegate) subject(n *memberlist.Node) int {
	if i, ok := d.cl.ids[n.Name]; ok {
		return i
	}
	return -1
}

func (d *mlDelegate) NotifyJoin(n *memberlist.Node) {
	d.tr.seen(d.observer, d.subject(n), string(n.Meta))
}

func (d *mlDelegate) NotifyUpdate(n *memberlist.Node) {
	d.tr.seen(d.observer, d.subject(n), string(n.Meta))
}

// NotifyLeave is called when a node is declared dead (or left).
func (d *mlDelegate) NotifyLeave(n *memberlist.Node) {
	d.tr.down(d.observer, d.subject(n), true)
}

// mlConfig is the configuration every memberlist node of a run uses:
// DefaultLocalConfig with the settings shared with scuttlebutt.
func mlConfig(s settings, retransmitMult int) *memberlist.Config {
	conf := memberlist.DefaultLocalConfig()
	conf.GossipInterval = s.interval
	conf.GossipNodes = s.fanout
	conf.UDPBufferSize = s.mtu
	if retransmitMult > 0 {
		conf.RetransmitMult = retransmitMult
	}
	conf.LogOutput = io.Discard
	return conf
}

func newMLCluster(s settings, n, retransmitMult int, tr *tracker) (cl *mlCluster, err error) {
	cl = &mlCluster{ids: make(map[string]int, n), tr: tr, victim: -1}
	for i := range n {
		cl.ids[nodeName("ml", i)] = i
	}
	defer func() {
		if err != nil {
			cl.close()
		}
	}()
	pace := newPacer(s.interval, n)
	for i := range n {
		pace.wait(i)
		name := nodeName("ml", i)
		nt, err := newNetTransport()
		if err != nil {
			return nil, err
		}
		d := &mlDelegate{observer: i, cl: cl, tr: tr, meta: []byte(cl.stateOf(s, i, 0))}
		conf := mlConfig(s, retransmitMult)
		conf.Name = name
		conf.LogOutput = suspectLog{cl: cl, observer: i}
		conf.Delegate = d
		conf.Events = d
		conf.Transport = newMLTransport(nt, &cl.c, cl.suspectWatcher(i))
		m, err := memberlist.Create(conf)
		if err != nil {
			_ = nt.Shutdown()
			return nil, err
		}
		cl.nodes = append(cl.nodes, m)
		cl.dels = append(cl.dels, d)
	}
	suspicions.attach(cl)
	return cl, nil
}

// newNetTransport binds TCP and UDP on one free loopback port; the UDP
// port can be taken between the two binds, so it retries.
func newNetTransport() (*memberlist.NetTransport, error) {
	var err error
	for range 10 {
		var nt *memberlist.NetTransport
		nt, err = memberlist.NewNetTransport(&memberlist.NetTransportConfig{
			BindAddrs: []string{"127.0.0.1"},
			Logger:    log.New(io.Discard, "", 0),
		})
		if err == nil {
			return nt, nil
		}
	}
	return nil, err
}

func (cl *mlCluster) counters() *counters { return &cl.c }

// stateOf is node i's metadata: stateBytes.
func (cl *mlCluster) stateOf(s settings, i, version int) string {
	return stateValue(nodeName("ml", i), version, s.stateBytes)
}

func addrOf(m *memberlist.Memberlist) string {
	ln := m.LocalNode()
	return net.JoinHostPort(ln.Addr.String(), strconv.Itoa(int(ln.Port)))
}

// join makes every node but node 0 join node 0 at once. memberlist's Join
// blocks on a TCP push-pull with the seed, so each runs in its own
// goroutine. A Join that fails (the seed's TCP timeout is 1 s in
// DefaultLocalConfig) is retried at once, as an application would, until
// deadline; wait returns how many calls failed.
func (cl *mlCluster) join(deadline time.Time) (wait func() int) {
	seed := []string{addrOf(cl.nodes[0])}
	var failed atomic.Int64
	var wg sync.WaitGroup
	for _, m := range cl.nodes[1:] {
		wg.Go(func() {
			for {
				if _, err := m.Join(seed); err == nil || time.Now().After(deadline) {
					return
				}
				failed.Add(1)
			}
		})
	}
	return func() int { wg.Wait(); return int(failed.Load()) }
}

// update sets node i's metadata and re-advertises it. UpdateNode blocks
// until the broadcast has been sent enough times, so it runs in the
// background; the returned func waits for it.
func (cl *mlCluster) update(i int, value string) func() {
	cl.dels[i].setMeta(value)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = cl.nodes[i].UpdateNode(5 * time.Second)
	}()
	return func() { <-done }
}

// kill shuts node i down without Leave and starts watching for suspicion
// of it (see suspect_ml.go).
func (cl *mlCluster) kill(i int) {
	cl.mu.Lock()
	cl.victim = i
	cl.mu.Unlock()
	_ = cl.nodes[i].Shutdown()
}

// victimName returns the node stopped in the failure phase, or -1.
func (cl *mlCluster) victimName() (int, string) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.victim < 0 {
		return -1, ""
	}
	return cl.victim, nodeName("ml", cl.victim)
}

// suspectWatcher returns what observer's transport calls on each datagram
// it receives: once a node has been stopped, a suspect message about it
// marks the observer as having suspected it.
func (cl *mlCluster) suspectWatcher(observer int) func(b []byte) {
	return func(b []byte) {
		v, name := cl.victimName()
		if v >= 0 && hasSuspect(b, []byte(name)) {
			cl.tr.down(observer, v, false)
		}
	}
}

// fullSync runs one push-pull, the full-state TCP exchange every
// memberlist node starts with a random peer every PushPullInterval (scaled
// up above 32 nodes). The first comes only after a random stagger plus one
// interval, so a short idle window never sees it: this measures one (a
// Join to a node already known does exactly a push-pull) and returns its
// bytes, both directions, with the period memberlist uses.
func (cl *mlCluster) fullSync() (uint64, time.Duration) {
	before := cl.c.snapshot()
	if _, err := cl.nodes[updater].Join([]string{addrOf(cl.nodes[0])}); err != nil {
		return 0, 0
	}
	conf := memberlist.DefaultLocalConfig()
	return cl.c.snapshot().sub(before).StreamBytes, pushPullEvery(conf.PushPullInterval, len(cl.nodes))
}

// pushPullEvery is memberlist's push-pull period for n nodes (its
// pushPullScale).
func pushPullEvery(interval time.Duration, n int) time.Duration {
	const threshold = 32
	if n <= threshold {
		return interval
	}
	return time.Duration(math.Ceil(math.Log2(float64(n))-math.Log2(threshold))+1) * interval
}

func (cl *mlCluster) suspectedBeforeKill() int { return int(cl.falseSuspicions.Load()) }

func (cl *mlCluster) tracksDead() bool { return true }

func (cl *mlCluster) close() error {
	suspicions.attach(nil)
	var errs []error
	for _, m := range cl.nodes {
		errs = append(errs, m.Shutdown())
	}
	return errors.Join(errs...)
}
