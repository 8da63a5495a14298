package diskcache

import (
	"encoding/binary"
	"math"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
)

// bucketHints keeps what earlier reads measured (the API's latency, the records
// per hour of a bot's endpoint), so that the first cold read after a restart
// starts with as many parallel legs as it needs.
var bucketHints = []byte("hints")

// Hint returns a remembered measurement.
func (s *Store) Hint(key string) (v float64, ok bool) {
	s.mu.Lock()
	db := s.db
	s.mu.Unlock()
	if db == nil {
		return 0, false
	}
	defer func() {
		if recover() != nil {
			v, ok = 0, false
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	_ = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHints)
		if b == nil {
			return nil
		}
		if raw := b.Get([]byte(key)); len(raw) == 8 {
			v, ok = math.Float64frombits(binary.BigEndian.Uint64(raw)), true
		}
		return nil
	})
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, false
	}
	return v, ok
}

// SaveHint remembers a measurement; failing to is never an error for a query.
func (s *Store) SaveHint(key string, v float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return
	}
	defer func() { _ = recover() }()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	_ = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketHints)
		if err != nil {
			return err
		}
		raw := make([]byte, 8)
		binary.BigEndian.PutUint64(raw, math.Float64bits(v))
		return b.Put([]byte(key), raw)
	})
}
