package scuttlebutt

import (
	"time"

	"fmt"
	"math"
	"net"
	"strconv"
	"strings"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/detector/phi"
	storemem "github.com/scuttlebutt-go/scuttlebutt/store/mem"
	"github.com/scuttlebutt-go/scuttlebutt/transport/addr"
	"github.com/scuttlebutt-go/scuttlebutt/transport/udp"
)

// setParts constructs the default parts that were not given and checks the
// fields that depend on them. It runs after validate.
func (c *Config) setParts() error {
	if c.Codec == nil {
		c.Codec = binary.Codec{}
	}
	if c.Store == nil {
		c.Store = storemem.New()
	}
	if c.Detector == nil {
		d, err := phi.New(defaultPhi(c.HeartbeatInterval))
		if err != nil {
			return configErr("Detector", "default detector: %v", err)
		}
		c.Detector = d
	}
	if c.AdvertiseAddr != "" {
		a, err := addr.Resolve(c.AdvertiseAddr)
		if err != nil {
			return configErr("AdvertiseAddr", "%v", err)
		}
		if err := checkHostPort(a); err != nil {
			return configErr("AdvertiseAddr", "%q: %v", a, err)
		}
		c.AdvertiseAddr = a
	}
	if c.Transport == nil {
		bind, err := addr.Resolve(c.BindAddr)
		if err != nil {
			return configErr("BindAddr", "%v", err)
		}
		t, err := udp.New(udp.Config{BindAddr: bind, AdvertiseAddr: c.AdvertiseAddr, Logger: c.Logger})
		if err != nil {
			return configErr("BindAddr", "%v", err)
		}
		c.Transport = t
	}
	if c.MTU == 0 {
		c.MTU = c.Transport.MTU()
	}
	if c.MTU > c.Transport.MTU() {
		return configErr("MTU", "%d exceeds the transport's MTU %d", c.MTU, c.Transport.MTU())
	}
	if c.MTU < MinMTU {
		return configErr("MTU", "%d is below %d", c.MTU, MinMTU)
	}
	if need := smallestMTU(c.Codec, c.ID) + len(labelHeader(c.Label)); c.MTU < need {
		return configErr("MTU", "%d bytes cannot carry the smallest useful exchange of this node with the %s codec (ID of %d bytes, label of %d): %d needed",
			c.MTU, c.Codec.Name(), len(c.ID), len(c.Label), need)
	}
	if c.AdvertiseAddr == "" {
		c.AdvertiseAddr = c.Transport.LocalAddr()
		if host, _, err := net.SplitHostPort(c.AdvertiseAddr); err == nil {
			if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
				// Bound to 0.0.0.0: advertise a usable private address.
				a, err := addr.Advertise(c.AdvertiseAddr)
				if err != nil {
					return configErr("AdvertiseAddr", "none given and none found for %q: %v", c.AdvertiseAddr, err)
				}
				c.AdvertiseAddr = a
			}
		}
	}
	if c.AdvertiseAddr == "" {
		return configErr("AdvertiseAddr", "empty, and the transport reports no local address")
	}
	return nil
}

// checkHostPort checks that a is "host:port" with a numeric port: a bad
// AdvertiseAddr is reported as such, before a transport built from
// BindAddr would report it.
func checkHostPort(a string) error {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return err
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("port %q is not a number in [0, 65535]", port)
	}
	if strings.ContainsAny(host, " \t\r\n") {
		return fmt.Errorf("host %q contains spaces", host)
	}
	return nil
}

// smallestMTU is twice the size of the largest message of fixed shape a
// node must be able to send for an exchange to make progress: a SYNACK
// with its hash and one item, the largest of a request, a listed entry
// with its cover (IDs of MaxIDLength, every counter at its largest) and a
// bucket claim at the deepest level. Twice, because such items may take
// only half of a reply, the rest being kept for deltas.
func smallestMTU(s codec.Sizer, id string) int {
	peer := codec.DigestEntry{ID: strings.Repeat("x", MaxIDLength), Generation: math.MaxUint64,
		MaxVersion: math.MaxUint64, GCVersion: math.MaxUint64, Left: true}
	b := codec.Bucket{BucketID: codec.BucketID{Level: codec.MaxLevel, Index: 1<<(codec.BucketBits*codec.MaxLevel) - 1},
		Hash: math.MaxUint64, Count: math.MaxUint32}
	item := max(s.RequestCount(1)+s.DigestEntry(&peer),
		s.DigestCount(1)+s.DigestEntry(&peer)+s.CoverCount(1)+s.Cover(b.BucketID),
		s.BucketCount(1)+s.Bucket(&b))
	return 2 * (s.Base(codec.KindSynAck, id) + s.HashSize() + item)
}

// defaultPhi is the default detector's configuration for PONGs every hb:
// the last 30 arrivals (so the irregular ones of a join leave the model
// within half a minute), a deviation of at least hb/40, an acceptable
// pause of hb/10, and the wide bootstrap samples dropped after 8 real
// arrivals. On a steady link the detector suspects a silence of about
// 1.24 hb, and a monitor writes its verdict about 1.5 hb after the last
// PONG (at the second check in a row that suspects it); a jittery or lossy
// link widens the deviation, and the delay, on its own.
func defaultPhi(hb time.Duration) phi.Config {
	return phi.Config{Interval: hb, WindowSize: 30, MinStdDev: hb / 40, AcceptablePause: hb / 10, WarmUp: 8}
}
