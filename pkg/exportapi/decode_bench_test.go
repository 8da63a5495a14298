package exportapi

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// simulatorPage fetches one full page of the simulator's output without the network.
func simulatorPage(b *testing.B, path string) []byte {
	data := simulator.NewDataset(simulator.Config{Bots: []string{"bot"}, Days: 2, PerHour: 1500, Seed: 1, Now: func() time.Time { return testNow }})
	srv := simulator.NewServer(data, simulator.ServerConfig{APIKey: "k", RequestsPerSecond: -1})
	req := httptest.NewRequest(http.MethodGet, path+"?bot_name=bot&per_page=1000&start_time="+
		strconv.FormatInt(testNow.Add(-3*time.Hour).Unix(), 10)+"&end_time="+strconv.FormatInt(testNow.Unix(), 10), nil)
	req.Header.Set("x-api-key", "k")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("simulator answered %d", rec.Code)
	}
	return rec.Body.Bytes()
}

func benchmarkDecode[T any](b *testing.B, path string, decode func(io.Reader) (page[T], error)) {
	body := simulatorPage(b, path)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	records := 0
	for b.Loop() {
		p, err := decode(bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		records += len(p.records)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkDecodeConversationPage(b *testing.B) {
	benchmarkDecode(b, simulator.PathConversations, decodeConversationPage)
}

func BenchmarkDecodeMessagePage(b *testing.B) {
	benchmarkDecode(b, simulator.PathMessages, decodeMessagePage)
}
