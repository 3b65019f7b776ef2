//go:build !linux

package udp

import "syscall"

// socketDrops reports that the kernel's drop counter of a socket cannot be
// read: only Linux exposes it.
func socketDrops(syscall.RawConn) (drops uint32, ok bool) { return 0, false }
