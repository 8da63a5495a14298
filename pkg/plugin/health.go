package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/quote"
)

// healthWindow is how far back the health check looks for a conversation.
const healthWindow = 24 * time.Hour

// CheckHealth asks for one conversation of each configured bot. It tells a rejected
// key, an unknown bot and an unreachable API apart, and says what it found.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	r, err := d.checkHealth(ctx)
	return validHealth(r), err
}

func (d *Datasource) checkHealth(ctx context.Context) (*backend.CheckHealthResult, error) {
	d.startSync()
	if d.settingsErr != nil {
		// Grafana shows a failed health check from the result; an error would hide the message.
		return healthError(d.settingsErr.Error()), nil //nolint:nilerr
	}
	bots := d.settings.KnownBots()
	if len(bots) == 0 {
		return healthError("No bot is configured: set a default bot (the bot name or id of your AI agent) or list your bots."), nil
	}
	now := d.now()
	var found, quiet, unknown []string
	for _, bot := range bots {
		// Any record the API hands out for the window counts, not only those the
		// client's exact window keeps: the API is asked from the whole second before
		// the window, and its one record may lie in that second.
		st, err := d.client.Conversations(ctx, exportapi.Request{
			Bot: bot, Window: exportapi.Window{From: now.Add(-healthWindow), To: now}, PerPage: 1, MaxPages: 1,
		}, func([]exportapi.Conversation) error { return nil })
		switch exportapi.KindOf(err) {
		case 0:
			if st.RecordsRead > 0 {
				found = append(found, bot)
			} else {
				quiet = append(quiet, bot)
			}
		case exportapi.KindBotNotFound:
			unknown = append(unknown, bot)
		case exportapi.KindUnavailable, exportapi.KindTimeout:
			return healthError(fmt.Sprintf("Cannot reach the AgentX Export API at %s: %s.", d.settings.BaseURL, err)), nil
		default:
			return healthError(sentence(err.Error())), nil
		}
	}
	if len(unknown) > 0 {
		return healthError(fmt.Sprintf("The API key works, but the API does not know %s %s. Check the bot name or id.",
			plural(len(unknown), "bot", "bots"), quoteList(unknown))), nil
	}
	var parts []string
	if len(found) > 0 {
		parts = append(parts, fmt.Sprintf("%s %s %s conversations in the last 24 hours",
			plural(len(found), "Bot", "Bots"), quoteList(found), plural(len(found), "has", "have")))
	}
	if len(quiet) > 0 {
		parts = append(parts, fmt.Sprintf("%s %s %s no conversation in the last 24 hours",
			plural(len(quiet), "bot", "bots"), quoteList(quiet), plural(len(quiet), "has", "have")))
	}
	if len(found) == 0 {
		parts[0] = "B" + parts[0][1:] // "bot …" opens the sentence
	}
	if d.shared != nil {
		// The health check is where an operator looks after setting up Redis:
		// ask it now rather than report the last query's experience.
		_ = d.shared.Ping(ctx)
	}
	report := d.cacheReport()
	syncText, syncDetails := d.syncReport()
	details, _ := json.Marshal(map[string]any{"cache": report, "sync": syncDetails})
	msg := fmt.Sprintf("Connected to %s; the API key works. %s. %s", d.settings.BaseURL, strings.Join(parts, "; "), report.sentence())
	if syncText != "" {
		msg += " " + syncText
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: msg, JSONDetails: details}, nil
}

// sentence makes an error text, written to follow other words, stand alone.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func healthError(msg string) *backend.CheckHealthResult {
	return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: msg}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = quote.Text(s)
	}
	return strings.Join(q, ", ")
}
