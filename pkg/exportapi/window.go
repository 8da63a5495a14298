package exportapi

import (
	"strconv"
	"time"
)

// Window is the half-open time range [From, To) a query reads. The API takes whole
// seconds and does not say whether end_time is inclusive, so the client asks for
// floor(From)..ceil(To) and keeps exactly the records inside the window itself.
type Window struct {
	From time.Time
	To   time.Time
}

// Contains reports whether t lies in [From, To).
func (w Window) Contains(t time.Time) bool {
	return !t.Before(w.From) && t.Before(w.To)
}

// Intersect returns the instants both windows hold; Empty when they hold none in common.
func (w Window) Intersect(o Window) Window {
	out := w
	if o.From.After(out.From) {
		out.From = o.From
	}
	if o.To.Before(out.To) {
		out.To = o.To
	}
	return out
}

// Empty reports whether the window holds no instant at all.
func (w Window) Empty() bool {
	return !w.From.Before(w.To)
}

func (w Window) startParam() string {
	return strconv.FormatInt(floorUnix(w.From), 10)
}

func (w Window) endParam() string {
	return strconv.FormatInt(ceilUnix(w.To), 10)
}

func floorUnix(t time.Time) int64 {
	return t.Truncate(0).Unix()
}

func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}
