package simulator

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Faults are the misbehaviours the simulator can inject, each as a share of the
// requests that pass authentication and the rate limit.
type Faults struct {
	// Latency delays every answer.
	Latency time.Duration
	// ServerErrors answers 500/502/503 with an HTML body.
	ServerErrors float64
	// Drops closes the connection without an answer.
	Drops float64
	// Truncations sends a full Content-Length but only half of the body.
	Truncations float64
	// Malformed answers 200 with a body that is not JSON.
	Malformed float64
	// CursorLoop makes every page point back to the first one.
	CursorLoop bool
	// EndlessEmptyPages answers every page with no data and a fresh cursor.
	EndlessEmptyPages bool
	// EmptyPagesFirst starts each export with this many empty pages that carry a cursor.
	EmptyPagesFirst int
	// PadBytes adds this many bytes of padding to every page.
	PadBytes int
}

type faultRand struct {
	mu  sync.Mutex
	rng *rand.Rand
}

func newFaultRand(seed uint64) faultRand {
	return faultRand{rng: rand.New(rand.NewPCG(seed, 0x5eed))}
}

func (f *faultRand) float() float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rng.Float64()
}

var serverErrorStatuses = []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}

// injectFault answers the request with a fault, or reports false to answer normally.
func (s *Server) injectFault(w http.ResponseWriter, f Faults) bool {
	r := s.rng.float()
	switch {
	case r < f.Drops:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	case r < f.Drops+f.ServerErrors:
		status := serverErrorStatuses[int(r*1000)%len(serverErrorStatuses)]
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<html><head><title>" + strconv.Itoa(status) + " " + http.StatusText(status) +
			"</title></head><body><center><h1>" + http.StatusText(status) + "</h1></center></body></html>"))
		return true
	case r < f.Drops+f.ServerErrors+f.Malformed:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[{"_id":"abc","startTime":17<html>oops`))
		return true
	}
	return false
}

// truncate sends half of body under a Content-Length for all of it, then drops the connection.
func (s *Server) truncate(w http.ResponseWriter, body []byte, f Faults) bool {
	if f.Truncations <= 0 || s.rng.float() >= f.Truncations {
		return false
	}
	// Counted here: the abort below never returns to the caller.
	s.faulted.Add(1)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body[:len(body)/2])
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	panic(http.ErrAbortHandler)
}
