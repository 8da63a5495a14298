package diskcache

import (
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
// maps a file's page cache in folios of up to 2 MB, so copying one value maps
// the neighbours' pages that share its folios, and those would stay.
const folioSize = 2 << 20

// release drops the pages of the map around what the scan read, never past the
// file's data: the map is bbolt's own, and what lies beyond it is not.
func (m *mapped) release(db *bolt.DB, tx *bolt.Tx) {
	if m.hi == 0 {
		return
	}
	base := db.Info().Data
	end := base + uintptr(tx.Size())
	lo := max(m.lo&^(folioSize-1), base)
	hi := min((m.hi+folioSize-1)&^(folioSize-1), end)
	if lo < hi {
		dropPages(lo, hi-lo)
	}
}

// releaseAll drops every page of the map the file's data covers (after the
// open check has walked them).
func releaseAll(db *bolt.DB, tx *bolt.Tx) {
	if base := db.Info().Data; base != 0 {
		dropPages(base, uintptr(tx.Size()))
	}
}
