//go:build linux

package udp

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// socketDrops reads the kernel's drop counter of the socket behind rc: the
// SK_MEMINFO_DROPS entry of getsockopt(SOL_SOCKET, SO_MEMINFO), which is the
// socket's sk_drops, the value /proc/net/udp shows in its drops column. It
// is a uint32 that wraps. ok is false when it cannot be read: the socket is
// closed, or the kernel is older than 4.12 and lacks SO_MEMINFO.
func socketDrops(rc syscall.RawConn) (drops uint32, ok bool) {
	if rc == nil {
		return 0, false
	}
	var info [unix.SK_MEMINFO_VARS]uint32
	size := uint32(unsafe.Sizeof(info))
	var errno syscall.Errno
	err := rc.Control(func(fd uintptr) {
		// x/sys/unix has no getsockopt wrapper for an array of uint32.
		_, _, errno = unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO,
			uintptr(unsafe.Pointer(&info)), uintptr(unsafe.Pointer(&size)), 0)
	})
	if err != nil || errno != 0 || size < (unix.SK_MEMINFO_DROPS+1)*4 {
		return 0, false
	}
	return info[unix.SK_MEMINFO_DROPS], true
}
