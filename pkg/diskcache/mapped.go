package diskcache

import (
	"os"
	"sync"
	"unsafe"

	bolt "go.etcd.io/bbolt"
)

// mapped is the stretch of the store's memory map a scan copied values from.
//
// bbolt reads values straight from its map, so every segment a query loads
// would stay resident in the plugin's RSS as file pages until the kernel wants
// them back: reading a month from disk would add the file's size to the memory
// the plugin promises to stay under. The map is read-only (bbolt writes with
// pwrite), so dropping its pages loses nothing: the data stays in the page
// cache, and a later read faults it back in.
type mapped struct{ lo, hi uintptr }

func (m *mapped) add(v []byte) {
	if len(v) == 0 {
		return
	}
	lo := uintptr(unsafe.Pointer(&v[0]))
	hi := lo + uintptr(len(v))
	if m.hi == 0 || lo < m.lo {
		m.lo = lo
	}
	m.hi = max(m.hi, hi)
}

// folioSize is how far around what was read the pages are dropped: the kernel
// maps a file's page cache in folios of up to 2 MB, so copying a value maps the
// pages around it that share its folios (segments an earlier scan read and
// released), and those would stay.
const folioSize = 2 << 20

// release drops the pages of the map from the folio where the scan's first
// value starts to the end of the folio where its last ends (segments are read
// in either order), inside bbolt's map only: a
// damaged file can make bbolt hand out a value beyond its map (a page id past
// the end of a cut file), and dropping the pages of anything else would zero
// the plugin's own memory.
func (m *mapped) release(db *bolt.DB, maps *mapBounds) {
	if m.hi == 0 {
		return
	}
	base, end := maps.of(db, m.hi)
	if base == 0 || m.lo < base || m.lo >= end {
		return
	}
	lo := max(m.lo&^(folioSize-1), base)
	hi := min((m.hi+folioSize-1)&^(folioSize-1), end)
	dropPages(lo, hi-lo)
}

// releaseAll drops every page of db's map that the file covers, after the open
// check has walked them.
func releaseAll(db *bolt.DB, maps *mapBounds, fileSize int64) {
	if base, end := maps.of(db, 0); base != 0 && fileSize > 0 {
		dropPages(base, min(uintptr(fileSize), end-base))
	}
}

// mapBounds remembers where bbolt's map starts and ends (mapped_linux.go reads
// it from the kernel), asking again only when the map moved or a value lies
// past the end known.
type mapBounds struct {
	mu        sync.Mutex
	base, end uintptr
}

func (b *mapBounds) of(db *bolt.DB, need uintptr) (base, end uintptr) {
	data := db.Info().Data
	b.mu.Lock()
	defer b.mu.Unlock()
	if data != b.base || need > b.end {
		b.base, b.end = data, mapEnd(data)
	}
	if b.end <= b.base {
		return 0, 0
	}
	return b.base, b.end
}

// valuesInFile returns a check that a value bbolt hands out lies inside the
// file (whose size is read now), by its address in the map alone: its pages
// are not touched.
func valuesInFile(db *bolt.DB, path string) func(v []byte) bool {
	fi, err := os.Stat(path)
	base := db.Info().Data
	if err != nil || base == 0 {
		return func([]byte) bool { return true }
	}
	end := base + uintptr(fi.Size())
	return func(v []byte) bool {
		if len(v) == 0 {
			return true
		}
		at := uintptr(unsafe.Pointer(&v[0]))
		return at >= base && at+uintptr(len(v)) <= end
	}
}
