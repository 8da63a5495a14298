// Package diskcache keeps settled segments of records in an embedded bbolt file,
// so history read once survives a restart of Grafana or of the plugin. It stores
// opaque framed values (the fetch package frames and checks them) under hashed
// lane names, and never lets its own trouble fail a query: a file held by another
// process, an unwritable directory or a full disk turn it off, and a damaged file
// is moved aside and rebuilt, with a warning in the log and in the health check
// that says which (trouble.go).
package diskcache

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
)

// FileName is the store's file inside its directory.
const FileName = "segments.db"

// lockTimeout is how long Open waits for another process to let go of the file
// (a second Grafana sharing the directory) before running without it.
const lockTimeout = 2 * time.Second

var (
	bucketSegments = []byte("segments") // lane(16) | from(8) -> to(8) | expires(8) | seq(8) | data
	bucketOrder    = []byte("order")    // seq(8) -> lane(16) | from(8): oldest written first
	bucketMeta     = []byte("meta")     // "used" -> bytes of values, "seq" -> last sequence
	keyUsed        = []byte("used")
	keySeq         = []byte("seq")
)

// Logger is what the store needs of a logger.
type Logger interface {
	Warn(msg string, args ...any)
}

// Store is the disk tier. Its zero value is not usable; call Open.
type Store struct {
	path   string
	budget int64
	logger Logger
	// openFile opens the file for bbolt (os.OpenFile); tests put errors of
	// access and space there that file modes cannot cause for root.
	openFile func(name string, flag int, perm os.FileMode) (*os.File, error)
	// maps is where bbolt's memory map lies, so that pages a load copied are
	// dropped from the process (mapped.go).
	maps mapBounds

	mu      sync.Mutex
	db      *bolt.DB // nil while off
	used    int64
	count   int
	problem string // the last trouble, for the health check; "" when well
}

// Status describes the store for the health check.
type Status struct {
	Path     string
	Bytes    int64 // of stored values
	Budget   int64
	Segments int
	Open     bool
	Problem  string
}

// Open opens or creates the store in dir, with a budget in bytes of stored
// values. It always returns a Store: when the file cannot be used, the store is
// off, says why in Status, and every call is a miss.
func Open(dir string, budget int64, logger Logger) *Store {
	return open(dir, budget, logger, os.OpenFile)
}

func open(dir string, budget int64, logger Logger, openFile func(string, int, os.FileMode) (*os.File, error)) *Store {
	s := &Store{path: filepath.Join(dir, FileName), budget: budget, logger: logger, openFile: openFile}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		words, _ := cause(err)
		s.fail("the directory cannot be created: "+words, err)
		return s
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.openLocked()
	return s
}

// openLocked opens the file. A damaged one is moved aside and started afresh;
// any other trouble (access, space, a lock) turns the store off with its cause
// and leaves the file as it is.
func (s *Store) openLocked() {
	db, err := s.openChecked()
	if err == nil {
		s.db = db
		return
	}
	if words, damaged := cause(err); !damaged {
		s.failLocked(words, err)
		return
	}
	s.replaceDamagedLocked(err)
}

// openChecked opens the file and checks its structure (loadMeta).
func (s *Store) openChecked() (*bolt.DB, error) {
	db, err := s.open()
	if err != nil {
		return nil, err
	}
	if err := s.loadMeta(db); err != nil {
		_ = db.Close()
		return nil, err
	}
	if fi, err := os.Stat(s.path); err == nil {
		releaseAll(db, &s.maps, fi.Size())
	}
	return db, nil
}

// replaceDamagedLocked keeps a damaged file for a post-mortem and starts an empty one.
func (s *Store) replaceDamagedLocked(damage error) {
	aside := fmt.Sprintf("%s.damaged-%d", s.path, time.Now().Unix())
	if err := os.Rename(s.path, aside); err != nil && !os.IsNotExist(err) {
		words, _ := cause(err)
		s.failLocked("the file is damaged and cannot be moved aside: "+words, damage)
		return
	}
	s.warnLocked("the file was damaged and has been rebuilt empty (the old one is "+filepath.Base(aside)+")", damage)
	db, err := s.openChecked()
	if err != nil {
		words, _ := cause(err)
		s.failLocked("a new file cannot be created: "+words, err)
		return
	}
	s.db = db
}

func (s *Store) open() (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		// bbolt panics on some damage it finds; that is a damaged file, not a crash.
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: %v", errDamaged, r)
		}
	}()
	return bolt.Open(s.path, 0o600, &bolt.Options{Timeout: lockTimeout, OpenFile: s.openFile})
}

// loadMeta creates the buckets and reads the totals, checking every page of the
// file's structure once: a damaged file is found here, not in the middle of a query.
func (s *Store) loadMeta(db *bolt.DB) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errDamaged, r)
		}
	}()
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketSegments, bucketOrder, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		// Walk every key once: a damaged page panics here, in this goroutine,
		// where it is recovered (bbolt's own checker runs in a goroutine of its
		// own, where a panic would end the plugin). Values are checked by their
		// checksums when they are read.
		for _, name := range [][]byte{bucketSegments, bucketOrder, bucketMeta} {
			c := tx.Bucket(name).Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
			}
		}
		s.used = int64(getUint(tx.Bucket(bucketMeta).Get(keyUsed)))
		s.count = tx.Bucket(bucketSegments).Stats().KeyN
		return nil
	}); err != nil {
		return err
	}
	// A value's pages are not read here, but where bbolt says they lie is
	// checked against the file (in a read transaction, where every value is in
	// the map): a file cut short is found now, not when a later load or write
	// faults on it and the store is rebuilt in the middle of reads, losing what
	// they had taken from it.
	return db.View(func(tx *bolt.Tx) error {
		inFile := valuesInFile(db, s.path)
		c := tx.Bucket(bucketSegments).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if !inFile(v) {
				return fmt.Errorf("%w: a value lies past the end of the file", errDamaged)
			}
		}
		return nil
	})
}

// Name says what the tier is, for notices.
func (s *Store) Name() string { return "the disk cache" }

// Status returns the store's state.
func (s *Store) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Status{Path: s.path, Bytes: s.used, Budget: s.budget, Segments: s.count, Open: s.db != nil, Problem: s.problem}
}

// Close closes the file.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	return err
}

// Load returns the unexpired stored segments of lane overlapping [from, to).
func (s *Store) Load(_ context.Context, lane string, from, to, now time.Time) ([]fetch.Stored, error) {
	return s.scan(lane, from, to, now, true)
}

// scan is Load, with the records or (withData false) only their spans.
func (s *Store) scan(lane string, from, to, now time.Time, withData bool) (out []fetch.Stored, err error) {
	s.mu.Lock()
	db := s.db
	s.mu.Unlock()
	if db == nil {
		return nil, nil
	}
	ln, err := laneBytes(lane)
	if err != nil {
		return nil, err
	}
	defer s.survive(&err)
	// A page past the end of a cut file faults in the memory map: a panic to
	// survive, not a crash of the plugin.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	err = db.View(func(tx *bolt.Tx) error {
		var read mapped
		defer read.release(db, &s.maps)
		c := tx.Bucket(bucketSegments).Cursor()
		for k, v := startAt(c, ln, from); k != nil && sameLane(k, ln) && keyTime(k).Before(to); k, v = c.Next() {
			st, ok := decodeValue(k, v, withData)
			if !ok {
				continue
			}
			// Listing reads only a value's header, but that maps the
			// folios around it all the same.
			read.add(v)
			if !st.To.After(from) || (!st.Expires.IsZero() && !now.Before(st.Expires)) {
				continue
			}
			out = append(out, st)
		}
		return nil
	})
	return out, err
}

// Save stores segs for lane, replacing the stored segments they overlap, and
// evicts the oldest written until the budget holds.
func (s *Store) Save(_ context.Context, lane string, segs []fetch.Stored, _ time.Time) error {
	return s.update(lane, func(tx *bolt.Tx, ln []byte, used *int64, count *int) error {
		segsB, order, meta := tx.Bucket(bucketSegments), tx.Bucket(bucketOrder), tx.Bucket(bucketMeta)
		seq := getUint(meta.Get(keySeq))
		for _, sg := range segs {
			if int64(len(sg.Data)) > s.budget {
				continue
			}
			if err := removeOverlapping(segsB, order, ln, sg.From, sg.To, used, count); err != nil {
				return err
			}
			seq++
			v := make([]byte, 24+len(sg.Data))
			binary.BigEndian.PutUint64(v[0:8], uint64(sg.To.UnixNano()))
			if !sg.Expires.IsZero() {
				binary.BigEndian.PutUint64(v[8:16], uint64(sg.Expires.UnixNano()))
			}
			binary.BigEndian.PutUint64(v[16:24], seq)
			copy(v[24:], sg.Data)
			k := segKey(ln, sg.From)
			if err := segsB.Put(k, v); err != nil {
				return err
			}
			if err := order.Put(uintBytes(seq), k); err != nil {
				return err
			}
			*used += int64(len(v))
			*count++
		}
		// Evict the oldest written first: history read long ago and never
		// refreshed is what a dashboard is least likely to show again.
		c := order.Cursor()
		for k, sk := c.First(); k != nil && *used > s.budget; k, sk = c.First() {
			if old := segsB.Get(sk); old != nil {
				*used -= int64(len(old))
				*count--
				if err := segsB.Delete(sk); err != nil {
					return err
				}
			}
			if err := order.Delete(k); err != nil {
				return err
			}
		}
		if err := meta.Put(keySeq, uintBytes(seq)); err != nil {
			return err
		}
		return meta.Put(keyUsed, uintBytes(uint64(*used)))
	}, func(err error) {
		if err == nil {
			s.problem = ""
			return
		}
		words, _ := cause(err)
		s.warnLocked("a write failed ("+words+"); the range will be read from the API again", err)
	})
}

// Forget drops the segment st of lane if the file still holds it as loaded:
// a value that did not check out, which would otherwise be found again.
func (s *Store) Forget(_ context.Context, lane string, st fetch.Stored) error {
	return s.update(lane, func(tx *bolt.Tx, ln []byte, used *int64, count *int) error {
		segsB, order := tx.Bucket(bucketSegments), tx.Bucket(bucketOrder)
		k := segKey(ln, st.From)
		v := segsB.Get(k)
		if len(v) < 24 || !bytes.Equal(v[24:], st.Data) {
			return nil // replaced or gone meanwhile
		}
		seq := binary.BigEndian.Uint64(v[16:24])
		*used -= int64(len(v))
		*count--
		if err := segsB.Delete(k); err != nil {
			return err
		}
		if err := order.Delete(uintBytes(seq)); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keyUsed, uintBytes(uint64(*used)))
	}, nil)
}

// update runs fn in one write transaction on lane, with the file's byte and
// segment counts: they are kept only if the transaction commits. after, when
// set, runs with the outcome while the store's lock is still held. A store that
// is off takes nothing; a panic on a damaged page is survived as an error.
func (s *Store) update(lane string, fn func(tx *bolt.Tx, ln []byte, used *int64, count *int) error, after func(error)) (err error) {
	ln, err := laneBytes(lane)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return nil
	}
	defer s.surviveLocked(&err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	used, count := s.used, s.count
	err = s.db.Update(func(tx *bolt.Tx) error { return fn(tx, ln, &used, &count) })
	if err == nil {
		s.used, s.count = used, count
	}
	if after != nil {
		after(err)
	}
	return err
}

func removeOverlapping(segsB, order *bolt.Bucket, ln []byte, from, to time.Time, used *int64, count *int) error {
	c := segsB.Cursor()
	var doomed [][]byte
	var seqs []uint64
	for k, v := startAt(c, ln, from); k != nil && sameLane(k, ln) && keyTime(k).Before(to); k, v = c.Next() {
		if len(v) < 24 || time.Unix(0, int64(binary.BigEndian.Uint64(v[0:8]))).After(from) {
			doomed = append(doomed, append([]byte(nil), k...))
			*used -= int64(len(v))
			if len(v) >= 24 {
				seqs = append(seqs, binary.BigEndian.Uint64(v[16:24]))
			}
		}
	}
	for _, k := range doomed {
		if err := segsB.Delete(k); err != nil {
			return err
		}
		*count--
	}
	for _, q := range seqs {
		if err := order.Delete(uintBytes(q)); err != nil {
			return err
		}
	}
	return nil
}

// startAt positions c on the lane's first segment that may hold from: the one
// starting before it, if any, since a segment spans time.
func startAt(c *bolt.Cursor, ln []byte, from time.Time) ([]byte, []byte) {
	k, _ := c.Seek(segKey(ln, from))
	var pk, pv []byte
	if k == nil {
		pk, pv = c.Last()
	} else {
		pk, pv = c.Prev()
	}
	if pk != nil && sameLane(pk, ln) {
		return pk, pv
	}
	return c.Seek(segKey(ln, from))
}

func decodeValue(k, v []byte, withData bool) (fetch.Stored, bool) {
	if len(v) < 24 {
		return fetch.Stored{}, false
	}
	st := fetch.Stored{From: keyTime(k), To: time.Unix(0, int64(binary.BigEndian.Uint64(v[0:8]))).UTC()}
	if withData {
		// The value is copied: bbolt's memory is valid only inside the transaction.
		st.Data = append([]byte(nil), v[24:]...)
	}
	if e := binary.BigEndian.Uint64(v[8:16]); e != 0 {
		st.Expires = time.Unix(0, int64(e)).UTC()
	}
	return st, true
}

const laneLen = 16

func laneBytes(lane string) ([]byte, error) {
	b, err := hex.DecodeString(lane)
	if err != nil || len(b) != laneLen {
		return nil, fmt.Errorf("lane name %q is not 16 hex bytes", lane)
	}
	return b, nil
}

// segKey sorts a lane's segments by start: times are offset so that instants
// before 1970 sort before those after.
func segKey(lane []byte, from time.Time) []byte {
	k := make([]byte, laneLen+8)
	copy(k, lane)
	binary.BigEndian.PutUint64(k[laneLen:], uint64(from.UnixNano())^(1<<63))
	return k
}

func keyTime(k []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(k[laneLen:])^(1<<63))).UTC()
}

func sameLane(k, lane []byte) bool {
	return len(k) == laneLen+8 && string(k[:laneLen]) == string(lane)
}

func uintBytes(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func getUint(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// survive turns a panic from a damaged page into an error and rebuilds the file.
func (s *Store) survive(err *error) {
	if r := recover(); r != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		*err = s.rebuildLocked(r)
	}
}

func (s *Store) surviveLocked(err *error) {
	if r := recover(); r != nil {
		*err = s.rebuildLocked(r)
	}
}

func (s *Store) rebuildLocked(r any) error {
	err := fmt.Errorf("%w: %v", errDamaged, r)
	if s.db != nil {
		_ = s.db.Close()
		s.db = nil
	}
	s.used, s.count = 0, 0
	s.replaceDamagedLocked(err)
	return err
}

func (s *Store) fail(what string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLocked(what, err)
}

// failLocked turns the store off.
func (s *Store) failLocked(what string, err error) {
	s.problem = fmt.Sprintf("off: %s (%v); history is kept in memory only", what, err)
	s.logger.Warn("The disk cache is off", "path", s.path, "problem", what, "error", err.Error())
}

func (s *Store) warnLocked(what string, err error) {
	s.problem = fmt.Sprintf("%s (%v)", what, err)
	s.logger.Warn("Disk cache trouble", "path", s.path, "problem", what, "error", err.Error())
}
