package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// The month's simulator runs in a process of its own, so that the plugin
// processes measured beside it pay nothing for the data it generates. Besides the
// Export API it answers two questions of the benchmark's own: how many requests it
// was asked (monthCountsPath) and how many records a window holds
// (monthRecordsPath), which the plugin's query statistics do not say for records
// answered from memory or disk.
const (
	monthCountsPath  = "/bench/counts"
	monthRecordsPath = "/bench/records"
)

// monthRecords is what a window of the month's bot holds.
type monthRecords struct {
	Conversations int
	Messages      int
}

// serveMonthSimulator serves the busy bot without the rate limit, on a clock
// frozen at end, so that every process of the benchmark sees the same records.
func serveMonthSimulator(addr string, perHour float64, days int, end time.Time) {
	data := simulator.NewDataset(simulator.Config{Bots: []string{bot}, Days: days, PerHour: perHour, Seed: 42,
		Now: func() time.Time { return end }})
	srv := simulator.NewServer(data, simulator.ServerConfig{APIKey: apiKey, RequestsPerSecond: -1})
	mux := http.NewServeMux()
	mux.HandleFunc(monthCountsPath, func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(srv.Counts())
	})
	mux.HandleFunc(monthRecordsPath, func(w http.ResponseWriter, r *http.Request) {
		from, err1 := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64)
		to, err2 := strconv.ParseInt(r.URL.Query().Get("to"), 10, 64)
		if err1 != nil || err2 != nil {
			http.Error(w, "from and to are Unix seconds", http.StatusBadRequest)
			return
		}
		f, t := time.Unix(from, 0).UTC(), time.Unix(to, 0).UTC()
		_ = json.NewEncoder(w).Encode(monthRecords{
			Conversations: len(data.Conversations(bot, f, t)),
			Messages:      len(data.Messages(bot, f, t, "")),
		})
	})
	mux.Handle("/", srv)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ready http://" + ln.Addr().String())
	log.Fatal(http.Serve(ln, mux))
}

// simCounts asks the month's simulator what it has been asked so far.
func simCounts(url string) simulator.Counts {
	var c simulator.Counts
	getJSON(url+monthCountsPath, &c)
	return c
}

// simRecords asks the month's simulator how many records [from, to) holds.
func simRecords(url string, from, to time.Time) monthRecords {
	var n monthRecords
	getJSON(fmt.Sprintf("%s%s?from=%d&to=%d", url, monthRecordsPath, from.Unix(), to.Unix()), &n)
	return n
}

func getJSON(url string, v any) {
	resp, err := http.Get(url) //nolint:gosec,noctx // the benchmark's own simulator on 127.0.0.1
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		log.Fatalf("%s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		log.Fatal(err)
	}
}

// requests is the simulator's count of requests of both endpoints since before.
func requestsSince(url string, before simulator.Counts) int64 {
	after := simCounts(url)
	return after.Conversations - before.Conversations + after.Messages - before.Messages
}
