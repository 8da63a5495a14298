package simulator

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Paths the simulator serves, as the Export API documents them.
const (
	PathConversations = "/conversations/export/v1/conversations"
	PathMessages      = "/conversations/export/v1/messages"
	maxPerPage        = 1000
)

// ServerConfig configures the HTTP side.
type ServerConfig struct {
	APIKey string
	// RequestsPerSecond per endpoint and key; 0 means 3 as documented, <0 turns the limit off.
	RequestsPerSecond float64
	// RetryAfterDate sends Retry-After as an HTTP date instead of seconds.
	RetryAfterDate bool
	Faults         Faults
	// Seed drives fault injection, so a faulty run can be repeated.
	Seed uint64
}

// Server is an http.Handler that serves a Dataset like the Export API does.
type Server struct {
	data *Dataset
	cfg  ServerConfig

	mu       sync.Mutex
	faults   Faults
	rng      faultRand
	limiters map[string]*rate.Limiter

	requests    [2]atomic.Int64
	rateLimited atomic.Int64
	faulted     atomic.Int64
	lastAnswer  atomic.Int64 // Unix nanoseconds
}

// NewServer returns a server over data.
func NewServer(data *Dataset, cfg ServerConfig) *Server {
	if cfg.RequestsPerSecond == 0 {
		cfg.RequestsPerSecond = 3
	}
	return &Server{data: data, cfg: cfg, faults: cfg.Faults, rng: newFaultRand(cfg.Seed), limiters: map[string]*rate.Limiter{}}
}

// Dataset is the data the server serves.
func (s *Server) Dataset() *Dataset { return s.data }

// SetFaults replaces the fault settings while the server runs.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// LastAnswerAt is when the server last finished answering a request.
func (s *Server) LastAnswerAt() time.Time {
	return time.Unix(0, s.lastAnswer.Load())
}

// Counts says what the server has answered so far.
type Counts struct {
	Conversations int64 // requests to the conversations endpoint, whatever their answer
	Messages      int64
	RateLimited   int64 // answered 429
	Faulted       int64 // answered with an injected fault
}

// Counts returns the request counters.
func (s *Server) Counts() Counts {
	return Counts{
		Conversations: s.requests[0].Load(),
		Messages:      s.requests[1].Load(),
		RateLimited:   s.rateLimited.Load(),
		Faulted:       s.faulted.Load(),
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() { s.lastAnswer.Store(time.Now().UnixNano()) }()
	var endpoint int
	switch r.URL.Path {
	case PathConversations:
		endpoint = 0
	case PathMessages:
		endpoint = 1
	default:
		writeError(w, http.StatusNotFound, "no such endpoint")
		return
	}
	s.requests[endpoint].Add(1)
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "use GET")
		return
	}
	if r.Header.Get("x-api-key") != s.cfg.APIKey || s.cfg.APIKey == "" {
		writeError(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	if wait, limited := s.limit(r.Header.Get("x-api-key"), r.URL.Path); limited {
		s.rateLimited.Add(1)
		if s.cfg.RetryAfterDate {
			w.Header().Set("Retry-After", time.Now().Add(wait+time.Second).UTC().Format(http.TimeFormat))
		} else {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		}
		writeError(w, http.StatusTooManyRequests, "Too Many Requests")
		return
	}
	faults := s.currentFaults()
	if faults.Latency > 0 {
		select {
		case <-time.After(faults.Latency):
		case <-r.Context().Done():
			return
		}
	}
	q, err := parseQuery(r, endpoint == 1)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if !s.data.HasBot(q.bot) {
		writeError(w, http.StatusNotFound, "bot not found")
		return
	}
	if s.injectFault(w, faults) {
		s.faulted.Add(1)
		return
	}
	var body []byte
	if endpoint == 0 {
		body, err = s.conversationsPage(q, faults)
	} else {
		body, err = s.messagesPage(q, faults)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if s.truncate(w, body, faults) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

func (s *Server) currentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// limit applies the documented 3 requests per second per endpoint and key.
func (s *Server) limit(key, path string) (time.Duration, bool) {
	if s.cfg.RequestsPerSecond < 0 {
		return 0, false
	}
	s.mu.Lock()
	lim, ok := s.limiters[key+"\x00"+path]
	if !ok {
		lim = rate.NewLimiter(rate.Limit(s.cfg.RequestsPerSecond), int(math.Ceil(s.cfg.RequestsPerSecond)))
		s.limiters[key+"\x00"+path] = lim
	}
	s.mu.Unlock()
	r := lim.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return d, true
	}
	return 0, false
}

type pageQuery struct {
	start, end     int64
	bot            string
	perPage        int
	cursor         string
	conversationID string
	fingerprint    uint32
}

func parseQuery(r *http.Request, messages bool) (pageQuery, error) {
	v := r.URL.Query()
	var q pageQuery
	var err error
	if q.start, err = strconv.ParseInt(v.Get("start_time"), 10, 64); err != nil {
		return q, fmt.Errorf("start_time is required and must be a Unix timestamp in seconds")
	}
	if q.end, err = strconv.ParseInt(v.Get("end_time"), 10, 64); err != nil {
		return q, fmt.Errorf("end_time is required and must be a Unix timestamp in seconds")
	}
	if q.end < q.start {
		return q, fmt.Errorf("end_time must not be before start_time")
	}
	if q.bot = v.Get("bot_name"); q.bot == "" {
		return q, fmt.Errorf("bot_name is required")
	}
	q.perPage = maxPerPage
	if pp := v.Get("per_page"); pp != "" {
		if q.perPage, err = strconv.Atoi(pp); err != nil || q.perPage < 1 || q.perPage > maxPerPage {
			return q, fmt.Errorf("per_page must be between 1 and %d", maxPerPage)
		}
	}
	if messages {
		q.conversationID = v.Get("conversation_id")
	}
	q.cursor = v.Get("cursor")
	kind := "c"
	if messages {
		kind = "m"
	}
	q.fingerprint = queryFingerprint(kind, q.bot, strconv.FormatInt(q.start, 10), strconv.FormatInt(q.end, 10), q.conversationID)
	return q, nil
}

// The API's window is taken as inclusive at both ends, whole seconds: the least
// convenient reading for a client, which must therefore trim the edges itself.
func (q pageQuery) contains(t time.Time) bool {
	return !t.Before(time.Unix(q.start, 0)) && !t.After(time.Unix(q.end, 0))
}

func (s *Server) conversationsPage(q pageQuery, f Faults) ([]byte, error) {
	now := s.data.Now()
	first := time.Unix(q.start, 0)
	items := func(hour int64) []Conversation {
		convs := s.data.visibleHour(q.bot, hour, now)
		out := convs[:0:0]
		for _, c := range convs {
			if q.contains(c.Start) {
				out = append(out, c)
			}
		}
		return out
	}
	return paginate(q, f, s.data.hourRange(first, time.Unix(q.end, 0), now), items, appendConversation)
}

// messagesPage lists messages in time order, hour by hour of message time, as an
// export API indexed by time would.
func (s *Server) messagesPage(q pageQuery, f Faults) ([]byte, error) {
	now := s.data.Now()
	hours := s.data.hourRange(time.Unix(q.start, 0), time.Unix(q.end, 0), now)
	if q.conversationID != "" {
		c, ok := s.data.findConversation(q.bot, q.conversationID, now)
		if !ok {
			hours = hourSpan{first: 1, last: 0}
		} else if first := floorHour(c.Start); hours.first < first {
			hours.first = first
		}
	}
	spanHours := int64(maxConversationSpan / time.Hour)
	// Pointers, not copies: every page of an hour sorts the hour's messages
	// again, and a message is some 200 bytes.
	items := func(hour int64) []*Message {
		var out []*Message
		for h := hour - spanHours; h <= hour; h++ {
			for _, c := range s.data.visibleHour(q.bot, h, now) {
				if q.conversationID != "" && c.ID != q.conversationID {
					continue
				}
				for i := range c.Messages {
					if m := &c.Messages[i]; floorHour(m.Time) == hour && q.contains(m.Time) {
						out = append(out, m)
					}
				}
			}
		}
		slices.SortFunc(out, func(a, b *Message) int {
			if c := a.Time.Compare(b.Time); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		return out
	}
	return paginate(q, f, hours, items, func(b *bytes.Buffer, m **Message) { appendMessage(b, *m) })
}

type hourSpan struct{ first, last int64 }

func (d *Dataset) hourRange(from, to, now time.Time) hourSpan {
	span := hourSpan{first: floorHour(from), last: floorHour(to)}
	if hs := floorHour(d.HistoryStart()); span.first < hs {
		span.first = hs
	}
	if nh := floorHour(now); span.last > nh {
		span.last = nh
	}
	return span
}

// paginate cuts the records of hours first..last into pages of q.perPage, starting
// where q.cursor points. It looks ahead so the last page carries a null cursor.
func paginate[T any](q pageQuery, f Faults, hours hourSpan, items func(int64) []T, write func(*bytes.Buffer, *T)) ([]byte, error) {
	pos := cursor{hour: hours.first, empties: f.EmptyPagesFirst}
	if q.cursor != "" {
		var err error
		if pos, err = decodeCursor(q.cursor, q.fingerprint); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	if f.EndlessEmptyPages || pos.empties > 0 {
		next := pos
		if f.EndlessEmptyPages {
			next.index++ // a fresh cursor every time
		} else {
			next.empties--
		}
		b.WriteString(`],"cursor":`)
		writeString(&b, next.encode(q.fingerprint))
		b.WriteString("}")
		return b.Bytes(), nil
	}
	n := 0
	var current []T
	if pos.hour <= hours.last {
		current = items(pos.hour)
	}
	for n < q.perPage && pos.hour <= hours.last {
		if pos.index >= len(current) {
			pos = cursor{hour: pos.hour + 1}
			if pos.hour <= hours.last {
				current = items(pos.hour)
			}
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		write(&b, &current[pos.index])
		pos.index++
		n++
	}
	// Look ahead past exhausted hours, so the last page carries a null cursor.
	for pos.hour <= hours.last && pos.index >= len(current) {
		pos = cursor{hour: pos.hour + 1}
		if pos.hour <= hours.last {
			current = items(pos.hour)
		}
	}
	b.WriteString(`],"cursor":`)
	switch {
	case f.CursorLoop:
		writeString(&b, cursor{hour: hours.first}.encode(q.fingerprint))
	case pos.hour > hours.last:
		b.WriteString("null")
	default:
		writeString(&b, pos.encode(q.fingerprint))
	}
	if f.PadBytes > 0 {
		b.WriteString(`,"padding":"`)
		b.Write(bytes.Repeat([]byte("x"), f.PadBytes))
		b.WriteString(`"`)
	}
	b.WriteString("}")
	return b.Bytes(), nil
}

func writeError(w http.ResponseWriter, status int, msg string) {
	var b bytes.Buffer
	b.WriteString(`{"message":`)
	writeString(&b, msg)
	b.WriteString("}")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
