package addr

import (
	"net"
	"net/netip"
	"runtime"
	"testing"

	sockaddr "github.com/hashicorp/go-sockaddr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Templates that match on any machine with a loopback interface, and one
// that matches nothing.
const (
	loopback4 = `{{ GetAllInterfaces | include "network" "127.0.0.0/8" | attr "address" }}`
	nothing   = `{{ GetAllInterfaces | include "name" "^no-such-interface$" | attr "address" }}`
)

func TestResolve(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"127.0.0.1:7946", "127.0.0.1:7946"},
		{"node1.example:7946", "node1.example:7946"},
		{"", ""},
		{"not even an address", "not even an address"}, // no template: untouched
		{loopback4 + ":7946", "127.0.0.1:7946"},
		{"  " + loopback4 + ":7946", "127.0.0.1:7946"}, // spaces around the rendered host
		{loopback4, "127.0.0.1"},
		{loopback4 + ":{{ 7946 }}", "127.0.0.1:7946"},
		{`{{ "localhost" }}:80`, "localhost:80"},
		{`[{{ "::1" }}]:7946`, "[::1]:7946"},
		{`{{ "::1" }}:7946`, "[::1]:7946"},
		{`{{ GetAllInterfaces | include "network" "127.0.0.0/8" | limit 1 | join "address" " " }}:1`, "127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Resolve(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestResolveLinuxLoopbackName(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the loopback interface is named lo on Linux")
	}
	got, err := Resolve(`{{ GetAllInterfaces | include "name" "^lo$" | include "type" "IPv4" | attr "address" }}:7946`)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:7946", got)
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error // nil: any error
	}{
		{"matches nothing, with port", nothing + ":7946", ErrNoAddress},
		{"matches nothing, whole", nothing, ErrNoAddress},
		{"empty interface list", `{{ GetAllInterfaces | include "name" "^no-such-interface$" }}:7946`, ErrNoAddress},
		{"empty host in brackets", `[` + nothing + `]:7946`, ErrNoAddress},
		{"several addresses", `{{ "10.0.0.1 10.0.0.2" }}:7946`, ErrInvalid},
		{"interface list instead of address", `{{ GetAllInterfaces | include "network" "127.0.0.0/8" }}:7946`, ErrInvalid},
		{"network instead of address", `{{ "10.0.0.0/8" }}:7946`, ErrInvalid},
		{"whole result not an address", `{{ "not an address" }}`, ErrInvalid},
		{"whole result with bad port", `{{ "10.0.0.1:http" }}`, ErrInvalid},
		{"unparsable template", `{{ GetPrivateIP :7946`, nil},
		{"unknown function", `{{ NoSuchFunction }}:7946`, nil},
		{"failing function", `{{ GetAllInterfaces | include "nosuchselector" "x" }}:7946`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(tt.in)
			require.Error(t, err, "rendered %q", got)
			assert.Empty(t, got)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
			} else {
				assert.NotErrorIs(t, err, ErrNoAddress)
			}
		})
	}
}

func TestAdvertisePassThrough(t *testing.T) {
	for _, in := range []string{"127.0.0.1:7946", "10.1.2.3:0", "[::1]:7946", "node1.example:7946"} {
		got, err := Advertise(in)
		require.NoError(t, err)
		assert.Equal(t, in, got)
	}
	got, err := Advertise(loopback4 + ":7946")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:7946", got, "templates are resolved first")
}

func TestAdvertiseErrors(t *testing.T) {
	for _, in := range []string{"", "0.0.0.0", "0.0.0.0:port", nothing + ":7946"} {
		_, err := Advertise(in)
		assert.Error(t, err, "Advertise(%q)", in)
	}
	_, err := Advertise(nothing + ":7946")
	assert.ErrorIs(t, err, ErrNoAddress)
	_, err = Advertise("0.0.0.0:99999")
	assert.ErrorIs(t, err, ErrInvalid)
}

// TestAdvertiseUnspecified uses the machine's interfaces, so it checks only
// what holds everywhere: the family and port are kept, and the address is a
// real one.
func TestAdvertiseUnspecified(t *testing.T) {
	tests := []struct {
		bind string
		is4  func(netip.Addr) bool
	}{
		{"0.0.0.0:7946", netip.Addr.Is4},
		{"[::]:7946", netip.Addr.Is6},
		{":7946", func(netip.Addr) bool { return true }},
	}
	for _, tt := range tests {
		t.Run(tt.bind, func(t *testing.T) {
			got, err := Advertise(tt.bind)
			require.NoError(t, err)
			host, port, err := net.SplitHostPort(got)
			require.NoError(t, err)
			assert.Equal(t, "7946", port)
			ip, err := netip.ParseAddr(host)
			require.NoError(t, err)
			assert.True(t, tt.is4(ip), "family of %s", ip)
			assert.False(t, ip.IsUnspecified())
		})
	}
}

// ifa builds an interface address for pick's tests.
func ifa(cidr string, flags net.Flags) sockaddr.IfAddr {
	return sockaddr.IfAddr{
		SockAddr:  sockaddr.MustIPAddr(cidr),
		Interface: net.Interface{Name: "test0", Flags: flags},
	}
}

func TestPick(t *testing.T) {
	up, lo := net.FlagUp, net.FlagUp|net.FlagLoopback
	loV4, loV6 := ifa("127.0.0.1/8", lo), ifa("::1/128", lo)
	pub4, pub6 := ifa("192.0.2.2/24", up), ifa("2001:db8::2/64", up)
	priv4, priv6 := ifa("10.0.0.5/8", up), ifa("fd00::5/64", up)
	linkLocal4, linkLocal6 := ifa("169.254.1.1/16", up), ifa("fe80::1/64", up)
	down4 := ifa("10.9.9.9/8", 0)
	all := sockaddr.IfAddrs{loV4, loV6, linkLocal4, linkLocal6, down4, pub6, pub4, priv6, priv4}

	tests := []struct {
		name         string
		fam          family
		private, all sockaddr.IfAddrs
		want         string
	}{
		{"private IPv4 first", anyFamily, sockaddr.IfAddrs{priv6, priv4}, all, "10.0.0.5"},
		{"private IPv6 when no private IPv4", anyFamily, sockaddr.IfAddrs{priv6}, all, "fd00::5"},
		{"IPv4 only", ipv4, sockaddr.IfAddrs{priv6}, all, "192.0.2.2"},
		{"IPv6 only", ipv6, sockaddr.IfAddrs{priv4}, all, "2001:db8::2"},
		{"no private: first usable, IPv4 first", anyFamily, nil, all, "192.0.2.2"},
		{"skips loopback, link-local and down", ipv4, nil, sockaddr.IfAddrs{loV4, linkLocal4, down4}, "127.0.0.1"},
		{"IPv6 loopback last", ipv6, nil, sockaddr.IfAddrs{loV6, linkLocal6}, "::1"},
		{"nothing at all", anyFamily, nil, nil, "127.0.0.1"},
		{"empty addresses are skipped", anyFamily, sockaddr.IfAddrs{{}}, nil, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, pick(tt.fam, tt.private, tt.all).String())
		})
	}
}
