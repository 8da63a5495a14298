package exportapi

import "hash/maphash"

// idSet remembers which record ids an export has passed on, so that a record a
// cursor hands out twice is counted once. It keeps a 128-bit hash per id rather than
// the id itself: a million ids cost about 25 MB instead of about 80, and a false
// match needs a 128-bit collision.
type idSet struct {
	seeds [2]maphash.Seed
	m     map[[2]uint64]struct{}
}

func newIDSet() *idSet {
	return &idSet{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, m: map[[2]uint64]struct{}{}}
}

// add reports whether id was new.
func (s *idSet) add(id string) bool {
	k := [2]uint64{maphash.String(s.seeds[0], id), maphash.String(s.seeds[1], id)}
	if _, ok := s.m[k]; ok {
		return false
	}
	s.m[k] = struct{}{}
	return true
}
