package conncfg

import (
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// config stands for a transport's Config.
type config struct {
	BindAddr, AdvertiseAddr                                        string
	MTU, MaxStreamSize, QueueSize                                  int
	DialTimeout, WriteTimeout, IdleTimeout, BackoffMin, BackoffMax time.Duration
	Logger                                                         *slog.Logger
}

func (c *config) fields() Fields {
	return Fields{
		BindAddr: &c.BindAddr, AdvertiseAddr: &c.AdvertiseAddr,
		MTU: &c.MTU, MaxStreamSize: &c.MaxStreamSize, QueueSize: &c.QueueSize,
		DialTimeout: &c.DialTimeout, WriteTimeout: &c.WriteTimeout, IdleTimeout: &c.IdleTimeout,
		BackoffMin: &c.BackoffMin, BackoffMax: &c.BackoffMax, Logger: &c.Logger,
	}
}

var defaults = Defaults{
	BindAddr: "127.0.0.1:0", MTU: 100, MaxStreamSize: 1000, QueueSize: 8,
	DialTimeout: time.Second, WriteTimeout: 2 * time.Second, IdleTimeout: 3 * time.Second,
	BackoffMin: time.Millisecond, BackoffMax: time.Second,
}

func TestFill(t *testing.T) {
	var c config
	c.fields().Fill(defaults)
	assert.Equal(t, config{
		BindAddr: "127.0.0.1:0", MTU: 100, MaxStreamSize: 1000, QueueSize: 8,
		DialTimeout: time.Second, WriteTimeout: 2 * time.Second, IdleTimeout: 3 * time.Second,
		BackoffMin: time.Millisecond, BackoffMax: time.Second, Logger: c.Logger,
	}, c)
	require.NotNil(t, c.Logger)
	require.NoError(t, c.fields().Validate("x", 1<<30))

	// Set fields stay; the derived defaults follow them.
	c = config{MTU: 5000, BackoffMin: time.Minute, QueueSize: 1}
	c.fields().Fill(defaults)
	assert.Equal(t, 5000, c.MaxStreamSize, "MaxStreamSize defaults to at least MTU")
	assert.Equal(t, time.Minute, c.BackoffMax, "BackoffMax defaults to at least BackoffMin")
	assert.Equal(t, 1, c.QueueSize)
	require.NoError(t, c.fields().Validate("x", 1<<30))
}

func TestValidate(t *testing.T) {
	tests := []struct {
		field string
		set   func(c *config)
	}{
		{"MTU", func(c *config) { c.MTU = -1 }},
		{"MTU", func(c *config) { c.MTU = 1<<20 + 1 }},
		{"MaxStreamSize", func(c *config) { c.MTU, c.MaxStreamSize = 2000, 1000 }},
		{"MaxStreamSize", func(c *config) { c.MaxStreamSize = 1<<20 + 1 }},
		{"QueueSize", func(c *config) { c.QueueSize = -1 }},
		{"DialTimeout", func(c *config) { c.DialTimeout = -1 }},
		{"WriteTimeout", func(c *config) { c.WriteTimeout = -1 }},
		{"IdleTimeout", func(c *config) { c.IdleTimeout = -1 }},
		{"BackoffMin", func(c *config) { c.BackoffMin = -1 }},
		{"BackoffMax", func(c *config) { c.BackoffMin, c.BackoffMax = time.Second, time.Millisecond }},
		{"BindAddr", func(c *config) { c.BindAddr = "127.0.0.1" }},
		{"AdvertiseAddr", func(c *config) { c.AdvertiseAddr = "example.com" }},
		{"AdvertiseAddr", func(c *config) { c.AdvertiseAddr = ":7946" }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			var c config
			tt.set(&c)
			c.fields().Fill(defaults)
			err := c.fields().Validate("x", 1<<20)
			require.ErrorIs(t, err, transport.ErrInvalidConfig)
			assert.Contains(t, err.Error(), "x: Config."+tt.field+": ", "the message names the field")
		})
	}
}

func TestCheckAddr(t *testing.T) {
	require.NoError(t, CheckAddr("127.0.0.1:7946"))
	require.NoError(t, CheckAddr("[::1]:7946"))
	long := make([]byte, MaxAddrLen)
	for i := range long {
		long[i] = 'a'
	}
	assert.Error(t, CheckAddr(string(long)+":1"))
	assert.Error(t, CheckAddr("127.0.0.1"))
	assert.Error(t, CheckAddr(":1"))
	assert.Error(t, CheckAddr("host:"))
}

func TestAdvertise(t *testing.T) {
	bound := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}
	got, err := Advertise("x", "", "127.0.0.1:0", bound)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9", got)

	got, err = Advertise("x", "10.0.0.1:9", "0.0.0.0:0", &net.UDPAddr{IP: net.IPv4zero, Port: 9})
	require.NoError(t, err)
	assert.Equal(t, "10.0.0.1:9", got)

	for _, a := range []net.Addr{
		&net.TCPAddr{IP: net.IPv4zero, Port: 9},
		&net.UDPAddr{IP: net.IPv6unspecified, Port: 9},
		&net.TCPAddr{Port: 9},
	} {
		_, err := Advertise("x", "", "0.0.0.0:0", a)
		require.ErrorIs(t, err, transport.ErrInvalidConfig, "%v", a)
		assert.Contains(t, err.Error(), "x: Config.AdvertiseAddr: ")
	}
}
