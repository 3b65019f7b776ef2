package transporttest_test

import (
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// A fake transport for testing the suite itself: an in-process network of
// queues. Its bug field breaks one rule of the contract on purpose, to show
// that the suite notices.

const (
	fakeMTU       = 512
	fakeMaxStream = 64 << 10
)

type fakeNetwork struct {
	mu    sync.Mutex
	nodes map[string]*fake
	next  int
}

func newFakeNetwork() *fakeNetwork {
	return &fakeNetwork{nodes: make(map[string]*fake)}
}

func (n *fakeNetwork) newFake(bug string) *fake {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.next++
	f := &fake{
		net:   n,
		addr:  fmt.Sprintf("fake-%d", n.next),
		bug:   bug,
		queue: make(chan fakeMsg, 4096),
		done:  make(chan struct{}),
	}
	n.nodes[f.addr] = f
	return f
}

func (n *fakeNetwork) lookup(addr string) *fake {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.nodes[addr]
}

type fakeMsg struct {
	from string
	b    []byte
}

type fake struct {
	net  *fakeNetwork
	addr string
	bug  string

	mu      sync.Mutex
	started bool
	closed  bool
	queue   chan fakeMsg
	done    chan struct{}
	wg      sync.WaitGroup
}

var (
	_ transport.Transport = (*fake)(nil)
	_ transport.Streamer  = (*fake)(nil)
)

func (f *fake) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

func (f *fake) Start(h transport.Handler) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return net.ErrClosed
	}
	if f.started && f.bug != "start-twice" {
		return transport.ErrStarted
	}
	f.started = true
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			select {
			case <-f.done:
				if f.bug == "leak" {
					<-make(chan struct{})
				}
				return
			case m := <-f.queue:
				h(m.from, m.b)
			}
		}
	}()
	return nil
}

func (f *fake) Send(addr string, b []byte) error {
	if f.isClosed() && f.bug != "send-after-close" {
		return fmt.Errorf("fake: %w", net.ErrClosed)
	}
	if len(b) > fakeMTU && f.bug != "no-mtu" {
		return transport.ErrTooLarge
	}
	peer := f.net.lookup(addr)
	if peer == nil {
		return transport.ErrUnreachable
	}
	if f.bug != "retain" {
		b = append([]byte(nil), b...)
	}
	select {
	case peer.queue <- fakeMsg{from: f.addr, b: b}:
	default: // full: dropped
	}
	return nil
}

func (f *fake) SendStream(ctx context.Context, addr string, b []byte) error {
	if f.isClosed() {
		return fmt.Errorf("fake: %w", net.ErrClosed)
	}
	if len(b) > fakeMaxStream {
		return transport.ErrTooLarge
	}
	peer := f.net.lookup(addr)
	if peer == nil {
		return transport.ErrUnreachable
	}
	select {
	case peer.queue <- fakeMsg{from: f.addr, b: append([]byte(nil), b...)}:
		return nil
	case <-peer.done:
		return transport.ErrUnreachable
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fake) MaxStreamSize() int { return fakeMaxStream }
func (f *fake) LocalAddr() string  { return f.addr }
func (f *fake) MTU() int           { return fakeMTU }

func (f *fake) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	close(f.done)
	f.mu.Unlock()
	f.net.mu.Lock()
	delete(f.net.nodes, f.addr)
	f.net.mu.Unlock()
	if f.bug != "leak" {
		f.wg.Wait()
	}
	return nil
}
