package udp

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// fakeDNS is a resolver lookup function that counts its calls.
type fakeDNS struct {
	answers map[string][]netip.Addr
	calls   int
}

func (f *fakeDNS) lookup(_ context.Context, _, host string) ([]netip.Addr, error) {
	f.calls++
	if a, ok := f.answers[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

func testResolver(family string, dns *fakeDNS, now *time.Time) *resolver {
	r := newResolver(family)
	r.lookup = dns.lookup
	r.now = func() time.Time { return *now }
	return r
}

func TestResolverCachesHostNamesForTTL(t *testing.T) {
	now := time.Unix(1000, 0)
	dns := &fakeDNS{answers: map[string][]netip.Addr{
		"peer": {netip.MustParseAddr("::1"), netip.MustParseAddr("10.0.0.7")},
	}}
	r := testResolver("ip", dns, &now)

	ap, err := r.resolve("peer:7946")
	require.NoError(t, err)
	assert.Equal(t, netip.MustParseAddrPort("10.0.0.7:7946"), ap, "IPv4 preferred on a dual-stack socket")
	_, err = r.resolve("peer:7946")
	require.NoError(t, err)
	assert.Equal(t, 1, dns.calls, "second resolve served from the cache")

	now = now.Add(HostCacheTTL)
	_, err = r.resolve("peer:7946")
	require.NoError(t, err)
	assert.Equal(t, 2, dns.calls, "expired entry looked up again")
}

func TestResolverFamilies(t *testing.T) {
	now := time.Unix(1000, 0)
	dns := &fakeDNS{answers: map[string][]netip.Addr{
		"v6only": {netip.MustParseAddr("fd00::1")},
		"mapped": {netip.MustParseAddr("::ffff:10.0.0.1")},
	}}
	tests := []struct {
		family, addr, want string // want "" means unreachable
	}{
		{"ip4", "10.0.0.1:1", "10.0.0.1:1"},
		{"ip4", "[::ffff:10.0.0.1]:1", "10.0.0.1:1"},
		{"ip4", "[fd00::1]:1", ""},
		{"ip4", "v6only:1", ""},
		{"ip4", "mapped:1", "10.0.0.1:1"},
		{"ip6", "10.0.0.1:1", ""},
		{"ip6", "v6only:1", "[fd00::1]:1"},
		{"ip", "v6only:1", "[fd00::1]:1"},
		{"ip", "unknown:1", ""},
		{"ip", "10.0.0.1:0", ""},
		{"ip", "10.0.0.1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.family+" "+tt.addr, func(t *testing.T) {
			ap, err := testResolver(tt.family, dns, &now).resolve(tt.addr)
			if tt.want == "" {
				assert.ErrorIs(t, err, transport.ErrUnreachable)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, netip.MustParseAddrPort(tt.want), ap)
		})
	}
}

func TestResolverIsBounded(t *testing.T) {
	now := time.Unix(1000, 0)
	dns := &fakeDNS{}
	r := testResolver("ip4", dns, &now)
	for i := range maxCached + 100 {
		_, err := r.resolve(fmt.Sprintf("10.%d.%d.1:7946", i>>8&0xff, i&0xff))
		require.NoError(t, err)
	}
	assert.Len(t, r.entries, maxCached)
	assert.Zero(t, dns.calls, "IP literals need no lookup")
	_, err := r.resolve("bad")
	require.Error(t, err)
	assert.Len(t, r.entries, maxCached, "failures are not cached")
}
