package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/plugin"
)

// monthPerHour gives the month's bot about 30,000 conversations a day: the
// simulator's daily and weekly shape averages 0.756 of PerHour (30,000 / 24 / 0.756).
const monthPerHour = 1653

// monthEnd is the simulator's frozen clock by default: a fixed instant, so that a
// rerun on other code reads the same records.
const monthEnd = "2026-11-30T12:00:00Z"

// monthSettle ends the dashboard's range this long before the clock, so that all
// of it is settled: a refresh that costs requests then costs them for the store's
// sake, not for the live hour's.
const monthSettle = 2 * time.Hour

type monthConfig struct {
	days    []int
	perHour float64
	end     time.Time
	storeMB int
	// coldFill also fills a store with the default budget, as a first dashboard
	// does, and restarts on it.
	coldFill bool
}

// monthReport measures the month's goals: a simulator and each scenario in a
// process of its own, at each scale of days.
func monthReport(cfg monthConfig) {
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	maxDays := slices.Max(cfg.days)
	fmt.Printf("== a month of a busy bot: %.0f conversations/hour (about %.0f a day), frozen clock %s, the batch over days that end %s before it (all settled)\n",
		cfg.perHour, cfg.perHour*24*0.756, cfg.end.Format(time.RFC3339), monthSettle)
	fmt.Println("   no rate limit: the plugin reads at 100 requests/s against an unlimited simulator, so a fill takes a minute, not the half hour the API's 3/s would")
	fmt.Printf("   load average at start: %s\n", loadAverage())

	simArgs := []string{"-month-serve-simulator", "127.0.0.1:0", "-month-per-hour", fmt.Sprint(cfg.perHour),
		"-month-sim-days", strconv.Itoa(maxDays + 1), "-month-end", cfg.end.Format(time.RFC3339)}
	sim := exec.Command(self, simArgs...)
	out, err := sim.StdoutPipe()
	if err != nil {
		log.Fatal(err)
	}
	sim.Stderr = os.Stderr
	if err := sim.Start(); err != nil {
		log.Fatal(err)
	}
	defer func() { _ = sim.Process.Kill(); _ = sim.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		log.Fatal(err)
	}
	url := strings.TrimSpace(strings.TrimPrefix(line, "ready "))

	dir, err := os.MkdirTemp("", "agentx-bench-month")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	to := cfg.end.Add(-monthSettle)
	base := monthChildArgs{URL: url, To: to, Now: cfg.end, StoreDir: dir, StoreMB: cfg.storeMB}
	start := time.Now()
	// The longest range goes first: its warm fill fills the store, which the
	// shorter ranges then read part of.
	order := slices.Clone(cfg.days)
	slices.SortFunc(order, func(a, b int) int { return b - a })
	var scales []monthScale
	var store monthResult
	for _, days := range order {
		a := base
		a.From = to.Add(-time.Duration(days) * 24 * time.Hour)
		a.Records = simRecords(url, a.From, a.To)
		child := func(scenario string) monthResult {
			a := a
			a.Scenario = scenario
			return runMonthProcess(self, a)
		}
		s := monthScale{days: days}
		n := a.Records
		fmt.Printf("\n-- %d days: %d conversations, %d messages (%d records)\n", days, n.Conversations, n.Messages, n.Conversations+n.Messages)
		scenario := scenarioWarm
		if days == maxDays {
			scenario = scenarioWarmStore
			fmt.Printf("-- %d days, warm: everything in memory and in a disk store (%d MB), then the batch from memory\n", days, cfg.storeMB)
		} else {
			fmt.Printf("-- %d days, warm: everything in memory, then the batch from memory\n", days)
		}
		s.warm = child(scenario)
		printWarm(s.warm)
		if days == maxDays {
			store = s.warm
			printStore(store)
		}
		fmt.Printf("-- %d days, from the store with a 16 MB memory cache (after a restart)\n", days)
		s.disk = child(scenarioDisk)
		printDisk(s.disk)
		fmt.Printf("-- %d days, a restart on the kept store with the default %d MB budget: the batch, then 3 refreshes\n",
			days, plugin.DefaultCacheBytes>>20)
		s.restart = child(scenarioRestart)
		printRestart(s.restart)
		scales = append(scales, s)
	}
	if cfg.coldFill {
		a := base
		a.From = to.Add(-time.Duration(maxDays) * 24 * time.Hour)
		a.Records = simRecords(url, a.From, a.To)
		monthColdFill(self, a)
	}
	fmt.Printf("\n   load average at the end: %s; the month took %.0fs\n", loadAverage(), time.Since(start).Seconds())
	slices.Reverse(scales)
	printGrowth(scales)
	printGoals(scales[len(scales)-1], store)
}

// monthColdFill sends the batch cold with the default budget into an empty
// store, then restarts on what it kept.
func monthColdFill(self string, a monthChildArgs) {
	dir, err := os.MkdirTemp("", "agentx-bench-month-cold")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	a.StoreDir = dir
	days := int(a.To.Sub(a.From).Hours() / 24)
	fmt.Printf("\n-- %d days cold with the default %d MB budget into an empty store, as a first dashboard\n", days, plugin.DefaultCacheBytes>>20)
	a.Scenario = scenarioColdStore
	r := runMonthProcess(self, a)
	fmt.Printf("   %d upstream requests, %.1fs, %.1f CPU-s; peak RSS %s\n", r.BatchRequests[0], r.BatchWall.Seconds(), r.BatchCPUs[0].Seconds(), peaks(r))
	printStore(r)
	fmt.Printf("-- %d days, a restart on that store with the default budget: the batch, then 3 refreshes\n", days)
	a.Scenario = scenarioRestart
	printRestart(runMonthProcess(self, a))
}

type monthScale struct {
	days                int
	warm, disk, restart monthResult
}

// runMonthProcess runs one scenario in a child process, passes its lines on and
// returns its result.
func runMonthProcess(self string, a monthChildArgs) monthResult {
	cmd := exec.Command(self, "-month-child", a.Scenario, "-month-url", a.URL,
		"-month-from", a.From.Format(time.RFC3339), "-month-to", a.To.Format(time.RFC3339),
		"-month-end", a.Now.Format(time.RFC3339), "-month-store", a.StoreDir, "-month-store-mb", strconv.Itoa(a.StoreMB),
		"-month-records", fmt.Sprintf("%d,%d", a.Records.Conversations, a.Records.Messages))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		log.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	var res monthResult
	found := false
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), resultPrefix); ok {
			if err := json.Unmarshal([]byte(rest), &res); err != nil {
				log.Fatal(err)
			}
			found = true
			continue
		}
		fmt.Println("   " + sc.Text())
	}
	if err := cmd.Wait(); err != nil || !found {
		log.Fatalf("scenario %s: %v", a.Scenario, err)
	}
	return res
}

func perCPU(records int64, cpu time.Duration) float64 {
	return float64(records) / cpu.Seconds()
}

func millions(v float64) string { return fmt.Sprintf("%.2fM", v/1e6) }

func printTypes(ts []typeFigure) {
	for _, t := range ts {
		fmt.Printf("   %-70s %8d records, %6.3f CPU-s = %7s/CPU-s, %d requests\n", t.Panel, t.Records, t.CPU.Seconds(),
			millions(perCPU(t.Records, t.CPU)), t.Requests)
	}
}

func printWarm(r monthResult) {
	n := r.Records
	fmt.Printf("   %d conversations, %d messages; per record held: RSS %.0f B (conversation %.0f, message %.0f), heap %.0f B (%.0f, %.0f), the cache's estimate %.0f B; %d evicted\n",
		n.Conversations, n.Messages, r.RSSPerRecord, r.RSSPerConv, r.RSSPerMsg, r.HeapPerRecord, r.HeapPerConv, r.HeapPerMsg, r.CachePerRecord, r.Evicted)
	fmt.Println("   each type alone, the best of 3:")
	printTypes(r.Types)
	fmt.Printf("   the batch at once, the best of 3: %d records, %.3f CPU-s = %s/CPU-s, %.2fs wall; upstream requests %v; peak RSS %s\n",
		r.BatchRecords, r.BatchCPU.Seconds(), millions(perCPU(r.BatchRecords, r.BatchCPU)), r.BatchWall.Seconds(), r.BatchRequests, peaks(r))
}

func printStore(r monthResult) {
	records := float64(r.Records.Conversations + r.Records.Messages)
	fmt.Printf("   disk: %d segments; bbolt file %.0f MB = %.1f B per record; values %.0f MB = %.1f B per record\n",
		r.StoreSegments, float64(r.FileBytes)/(1<<20), float64(r.FileBytes)/records, float64(r.ValueBytes)/(1<<20), float64(r.ValueBytes)/records)
}

func printDisk(r monthResult) {
	fmt.Println("   each type alone, in turn:")
	printTypes(r.Types)
	fmt.Printf("   then the batch at once: %d records, %.2f CPU-s = %s/CPU-s, %.1fs wall, %d upstream requests; peak RSS %s\n",
		r.BatchRecords, r.BatchCPU.Seconds(), millions(perCPU(r.BatchRecords, r.BatchCPU)), r.BatchWall.Seconds(), r.BatchRequests[0], peaks(r))
}

// peaks says the kernel's high-water mark and the sampled peaks of its parts.
func peaks(r monthResult) string {
	return fmt.Sprintf("%d MB (sampled: anonymous %d MB, the store's file pages %d MB)", r.PeakRSSMB, r.PeakAnonMB, r.PeakFileMB)
}

func printRestart(r monthResult) {
	for i, reqs := range r.BatchRequests {
		what := "first batch after the restart"
		if i > 0 {
			what = fmt.Sprintf("refresh %d", i)
		}
		fmt.Printf("   %-30s %5d upstream requests, %6.2f CPU-s = %s records/CPU-s\n", what, reqs, r.BatchCPUs[i].Seconds(),
			millions(perCPU(r.BatchRecords, r.BatchCPUs[i])))
	}
	fmt.Printf("   peak RSS %s (the promise: %d MB + 88 MB = %d MB)\n", peaks(r), plugin.DefaultCacheBytes>>20, plugin.DefaultCacheBytes>>20+88)
}

// printGrowth shows how CPU and memory follow the records.
func printGrowth(scales []monthScale) {
	fmt.Println("\n== growth with the records")
	fmt.Println("| days | records | × | warm batch CPU-s | from disk batch CPU-s | restart batch CPU-s | RSS per record held | peak RSS warm | peak RSS from disk (16 MB) | peak RSS after restart (256 MB), anonymous |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	first := float64(scales[0].warm.Records.Conversations + scales[0].warm.Records.Messages)
	for _, s := range scales {
		n := float64(s.warm.Records.Conversations + s.warm.Records.Messages)
		fmt.Printf("| %d | %.0f | %.1f | %.3f | %.2f | %.2f | %.0f B | %d MB | %d MB | %d MB, %d MB |\n", s.days, n, n/first,
			s.warm.BatchCPU.Seconds(), s.disk.BatchCPU.Seconds(), s.restart.BatchCPUs[0].Seconds(), s.warm.RSSPerRecord,
			s.warm.PeakRSSMB, s.disk.PeakRSSMB, s.restart.PeakRSSMB, s.restart.PeakAnonMB)
	}
}

// printGoals prints the goals table's rows for the longest range.
func printGoals(s monthScale, store monthResult) {
	fmt.Printf("\n== goals, %d days\n", s.days)
	fmt.Println("| measure | measured | goal |")
	fmt.Println("|---|---|---|")
	fmt.Printf("| RSS per cached record (memory tier, all fields) | %.0f B (conversation %.0f, message %.0f) | ≤ 120 B |\n",
		s.warm.RSSPerRecord, s.warm.RSSPerConv, s.warm.RSSPerMsg)
	fmt.Printf("| warm batch, records aggregated per CPU-second | %s | ≥ 50M |\n", millions(perCPU(s.warm.BatchRecords, s.warm.BatchCPU)))
	slowest := slices.MinFunc(s.warm.Types, func(a, b typeFigure) int {
		return cmp.Compare(perCPU(a.Records, a.CPU), perCPU(b.Records, b.CPU))
	})
	fmt.Printf("| slowest type warm (%s) | %s/CPU-s | ≥ 30M/CPU-s |\n", slowest.Panel, millions(perCPU(slowest.Records, slowest.CPU)))
	fmt.Printf("| served from disk, memory cold, records per CPU-second | %s (batch at once; types alone %s–%s) | ≥ 10M |\n",
		millions(perCPU(s.disk.BatchRecords, s.disk.BatchCPU)), millions(minRate(s.disk.Types)), millions(maxRate(s.disk.Types)))
	refreshes := s.restart.BatchRequests[1:]
	fmt.Printf("| refresh with the default 256 MB budget, store kept: upstream requests | %v (the first batch after the restart: %d) | 0 |\n",
		refreshes, s.restart.BatchRequests[0])
	fmt.Printf("| peak RSS with the default budget, after a restart | %d MB (anonymous %d MB, the store's file pages %d MB) | ≤ 344 MB |\n",
		s.restart.PeakRSSMB, s.restart.PeakAnonMB, s.restart.PeakFileMB)
	records := float64(store.Records.Conversations + store.Records.Messages)
	fmt.Printf("| disk bytes per record | %.1f B (bbolt file; values %.1f B) | ≤ 60 B |\n",
		float64(store.FileBytes)/records, float64(store.ValueBytes)/records)
}

func minRate(ts []typeFigure) float64 {
	return slices.Min(rates(ts))
}

func maxRate(ts []typeFigure) float64 {
	return slices.Max(rates(ts))
}

func rates(ts []typeFigure) []float64 {
	out := make([]float64, len(ts))
	for i, t := range ts {
		out[i] = perCPU(t.Records, t.CPU)
	}
	return out
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

func parseRecords(s string) monthRecords {
	var n monthRecords
	if _, err := fmt.Sscanf(s, "%d,%d", &n.Conversations, &n.Messages); err != nil {
		log.Fatalf("-month-records: %v", err)
	}
	return n
}

func parseDays(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			log.Fatalf("-month-days: %q is not a whole number of days", f)
		}
		out = append(out, n)
	}
	return out
}
