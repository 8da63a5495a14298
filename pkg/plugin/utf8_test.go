package plugin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
)

// hostileUTF8 is an Export API that puts bytes that are not UTF-8 wherever it
// can, chosen by the bot asked for: an error body, a redirect's Location header,
// and the text of records.
func hostileUTF8(t *testing.T) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// One record half an hour before testNow, to the request whose window
		// holds it (a read split into legs still sees it once).
		var start, end int64
		_, _ = fmt.Sscan(r.URL.Query().Get("start_time"), &start)
		_, _ = fmt.Sscan(r.URL.Query().Get("end_time"), &end)
		at := testNow.Add(-30 * time.Minute).Unix()
		held := start <= at && at < end
		switch r.URL.Query().Get("bot_name") {
		case "bad-body":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("{\"message\":\"bad \xff\xfe\"}"))
		case "bad-header":
			w.Header().Set("Location", "http://evil\xff\xfe.example/x")
			w.WriteHeader(http.StatusFound)
		default:
			w.Header().Set("Content-Type", "application/json")
			if strings.HasSuffix(r.URL.Path, "/messages") {
				if !held {
					_, _ = fmt.Fprint(w, `{"data":[],"cursor":null}`)
					return
				}
				_, _ = fmt.Fprintf(w, "{\"data\":[{\"_id\":\"m\xff1\",\"time\":%d,\"type\":\"UserInput\",\"userInput\":\"hi \xfe there\",\"conversationId\":\"c\xff0\",\"userActionType\":\"t\xff\"}],\"cursor\":null}", at+1)
				return
			}
			if !held {
				_, _ = fmt.Fprint(w, `{"data":[],"cursor":null}`)
				return
			}
			_, _ = fmt.Fprintf(w, "{\"data\":[{\"_id\":\"c\xff0\",\"startTime\":%d,\"locale\":\"en\xff\",\"tags\":[\"t\xfe\"],\"metadata\":{\"k\xff\":\"v\xfe\"},\"userMessageCount\":2}],\"cursor\":null}", at)
		}
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// TestBytesThatAreNotUTF8NeverBreakTheAnswer: bytes from upstream that are not
// UTF-8 (in an error body, a header, a record's text) reach Grafana over gRPC as
// valid text; every other query of the request and the health check still answer.
func TestBytesThatAreNotUTF8NeverBreakTheAnswer(t *testing.T) {
	testparallel.BesideWaiting(t)
	url := hostileUTF8(t)
	from, to := testNow.Add(-time.Hour), testNow
	for _, bot := range []string{"bad-body", "bad-header", "records"} {
		is := instanceSettings(url, map[string]any{"defaultBot": bot, "cacheMinutes": 0}, testKey)
		is.UID, is.ID = "utf8-"+bot, int64(len(bot))+300
		src := overGRPC(t, is)

		health, err := src.health(t.Context())
		if err != nil {
			t.Fatalf("%s: health check lost: %v", bot, err)
		}
		if !utf8.ValidString(health.Message) {
			t.Fatalf("%s: health message %q", bot, health.Message)
		}
		resp, err := src.query(t.Context(),
			dataQuery("C", "conversations", from, to, map[string]any{}),
			dataQuery("M", "messages", from, to, map[string]any{}),
			dataQuery("T", "transcript", from, to, map[string]any{}),
			dataQuery("V", "conversationVolume", from, to, map[string]any{"groupBy": "tag", "bucket": "1h"}),
			dataQuery("K", "conversationCounts", from, to, map[string]any{"groupBy": "metadata", "metadataKey": "k\xff"}),
			dataQuery("L", "values", from, to, map[string]any{"field": "locale"}),
		)
		if err != nil {
			t.Fatalf("%s: the whole answer was lost: %v", bot, err)
		}
		for ref, r := range resp.Responses {
			switch {
			case bot == "records" && r.Error != nil:
				t.Errorf("%s %s: %v", bot, ref, r.Error)
			case bot != "records" && r.Error == nil:
				t.Errorf("%s %s: no error", bot, ref)
			case r.Error != nil && !utf8.ValidString(r.Error.Error()):
				t.Errorf("%s %s: error %q", bot, ref, r.Error.Error())
			}
			if ref == "C" && r.Error != nil {
				t.Logf("%s: %v", bot, r.Error)
			}
			if bot == "bad-body" && r.Error != nil && !strings.Contains(r.Error.Error(), "bad") {
				t.Errorf("%s %s: the API's message is lost: %v", bot, ref, r.Error)
			}
			for _, f := range r.Frames {
				checkValidText(t, bot+" "+ref, f)
			}
		}
		if bot == "records" && resp.Responses["C"].Frames[0].Rows() != 1 {
			t.Errorf("conversations: %d rows, want the one record", resp.Responses["C"].Frames[0].Rows())
		}
	}
}

// checkValidText fails on any text of a frame that is not valid UTF-8.
func checkValidText(t *testing.T, who string, f *data.Frame) {
	t.Helper()
	raw, err := json.Marshal(f.Meta)
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{f.Name, string(raw)}
	for _, fl := range f.Fields {
		texts = append(texts, fl.Name, fl.Labels.String())
		if fl.Config != nil {
			texts = append(texts, fl.Config.DisplayNameFromDS)
		}
		for i := 0; i < fl.Len(); i++ {
			switch v := fl.At(i).(type) {
			case string:
				texts = append(texts, v)
			case *string:
				if v != nil {
					texts = append(texts, *v)
				}
			case json.RawMessage:
				texts = append(texts, string(v))
			case *json.RawMessage:
				if v != nil {
					texts = append(texts, string(*v))
				}
			}
		}
	}
	for _, s := range texts {
		if !utf8.ValidString(s) {
			t.Errorf("%s: frame %s holds text that is not UTF-8: %q", who, f.Name, s)
		}
	}
}
