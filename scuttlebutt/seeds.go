package scuttlebutt

import (
	"context"
	"net"
	"slices"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/internal/core"
)

// Resolver looks host names up. *net.Resolver implements it; tests inject a
// fake.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// resolveSeeds turns seed addresses into "ip:port" addresses: a name that
// resolves to several addresses (a Kubernetes headless service) gives one
// seed each. A name that does not resolve is kept as it is, for the
// transport to try, and logged.
func (n *Node) resolveSeeds(seeds []string) []string {
	var out []string
	for _, s := range seeds {
		host, port, err := net.SplitHostPort(s)
		if err != nil || net.ParseIP(host) != nil {
			out = append(out, s) // an IP literal, or not host:port (custom transports)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ips, err := n.cfg.Resolver.LookupHost(ctx, host)
		cancel()
		if err != nil || len(ips) == 0 {
			n.cfg.Logger.Warn("seed did not resolve", "seed", s, "err", err)
			out = append(out, s)
			continue
		}
		slices.Sort(ips) // resolvers shuffle; keep runs deterministic
		for _, ip := range ips {
			out = append(out, net.JoinHostPort(ip, port))
		}
	}
	return out
}

// Join contacts the seeds ("host:port" addresses; host names are resolved,
// each address they resolve to becoming a seed) at once; they and
// everything they know join this node's view within a few rounds. The seeds
// are contacted again whenever no other node is alive, and their names are
// resolved again every SeedRefresh.
func (n *Node) Join(seeds []string) error {
	if n.err != nil {
		return n.err
	}
	resolved := n.resolveSeeds(seeds)
	n.mu.Lock()
	n.seedNames = append(n.seedNames, seeds...)
	if n.stopRefresh == nil && !n.closed && n.cfg.SeedRefresh > 0 {
		n.stopRefresh = n.clock.AfterFunc(n.cfg.SeedRefresh, n.refreshSeeds)
	}
	n.mu.Unlock()
	return n.do(func(c *core.Core) error {
		c.Join(resolved)
		return nil
	})
}

// refreshSeeds resolves the seed names again and schedules the next time.
func (n *Node) refreshSeeds() {
	n.mu.Lock()
	names := slices.Clone(n.seedNames)
	n.mu.Unlock()
	resolved := n.resolveSeeds(names)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	n.core.SetSeeds(resolved)
	n.stopRefresh = n.clock.AfterFunc(n.cfg.SeedRefresh, n.refreshSeeds)
}
