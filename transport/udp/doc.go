// Package udp is a transport.Transport over one UDP socket.
//
// New binds the socket; Start launches the single reader goroutine that
// delivers datagrams to the Handler, one at a time, reusing one receive
// buffer (the Handler must copy what it keeps, as transport.Handler says).
// Send writes one datagram per call; it never waits on the peer.
//
//	tr, err := udp.New(udp.Config{BindAddr: "0.0.0.0:7946", AdvertiseAddr: "10.0.0.5:7946"})
//	if err != nil { ... }
//	defer tr.Close()
//	err = tr.Start(func(from string, b []byte) { ... })
//	err = tr.Send("10.0.0.6:7946", msg)
//
// Limits. A datagram larger than Config.MTU is refused by Send with
// transport.ErrTooLarge, and one received larger than the MTU is dropped and
// counted in Stats.Oversize: the reader reads into MTU+1 bytes so that a
// truncated datagram is recognised, never delivered cut short.
//
// Drops. Drops (transport.Counter) reports Stats.Oversize, Stats.Malformed
// as Decode, and as Kernel the datagrams the kernel dropped at the socket
// before the reader could read them. On Linux 4.12 and later Kernel is the
// socket's own drop counter, the drops column of /proc/net/udp, read with
// getsockopt(SO_MEMINFO) when Drops is called (and once by Close, so that it
// survives the socket): mostly datagrams that found the receive buffer full
// (see Config.ReadBufferBytes, capped by net.core.rmem_max), also those the
// kernel discarded for a bad checksum. It costs nothing per datagram. On
// other platforms, and older Linux kernels, Kernel stays 0.
//
// Addresses. LocalAddr reports Config.AdvertiseAddr when set (a port of 0 in
// it is replaced by the bound port), otherwise the bound "ip:port". Binding a
// wildcard address such as 0.0.0.0 makes LocalAddr useless to peers; set
// AdvertiseAddr (package transport/addr can pick one). The from address
// passed to the Handler is the sender's source "ip:port", which Send accepts.
// Send resolves "host:port" strings and caches the result per string: IP
// literals for good, host names for HostCacheTTL.
//
// Errors. After Close, Start and Send return errors wrapping net.ErrClosed.
// An address that cannot be resolved is reported with transport.ErrUnreachable.
// Nothing in the receive path panics on any input; the Handler itself is
// trusted and its panics are not recovered.
package udp
