package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
)

// mlCluster is n hashicorp/memberlist nodes on loopback, each on its own
// NetTransport wrapped by a counting mlTransport.
type mlCluster struct {
	s      settings
	preset mlPreset
	nodes  []*memberlist.Memberlist
	dels   []*mlDelegate
	ids    map[string]int
	c      counters
	tr     *tracker

	falseSuspicions atomic.Int64 // changes to suspect before the kill

	mu     sync.Mutex
	victim int // the node stopped in the failure phase, or -1

	joins       sync.WaitGroup
	joinsFailed atomic.Int64
	closed      atomic.Bool
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

// NodeMeta returns the node's 64 bytes of state.
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

// NotifyMsg ignores user messages: the benchmark sends none.
func (d *mlDelegate) NotifyMsg([]byte) {}

// GetBroadcasts has no user broadcasts to add.
func (d *mlDelegate) GetBroadcasts(int, int) [][]byte { return nil }

// LocalState has no user state for push-pulls: the state is the meta.
func (d *mlDelegate) LocalState(bool) []byte { return nil }

// MergeRemoteState ignores the (empty) user state of a push-pull.
func (d *mlDelegate) MergeRemoteState([]byte, bool) {}

func (d *mlDelegate) subject(n *memberlist.Node) int {
	if i, ok := d.cl.ids[n.Name]; ok {
		return i
	}
	return -1
}

// NotifyJoin reports that the observer holds the joined node's meta.
func (d *mlDelegate) NotifyJoin(n *memberlist.Node) {
	d.tr.seen(d.observer, d.subject(n), string(n.Meta))
}

// NotifyUpdate reports that the observer holds the node's new meta.
func (d *mlDelegate) NotifyUpdate(n *memberlist.Node) {
	d.tr.seen(d.observer, d.subject(n), string(n.Meta))
}

// NotifyLeave is called when a node is declared dead (or left).
func (d *mlDelegate) NotifyLeave(n *memberlist.Node) {
	d.tr.down(d.observer, d.subject(n), true)
}

// mlPreset is the memberlist configuration a variant starts from.
type mlPreset int

const (
	// mlLAN is memberlist.DefaultLANConfig, the preset production users run.
	mlLAN mlPreset = iota
	// mlLocal is memberlist.DefaultLocalConfig, meant for loopback.
	mlLocal
)

// base returns the preset's configuration, untouched.
func (p mlPreset) base() *memberlist.Config {
	if p == mlLocal {
		return memberlist.DefaultLocalConfig()
	}
	return memberlist.DefaultLANConfig()
}

// String names the preset's constructor.
func (p mlPreset) String() string {
	if p == mlLocal {
		return "DefaultLocalConfig"
	}
	return "DefaultLANConfig"
}

// mlConfig is the configuration every memberlist node of a run uses: the
// preset with the settings shared with scuttlebutt.
func mlConfig(s settings, p mlPreset) *memberlist.Config {
	conf := p.base()
	conf.GossipInterval = s.interval
	conf.GossipNodes = s.fanout
	conf.UDPBufferSize = s.mtu
	conf.LogOutput = io.Discard
	return conf
}

// mlDescribe says how the preset was changed and what it keeps that
// matters here.
func mlDescribe(s settings, p mlPreset) string {
	b := p.base()
	c := mlConfig(s, p)
	var changed []string
	if b.GossipInterval != c.GossipInterval {
		changed = append(changed, fmt.Sprintf("`GossipInterval` %v→%v", b.GossipInterval, c.GossipInterval))
	}
	if b.GossipNodes != c.GossipNodes {
		changed = append(changed, fmt.Sprintf("`GossipNodes` %d→%d", b.GossipNodes, c.GossipNodes))
	}
	if b.UDPBufferSize != c.UDPBufferSize {
		changed = append(changed, fmt.Sprintf("`UDPBufferSize` %d→%d", b.UDPBufferSize, c.UDPBufferSize))
	}
	ch := "nothing changed"
	if len(changed) > 0 {
		ch = "changed: " + strings.Join(changed, ", ")
	}
	return fmt.Sprintf("`memberlist.%s()`, %s; it keeps `GossipInterval` %v, `GossipNodes` %d, `UDPBufferSize` %d, `ProbeInterval` %v, `ProbeTimeout` %v, `IndirectChecks` %d, `RetransmitMult` %d, `SuspicionMult` %d, `SuspicionMaxTimeoutMult` %d, `PushPullInterval` %v, `TCPTimeout` %v",
		p, ch, c.GossipInterval, c.GossipNodes, c.UDPBufferSize, c.ProbeInterval, c.ProbeTimeout, c.IndirectChecks,
		c.RetransmitMult, c.SuspicionMult, c.SuspicionMaxTimeoutMult, c.PushPullInterval, c.TCPTimeout)
}

func newMLCluster(s settings, n int, preset mlPreset, tr *tracker) (cl *mlCluster, err error) {
	cl = &mlCluster{s: s, preset: preset, ids: make(map[string]int, n), tr: tr, victim: -1}
	for i := range n {
		cl.ids[nodeName("ml", i)] = i
	}
	defer func() {
		if err != nil {
			_ = cl.close()
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
		d := &mlDelegate{observer: i, cl: cl, tr: tr, meta: []byte(cl.stateOf(i, 0))}
		conf := mlConfig(s, preset)
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
func (cl *mlCluster) stateOf(i, version int) string {
	return stateValue(nodeName("ml", i), version, cl.s.stateBytes)
}

func addrOf(m *memberlist.Memberlist) string {
	ln := m.LocalNode()
	return net.JoinHostPort(ln.Addr.String(), strconv.Itoa(int(ln.Port)))
}

// startJoin makes node i join node 0. memberlist's Join blocks on a TCP
// push-pull with the seed, so it runs in its own goroutine; a Join that
// fails is retried at once, as an application would, until deadline.
func (cl *mlCluster) startJoin(i int, deadline time.Time) {
	seed := []string{addrOf(cl.nodes[0])}
	m := cl.nodes[i]
	cl.joins.Go(func() {
		for {
			if _, err := m.Join(seed); err == nil || time.Now().After(deadline) || cl.closed.Load() {
				return
			}
			cl.joinsFailed.Add(1)
		}
	})
}

func (cl *mlCluster) joinFailures() int {
	cl.joins.Wait()
	return int(cl.joinsFailed.Load())
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
// up above 32 nodes). The first comes only after a random stagger of up to
// one interval plus one scaled interval, so an idle window a minute after
// the start may see none: this runs one (a Join to a node already known
// does exactly a push-pull) and returns its traffic, both directions, with
// the period memberlist uses.
func (cl *mlCluster) fullSync() (tally, time.Duration) {
	before := cl.c.snapshot()
	if _, err := cl.nodes[updater].Join([]string{addrOf(cl.nodes[0])}); err != nil {
		return tally{}, 0
	}
	t := cl.c.snapshot().sub(before)
	// Only the stream is the push-pull; a datagram in the same moment is
	// the background's.
	t.Packets, t.PacketBytes = 0, 0
	return t, pushPullEvery(cl.preset.base().PushPullInterval, len(cl.nodes))
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

// afterKill: memberlist's suspicion counter does not say of whom, and
// alive messages are not watched, so neither is told.
func (cl *mlCluster) afterKill() (int, int) { return -1, -1 }

func (cl *mlCluster) tracksDead() bool { return true }

func (cl *mlCluster) internals() map[string]uint64 { return nil }

func (cl *mlCluster) close() error {
	cl.closed.Store(true)
	suspicions.attach(nil)
	var errs []error
	for _, m := range cl.nodes {
		errs = append(errs, m.Shutdown())
	}
	return errors.Join(errs...)
}
