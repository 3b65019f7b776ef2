package udp

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

const (
	// HostCacheTTL is how long Send reuses the resolution of a host name.
	// IP literals are cached until evicted.
	HostCacheTTL = 30 * time.Second
	// maxCached bounds the resolved-address cache; when full, an arbitrary
	// entry is evicted for each new one.
	maxCached = 4096
	// lookupTimeout bounds one host name lookup in Send.
	lookupTimeout = 2 * time.Second
)

// resolver turns Send's address strings into socket addresses and caches the
// results per string.
type resolver struct {
	family string // "ip", "ip4" or "ip6": the addresses the socket can reach
	now    func() time.Time
	lookup func(ctx context.Context, family, host string) ([]netip.Addr, error)

	mu      sync.RWMutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	ap      netip.AddrPort
	expires time.Time // zero: never
}

func newResolver(family string) *resolver {
	return &resolver{
		family:  family,
		now:     time.Now,
		lookup:  net.DefaultResolver.LookupNetIP,
		entries: make(map[string]cacheEntry),
	}
}

// resolve returns the socket address for addr, from the cache when fresh.
// Failures wrap transport.ErrUnreachable and are not cached.
func (r *resolver) resolve(addr string) (netip.AddrPort, error) {
	r.mu.RLock()
	e, ok := r.entries[addr]
	r.mu.RUnlock()
	if ok && (e.expires.IsZero() || r.now().Before(e.expires)) {
		return e.ap, nil
	}
	ap, literal, err := r.resolveUncached(addr)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("udp: resolve %q: %w: %v", addr, transport.ErrUnreachable, err)
	}
	e = cacheEntry{ap: ap}
	if !literal {
		e.expires = r.now().Add(HostCacheTTL)
	}
	r.mu.Lock()
	if _, ok := r.entries[addr]; !ok && len(r.entries) >= maxCached {
		for k := range r.entries {
			delete(r.entries, k)
			break
		}
	}
	r.entries[addr] = e
	r.mu.Unlock()
	return ap, nil
}

// resolveUncached parses addr, looking the host up if it is not an IP
// literal. literal reports whether it was one.
func (r *resolver) resolveUncached(addr string) (ap netip.AddrPort, literal bool, err error) {
	host, port, err := splitPort(addr)
	if err != nil {
		return ap, false, err
	}
	if port == 0 {
		return ap, false, fmt.Errorf("port 0")
	}
	if ip, perr := netip.ParseAddr(host); perr == nil {
		ip = ip.Unmap()
		if !r.fits(ip) {
			return ap, true, fmt.Errorf("%s address on a %s socket", family(ip), r.family)
		}
		return netip.AddrPortFrom(ip, port), true, nil
	}
	if host == "" {
		return ap, false, fmt.Errorf("empty host")
	}
	ctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
	defer cancel()
	ips, err := r.lookup(ctx, r.family, host)
	if err != nil {
		return ap, false, err
	}
	// Prefer IPv4 on a dual-stack socket, for the same answer on every host.
	var found netip.Addr
	for _, ip := range ips {
		ip = ip.Unmap()
		if !r.fits(ip) {
			continue
		}
		if !found.IsValid() || (ip.Is4() && !found.Is4()) {
			found = ip
		}
	}
	if !found.IsValid() {
		return ap, false, fmt.Errorf("no %s address for host %q", r.family, host)
	}
	return netip.AddrPortFrom(found, port), false, nil
}

// fits reports whether the socket can send to ip.
func (r *resolver) fits(ip netip.Addr) bool {
	switch r.family {
	case "ip4":
		return ip.Is4()
	case "ip6":
		return ip.Is6()
	default:
		return ip.IsValid()
	}
}

func family(ip netip.Addr) string {
	if ip.Is4() {
		return "IPv4"
	}
	return "IPv6"
}
