package addr

import (
	"fmt"
	"net"
	"net/netip"

	sockaddr "github.com/hashicorp/go-sockaddr"
)

// Advertise returns the address peers should send to for a socket bound to
// bindAddr, a "host:port" that may contain a template (see Resolve).
//
// A bind address with a specific host, such as "127.0.0.1:7946" or
// "node1.example:7946", is returned unchanged. For an unspecified host the
// port is kept and the host is chosen, in this order:
//
//  1. a private address: an RFC 6890 forwardable address on the interface
//     of the default route, as go-sockaddr's GetPrivateIP picks it;
//  2. otherwise an address of any interface that is up, neither loopback
//     nor link-local, in interface order;
//  3. otherwise loopback, so that a single-machine setup still works.
//
// The host "0.0.0.0" takes only IPv4 addresses and "::" only IPv6 ones; an
// empty host (":7946") takes either, IPv4 first at each step. A port of 0
// stays 0: the caller replaces it once the socket is bound.
func Advertise(bindAddr string) (string, error) {
	s, err := Resolve(bindAddr)
	if err != nil {
		return "", err
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("addr: bind address %q: %w: %v", bindAddr, ErrInvalid, err)
	}
	if err := checkPort(port); err != nil {
		return "", fmt.Errorf("addr: bind address %q: %w", bindAddr, err)
	}
	fam := anyFamily
	if host != "" {
		ip, err := netip.ParseAddr(host)
		if err != nil || !ip.IsUnspecified() {
			return s, nil
		}
		fam = ipv6
		if ip.Is4() {
			fam = ipv4
		}
	}
	// Errors of the interface queries only skip a step: the last step
	// always has an answer.
	private, _ := sockaddr.GetPrivateInterfaces()
	all, _ := sockaddr.GetAllInterfaces()
	return net.JoinHostPort(pick(fam, private, all).String(), port), nil
}

// family restricts the addresses pick may choose.
type family int

const (
	anyFamily family = iota // IPv4 or IPv6, IPv4 preferred
	ipv4
	ipv6
)

// pick chooses an advertise address of family fam: the first usable one of
// private, else of all, else loopback. IPv4 wins each step when fam is
// anyFamily.
func pick(fam family, private, all sockaddr.IfAddrs) netip.Addr {
	order := []family{fam}
	if fam == anyFamily {
		order = []family{ipv4, ipv6}
	}
	for _, list := range []sockaddr.IfAddrs{private, all} {
		for _, f := range order {
			for _, ifa := range list {
				if ip, ok := ipOf(ifa); ok && f.has(ip) && usable(ip, ifa) {
					return ip
				}
			}
		}
	}
	if fam == ipv6 {
		return netip.IPv6Loopback()
	}
	return netip.AddrFrom4([4]byte{127, 0, 0, 1})
}

// usable reports whether ip on ifa can serve peers on other hosts.
func usable(ip netip.Addr, ifa sockaddr.IfAddr) bool {
	return ifa.Flags&net.FlagUp != 0 && ifa.Flags&net.FlagLoopback == 0 &&
		!ip.IsLoopback() && !ip.IsLinkLocalUnicast() && !ip.IsUnspecified() && !ip.IsMulticast()
}

// has reports whether ip belongs to f, which is ipv4 or ipv6.
func (f family) has(ip netip.Addr) bool {
	if f == ipv4 {
		return ip.Is4()
	}
	return ip.Is6()
}

// ipOf returns the IP address of an interface address.
func ipOf(ifa sockaddr.IfAddr) (netip.Addr, bool) {
	if ifa.SockAddr == nil {
		return netip.Addr{}, false
	}
	ipa := sockaddr.ToIPAddr(ifa.SockAddr)
	if ipa == nil {
		return netip.Addr{}, false
	}
	nip := (*ipa).NetIP()
	if nip == nil {
		return netip.Addr{}, false
	}
	ip, ok := netip.AddrFromSlice(*nip)
	return ip.Unmap(), ok
}
