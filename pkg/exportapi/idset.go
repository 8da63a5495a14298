package exportapi

import "hash/maphash"

// idSet remembers which record ids an export has passed on, so that a record a
// cursor hands out twice is counted once. It keeps a 64-bit hash per id rather than
// the id: a million ids cost about 20 MB instead of about 80, and two distinct ids
// of a million-record export collide with a chance of about one in 40 million.
type idSet struct {
	seed maphash.Seed
	m    map[uint64]struct{}
}

func newIDSet() *idSet {
	return &idSet{seed: maphash.MakeSeed(), m: map[uint64]struct{}{}}
}

// add reports whether id was new.
func (s *idSet) add(id string) bool {
	k := maphash.String(s.seed, id)
	if _, ok := s.m[k]; ok {
		return false
	}
	s.m[k] = struct{}{}
	return true
}
