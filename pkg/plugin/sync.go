package plugin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/history"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/opaque"
)

// startSync starts keeping the recent past of the data source's bots, once: from
// the first query or health check after the instance was created, so a data
// source nobody uses costs nothing.
func (d *Datasource) startSync() {
	if d.settingsErr != nil || d.settings.SyncDays <= 0 || d.settings.CacheMinutes <= 0 {
		return
	}
	d.syncOnce.Do(func() {
		d.syncMu.Lock()
		defer d.syncMu.Unlock()
		if d.disposed {
			return
		}
		every := d.opts.SyncEvery
		if every <= 0 {
			every = 5 * time.Minute
		}
		cfg := history.Config{
			Reader: d.source, Bots: d.settings.KnownBots(), Days: d.settings.SyncDays,
			Live: time.Duration(d.settings.LiveMinutes) * time.Minute, Every: every, Now: d.now, Log: d.logger,
		}
		if d.opts.SyncRetry > 0 {
			cfg.Retry = d.opts.SyncRetry
		}
		if d.shared != nil {
			cfg.Turn = d.syncTurn(2 * every)
		}
		d.keeper = history.Start(cfg)
	})
}

// syncTurn lets one replica at a time keep a bot when replicas share a Redis: a
// lease on the bot's sync lane, renewed at every pass. Should Redis fail, every
// replica keeps its bots; the exports' own leases still keep them from reading
// the same time twice.
func (d *Datasource) syncTurn(ttl time.Duration) history.Turn {
	// A random name per replica: two processes' addresses may coincide.
	var b [8]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	return func(ctx context.Context, bot string) bool {
		// As opaque as the exports' lanes: a Redis key must not name the bot or hash the key plainly.
		lane := opaque.Name(d.settings.APIKey, "sync", exportapi.Scope(d.settings.BaseURL), bot)
		mine := []fetch.Span{{From: time.Unix(0, 0), To: time.Unix(1, 0)}}
		taken, err := d.shared.Claim(ctx, lane, token, ttl, func(others []fetch.Span) []fetch.Span {
			if len(others) > 0 {
				return nil
			}
			return mine
		})
		return err != nil || len(taken) > 0
	}
}

// syncReport says per bot how far back the store is complete and what share of
// the requests the background reads used; empty when sync is off.
func (d *Datasource) syncReport() (string, map[string]any) {
	d.syncMu.Lock()
	k := d.keeper
	d.syncMu.Unlock()
	if k == nil {
		return "", nil
	}
	var parts []string
	bots := map[string]any{}
	for _, p := range k.Status() {
		state := "not read yet"
		switch {
		case p.Skipped:
			state = "kept up to date by another Grafana server (replica)"
		case p.Done():
			state = fmt.Sprintf("complete for the last %d days", d.settings.SyncDays)
		case !p.CompleteFrom.IsZero():
			state = "complete back to " + p.CompleteFrom.UTC().Format("2 Jan 15:04 UTC")
		}
		if p.LastErr != "" {
			state += " (last read failed: " + p.LastErr + ")"
		}
		parts = append(parts, fmt.Sprintf("%s %s %s", quoteList([]string{p.Bot}), p.Endpoint, state))
		bots[p.Bot+"/"+p.Endpoint] = map[string]any{"completeFrom": p.CompleteFrom, "done": p.Done(), "requests": p.Requests, "error": p.LastErr}
	}
	traffic := exportapi.Traffic{}
	for _, lim := range []*exportapi.Limiter{d.lease.Conversations, d.lease.Messages} {
		t := lim.Traffic()
		traffic.Interactive += t.Interactive
		traffic.Background += t.Background
	}
	share := 0.0
	if total := traffic.Interactive + traffic.Background; total > 0 {
		share = float64(traffic.Background) / float64(total)
	}
	return fmt.Sprintf("Read ahead in the background, so that dashboards over the last %d days need not wait: %s. "+
			"Reading ahead made %.0f%% of this server's API requests so far; it may use up to %.0f%% of the rate limit, "+
			"and dashboard and alert queries always go first.",
			d.settings.SyncDays, strings.Join(parts, "; "), 100*share, 100*d.settings.SyncShare),
		map[string]any{"days": d.settings.SyncDays, "bots": bots, "backgroundShare": share,
			"requests": map[string]int64{"background": traffic.Background, "interactive": traffic.Interactive}}
}
