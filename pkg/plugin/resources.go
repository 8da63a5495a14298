package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

var _ backend.CallResourceHandler = (*Datasource)(nil)

// resourceWindow is how far back the editors' pickers look for values. It reads
// through the shared cache, so opening an editor twice costs the live tail only.
const resourceWindow = 24 * time.Hour

// CallResource serves the editors: GET /bots and GET /values.
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bots", d.handleBots)
	mux.HandleFunc("GET /values", d.handleValues)
	return httpadapter.New(mux).CallResource(ctx, req, sender)
}

func (d *Datasource) handleBots(w http.ResponseWriter, _ *http.Request) {
	if d.settingsErr != nil {
		writeJSONError(w, http.StatusBadRequest, d.settingsErr.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"bots": nonNil(d.settings.KnownBots())})
}

// handleValues lists distinct values of field (tag, locale, metadataKey,
// metadataValue with metadataKey, messageType) for bot over the last hours (24).
func (d *Datasource) handleValues(w http.ResponseWriter, r *http.Request) {
	if d.settingsErr != nil {
		writeJSONError(w, http.StatusBadRequest, d.settingsErr.Error())
		return
	}
	p := r.URL.Query()
	window := resourceWindow
	if h := p.Get("hours"); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil || n < 1 || n > 24*31 {
			writeJSONError(w, http.StatusBadRequest, "hours must be a whole number from 1 to 744")
			return
		}
		window = time.Duration(n) * time.Hour
	}
	// bot may be repeated: the values of several bots (a multi-value variable).
	model, _ := json.Marshal(map[string]any{"bot": p["bot"], "field": p.Get("field"), "metadataKey": p.Get("metadataKey")})
	q, err := query.ParseWithBots(model, query.TypeValues, d.settings.DefaultBot, d.settings.KnownBots())
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	now := d.now()
	frames, _, err := answerValues(d, r.Context(), &q, exportapi.Window{From: now.Add(-window), To: now})
	if err != nil {
		status := http.StatusBadGateway
		var e *exportapi.Error
		if errors.As(err, &e) && e.Kind == exportapi.KindBotNotFound {
			status = http.StatusNotFound
		}
		writeJSONError(w, status, err.Error())
		return
	}
	values := []string{}
	field := frames[0].Fields[0]
	for i := 0; i < field.Len(); i++ {
		values = append(values, field.At(i).(string))
	}
	writeJSON(w, http.StatusOK, map[string]any{"values": values})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
