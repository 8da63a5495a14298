//go:build !linux

package diskcache

// dropPages drops the memory map's pages from the process where the platform
// lets it (mapped_linux.go); elsewhere the kernel reclaims them in its time.
func dropPages(_, _ uintptr) {}

func mapEnd(uintptr) uintptr { return 0 }
