// Package history keeps the recent past of a data source's bots in the store, so
// that dashboards answer from it instead of waiting on the API: it reads the last
// few days of every bot ahead of any query, newest first, then follows the time
// that settles. It reads through the same fetch.Source as queries (so the records
// reach the memory cache, the disk and Redis, and no time is read twice at once)
// and with background priority (so it uses at most its share of the rate limit
// and lets every interactive request go first).
package history

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/timegrid"
)

// Reader is what the keeper reads through: a fetch.Source.
type Reader interface {
	Conversations(ctx context.Context, req fetch.Request, fn func([]exportapi.Conversation)) (fetch.Stats, error)
	Messages(ctx context.Context, req fetch.Request, fn func([]exportapi.Message)) (fetch.Stats, error)
}

// Turn decides, with Redis, which replica keeps a bot: it returns whether this
// one does for the next while. Without Redis every replica keeps its own.
type Turn func(ctx context.Context, bot string) bool

// Config configures a Keeper.
type Config struct {
	Reader Reader
	Bots   []string
	// Days of the past to keep, up to the settled edge.
	Days int
	// Live is the live horizon: time newer than it is read by every query anyway.
	Live time.Duration
	// Every is the pause between passes once the backfill is done: each pass reads
	// what settled since and what the cache let expire.
	Every time.Duration
	// Retry is the pause after a failed read.
	Retry time.Duration
	Turn  Turn
	Now   func() time.Time
	Log   log.Logger
}

// step is the time one background read covers: a day, so that the backfill goes
// newest first and a query finds whole days done.
const step = 24 * time.Hour

// chunk aligns what the keeper reads to the cache's chunks.
const chunk = 15 * time.Minute

// Keeper runs the background reads of one data source.
type Keeper struct {
	cfg    Config
	cancel context.CancelFunc
	done   sync.WaitGroup

	mu     sync.Mutex
	status map[lane]*Progress
}

type lane struct{ bot, endpoint string }

// Progress is how far back one bot's endpoint is kept.
type Progress struct {
	Bot, Endpoint string
	// CompleteFrom is the oldest time from which the store holds everything up to
	// the settled edge; zero until the newest day is read.
	CompleteFrom time.Time
	// Goal is where the backfill ends.
	Goal     time.Time
	Requests int
	Passes   int
	LastErr  string
	// Skipped is set while another replica keeps this bot.
	Skipped bool
}

// Done reports whether the backfill reached its goal.
func (p Progress) Done() bool { return !p.CompleteFrom.IsZero() && !p.CompleteFrom.After(p.Goal) }

// Start begins keeping every bot's both endpoints; Stop ends it.
func Start(cfg Config) *Keeper {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Every <= 0 {
		cfg.Every = 5 * time.Minute
	}
	if cfg.Retry <= 0 {
		cfg.Retry = 30 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = log.DefaultLogger
	}
	ctx, cancel := context.WithCancel(context.Background())
	k := &Keeper{cfg: cfg, cancel: cancel, status: map[lane]*Progress{}}
	var lanes []lane
	for _, bot := range cfg.Bots {
		for _, ep := range []string{exportapi.EndpointConversations, exportapi.EndpointMessages} {
			l := lane{bot, ep}
			k.status[l] = &Progress{Bot: bot, Endpoint: ep}
			lanes = append(lanes, l)
		}
	}
	for _, l := range lanes {
		k.done.Add(1)
		go k.keep(ctx, l)
	}
	return k
}

// Stop ends the background reads and waits for them.
func (k *Keeper) Stop() {
	k.cancel()
	k.done.Wait()
}

// Status returns the progress of every bot and endpoint.
func (k *Keeper) Status() []Progress {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]Progress, 0, len(k.status))
	for _, b := range k.cfg.Bots {
		for _, ep := range []string{exportapi.EndpointConversations, exportapi.EndpointMessages} {
			if p, ok := k.status[lane{b, ep}]; ok {
				out = append(out, *p)
			}
		}
	}
	return out
}

// Requests is how many API requests the background reads made.
func (k *Keeper) Requests() int {
	n := 0
	for _, p := range k.Status() {
		n += p.Requests
	}
	return n
}

func (k *Keeper) update(l lane, fn func(*Progress)) {
	k.mu.Lock()
	fn(k.status[l])
	k.mu.Unlock()
}

// keep runs passes over one bot's endpoint until stopped: each reads the kept
// days newest first, a day at a time.
func (k *Keeper) keep(ctx context.Context, l lane) {
	defer k.done.Done()
	ctx = exportapi.WithPriority(ctx, exportapi.NewBackground())
	for ctx.Err() == nil {
		pause := k.cfg.Every
		if k.cfg.Turn != nil && !k.cfg.Turn(ctx, l.bot) {
			k.update(l, func(p *Progress) { p.Skipped = true })
		} else if err := k.pass(ctx, l); err != nil && ctx.Err() == nil {
			k.cfg.Log.Warn("Keeping the recent past failed; retrying", "bot", l.bot, "endpoint", l.endpoint, "error", err)
			pause = k.cfg.Retry
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
}

// pass reads [now − Days, settled edge) a day at a time, newest first. Time the
// store holds costs nothing; time that settled since the last pass, or whose
// cache entry expired, is read.
func (k *Keeper) pass(ctx context.Context, l lane) error {
	now := k.cfg.Now()
	edge := timegrid.Floor(now.Add(-k.cfg.Live), chunk)
	goal := timegrid.Floor(now.Add(-time.Duration(k.cfg.Days)*24*time.Hour), chunk)
	k.update(l, func(p *Progress) {
		p.Goal, p.Skipped = goal, false
		// What an earlier pass completed stays complete: this pass only adds the
		// time that settled since. The goal moves forward with the clock.
		if !p.CompleteFrom.IsZero() && p.CompleteFrom.Before(goal) {
			p.CompleteFrom = goal
		}
	})
	for to := edge; to.After(goal); to = to.Add(-step) {
		from := to.Add(-step)
		if from.Before(goal) {
			from = goal
		}
		st, err := k.read(ctx, l, exportapi.Window{From: from, To: to})
		k.update(l, func(p *Progress) {
			p.Requests += st.Requests
			if err != nil {
				p.LastErr = err.Error()
				return
			}
			p.LastErr = ""
			if p.CompleteFrom.IsZero() || from.Before(p.CompleteFrom) {
				p.CompleteFrom = from
			}
		})
		if err != nil {
			return err
		}
	}
	k.update(l, func(p *Progress) { p.Passes++ })
	return nil
}

func (k *Keeper) read(ctx context.Context, l lane, w exportapi.Window) (fetch.Stats, error) {
	req := fetch.Request{Bot: l.bot, Window: w}
	switch l.endpoint {
	case exportapi.EndpointConversations:
		return k.cfg.Reader.Conversations(ctx, req, func([]exportapi.Conversation) {})
	case exportapi.EndpointMessages:
		return k.cfg.Reader.Messages(ctx, req, func([]exportapi.Message) {})
	}
	return fetch.Stats{}, errors.New(fmt.Sprint("unknown endpoint ", l.endpoint))
}
