package plugin

import (
	"errors"
	"strings"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/quote"
)

// eachBot runs read once for each bot of q, with q.Bot set to it, and sums what
// they read: each bot is read through the same fetch.Source as a single-bot
// query of it (its exports, caches, stores and rate limit), so a query of several
// bots shares every read with the queries of one. The bots are read one after the
// other: the rate limiter paces them anyway, and the grouping follows q.Bot. The
// first bot that fails fails the query, with its name; never a silent zero.
func eachBot(q *query.Query, read func() (fetch.Stats, error)) (fetch.Stats, error) {
	if !q.MultiBot() {
		return read()
	}
	first := q.Bot
	defer func() { q.Bot = first }()
	var all fetch.Stats
	for _, bot := range q.Bots {
		q.Bot = bot
		st, err := read()
		all.Add(st)
		if err != nil {
			return all, botError{bot: bot, err: err}
		}
	}
	return all, nil
}

// botError is the failure of one bot of a query of several: the message names it.
type botError struct {
	bot string
	err error
}

func (e botError) Error() string { return withBotName(e.bot, e.err.Error()) }
func (e botError) Unwrap() error { return e.err }

// withBotName puts the bot's name before msg unless msg names it already.
func withBotName(bot, msg string) string {
	if strings.Contains(msg, quote.Text(bot)) {
		return msg
	}
	return "bot " + quote.Text(bot) + ": " + msg
}

// botErrorResponse is errorResponse for a bot's failure: the status and source
// of the failure itself, the message naming the bot.
func botErrorResponse(err error) (backend.DataResponse, bool) {
	var be botError
	if !errors.As(err, &be) {
		return backend.DataResponse{}, false
	}
	r := errorResponse(be.err)
	if r.Error != nil {
		r.Error = errors.New(withBotName(be.bot, r.Error.Error()))
	}
	return r, true
}

// tableReads follows a table's reads, one fetch.Progress per bot: time is read
// once every bot's read has handed it on, as a row of one bot may be newer than
// every row of another.
type tableReads struct {
	mu   sync.Mutex
	bots int
	of   map[string]*fetch.Progress
}

func newTableReads(q *query.Query) *tableReads {
	return &tableReads{bots: max(1, len(q.BotList())), of: map[string]*fetch.Progress{}}
}

// forBot is the progress of bot's read (nil for a nil tableReads: no table follows it).
func (t *tableReads) forBot(bot string) *fetch.Progress {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	pr, ok := t.of[bot]
	if !ok {
		pr = &fetch.Progress{}
		t.of[bot] = pr
	}
	return pr
}

// Read is the time every bot's read has wholly handed on: nil until each has planned.
func (t *tableReads) Read() []exportapi.Window {
	t.mu.Lock()
	prs := make([]*fetch.Progress, 0, len(t.of))
	for _, pr := range t.of {
		prs = append(prs, pr)
	}
	t.mu.Unlock()
	if len(prs) < t.bots {
		return nil
	}
	out := prs[0].Read()
	for _, pr := range prs[1:] {
		out = intersectWindows(out, pr.Read())
	}
	return out
}

// intersectWindows is the time both lists cover; each list is sorted and its
// windows do not overlap, as fetch.Progress.Read returns them.
func intersectWindows(a, b []exportapi.Window) []exportapi.Window {
	var out []exportapi.Window
	for i, j := 0, 0; i < len(a) && j < len(b); {
		from, to := a[i].From, a[i].To
		if b[j].From.After(from) {
			from = b[j].From
		}
		if b[j].To.Before(to) {
			to = b[j].To
		}
		if from.Before(to) {
			out = append(out, exportapi.Window{From: from, To: to})
		}
		if a[i].To.Before(b[j].To) {
			i++
		} else {
			j++
		}
	}
	return out
}
