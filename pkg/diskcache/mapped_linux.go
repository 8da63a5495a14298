package diskcache

import (
	"os"

	"golang.org/x/sys/unix"
)

var pageSize = uintptr(os.Getpagesize())

// dropPages tells the kernel this process no longer needs the whole pages of
// the store's map inside [start, start+n); see mapped.
func dropPages(start, n uintptr) {
	first := (start + pageSize - 1) &^ (pageSize - 1)
	end := (start + n) &^ (pageSize - 1)
	if first < end {
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, first, end-first, unix.MADV_DONTNEED)
	}
}
