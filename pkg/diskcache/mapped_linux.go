package diskcache

import (
	"bufio"
	"bytes"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

var pageSize = uintptr(os.Getpagesize())

// dropPages tells the kernel this process no longer needs the pages of the
// store's map that [start, start+n) touches (the map is page-aligned); see mapped.
func dropPages(start, n uintptr) {
	first := start &^ (pageSize - 1)
	end := (start + n + pageSize - 1) &^ (pageSize - 1)
	if first < end {
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, first, end-first, unix.MADV_DONTNEED)
	}
}

// mapEnd is the end of the mapping that starts at base, from /proc/self/maps;
// 0 when there is none.
func mapEnd(base uintptr) uintptr {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		dash := bytes.IndexByte(line, '-')
		space := bytes.IndexByte(line, ' ')
		if dash < 0 || space < dash {
			continue
		}
		start, err := strconv.ParseUint(string(line[:dash]), 16, 64)
		if err != nil || uintptr(start) != base {
			continue
		}
		end, err := strconv.ParseUint(string(line[dash+1:space]), 16, 64)
		if err != nil {
			return 0
		}
		return uintptr(end)
	}
	return 0
}
