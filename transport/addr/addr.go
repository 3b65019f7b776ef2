package addr

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/hashicorp/go-sockaddr/template"
)

// Errors returned by Resolve and Advertise, wrapped with context. Test for
// them with errors.Is.
var (
	// ErrNoAddress: a template matched no address.
	ErrNoAddress = errors.New("addr: template matched no address")
	// ErrInvalid: the input or the rendered template is not a usable
	// address (not "host:port", several addresses, a network instead of an
	// address).
	ErrInvalid = errors.New("addr: invalid address")
)

// Resolve renders the go-sockaddr template in s and returns the address.
//
// If s contains no "{{", it is returned unchanged. If s is a template
// followed by ":port" (the template in the host part), the template must
// render exactly one host, and Resolve returns it joined with the port
// (IPv6 in brackets). Otherwise the whole of s is rendered, and the result,
// trimmed of spaces, must be one IP address or one "host:port".
//
// A template that renders nothing (also an empty host, or "[]", which is how
// an empty interface list prints) yields an error wrapping ErrNoAddress;
// several addresses, or anything else that is not an address, one wrapping
// ErrInvalid; a template that does not parse or fails to execute, the
// template package's error.
func Resolve(s string) (string, error) {
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	tmpl, port, hasPort := splitTemplatePort(s)
	out, err := template.Parse(tmpl)
	if err != nil {
		return "", fmt.Errorf("addr: %w", err)
	}
	result := strings.TrimSpace(out)
	if hasPort {
		if err := checkHost(result); err != nil {
			return "", fmt.Errorf("addr: template %q rendered %q: %w", tmpl, out, err)
		}
		return net.JoinHostPort(result, port), nil
	}
	if err := checkWhole(result); err != nil {
		return "", fmt.Errorf("addr: template %q rendered %q: %w", s, out, err)
	}
	return result, nil
}

// checkWhole reports whether r is one IP address, host name or "host:port".
func checkWhole(r string) error {
	err := checkHost(r)
	if err == nil || errors.Is(err, ErrNoAddress) {
		return err
	}
	host, port, serr := net.SplitHostPort(r)
	if serr != nil {
		return err
	}
	if err := checkHost(host); err != nil {
		return err
	}
	return checkPort(port)
}

// splitTemplatePort splits s into the template and the port when s ends with
// "}}:port".
func splitTemplatePort(s string) (tmpl, port string, ok bool) {
	end := strings.LastIndex(s, "}}") + len("}}")
	tail := s[end:]
	if !strings.HasPrefix(tail, ":") || checkPort(tail[1:]) != nil {
		return s, "", false
	}
	return s[:end], tail[1:], true
}

// checkHost reports whether h is one IP address or host name.
func checkHost(h string) error {
	switch {
	case h == "" || h == "[]":
		return ErrNoAddress
	case strings.ContainsAny(h, " \t\r\n"):
		return fmt.Errorf("%w: several values; select one, for example with | limit 1 | attr \"address\"", ErrInvalid)
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return fmt.Errorf("%w: %q is neither an IP address nor a host name", ErrInvalid, h)
		}
	}
	return nil
}

// checkPort reports whether p is a port number.
func checkPort(p string) error {
	if _, err := strconv.ParseUint(p, 10, 16); err != nil {
		return fmt.Errorf("%w: port %q is not a number in [0, 65535]", ErrInvalid, p)
	}
	return nil
}
