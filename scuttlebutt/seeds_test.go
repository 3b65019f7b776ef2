package scuttlebutt_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// fakeDNS answers LookupHost from a table the test changes.
type fakeDNS struct {
	mu    sync.Mutex
	hosts map[string][]string
	calls int
}

func (f *fakeDNS) LookupHost(_ context.Context, host string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if ips, ok := f.hosts[host]; ok {
		return ips, nil
	}
	return nil, fmt.Errorf("no such host %q", host)
}

func (f *fakeDNS) set(host string, ips ...string) {
	f.mu.Lock()
	f.hosts[host] = ips
	f.mu.Unlock()
}

// A seed name (a headless service) resolves to every pod; when the only pod
// a node knew dies and another takes its place, re-resolution finds it.
func TestSeedNamesResolvedAgain(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 5})
	dns := &fakeDNS{hosts: map[string][]string{}}
	start := func(id, addr string) *scuttlebutt.Node {
		n, err := scuttlebutt.NewBuilder(id).Transport(mustTransport(t, nw, addr)).Clock(nw).Seed(1).
			Resolver(dns).SeedRefresh(10 * time.Second).RemoveAfter(20 * time.Second).Build()
		require.NoError(t, err)
		t.Cleanup(func() { n.Close() })
		return n
	}
	pod1 := start("pod-1", "10.0.0.1:7946")
	dns.set("seeds.svc", "10.0.0.1")
	x := start("x", "10.0.0.9:7946")
	require.NoError(t, x.Join([]string{"seeds.svc:7946"}))
	nw.Advance(5 * time.Second)
	require.Equal(t, []string{"pod-1", "x"}, x.Members())

	// pod-1 dies; pod-2 comes up under the same service name.
	require.NoError(t, pod1.Close())
	pod2 := start("pod-2", "10.0.0.2:7946")
	dns.set("seeds.svc", "10.0.0.2")
	ok := nw.RunUntil(nw.Now().Add(2*time.Minute), func() bool {
		_, found := x.NodeState("pod-2")
		_, back := pod2.NodeState("x")
		return found && back
	})
	require.True(t, ok, "x and pod-2 find each other through the re-resolved seed")
	require.Greater(t, dns.calls, 1)
}
