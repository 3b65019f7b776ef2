package udp

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// maxNames bounds the reader's cache of source address strings.
const maxNames = 4096

// readLoop is the reader goroutine: it reads into one reused buffer of MTU+1
// bytes, drops what is too large, and hands the rest to h. It returns when
// the socket is closed.
func (t *Transport) readLoop(h transport.Handler) {
	defer t.wg.Done()
	buf := make([]byte, t.mtu+1)
	// names caches the string form of source addresses so that a steady
	// stream from known peers does not allocate. Only this goroutine uses it.
	names := make(map[netip.AddrPort]string)
	failures := 0
	for {
		n, src, err := t.conn.ReadFromUDPAddrPort(buf)
		if t.closed.Load() {
			return
		}
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			t.stats.receiveErrors.Add(1)
			failures++
			t.log.Warn("udp: read", "err", err, "consecutive", failures)
			if !t.pause(failures) {
				return
			}
			continue
		}
		failures = 0
		if n > t.mtu {
			t.stats.oversize.Add(1)
			t.log.Debug("udp: dropped datagram larger than MTU", "from", src, "mtu", t.mtu)
			continue
		}
		if !src.IsValid() || src.Port() == 0 {
			t.stats.malformed.Add(1)
			t.log.Debug("udp: dropped datagram with invalid source", "from", src)
			continue
		}
		src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
		from, ok := names[src]
		if !ok {
			if len(names) >= maxNames {
				clear(names)
			}
			from = src.String()
			names[src] = from
		}
		t.stats.received.Add(1)
		t.stats.bytesReceived.Add(uint64(n))
		h(from, buf[:n])
	}
}

// pause waits before retrying after the given number of consecutive read
// errors, from 1ms doubling up to 100ms, so that a persistent error does not
// spin. It returns false if the transport was closed meanwhile.
func (t *Transport) pause(failures int) bool {
	d := min(time.Millisecond<<min(failures-1, 7), 100*time.Millisecond)
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-t.done:
		return false
	case <-timer.C:
		return true
	}
}
