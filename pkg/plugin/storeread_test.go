package plugin

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestADiskRangeLargerThanMemoryIsAnsweredFromDisk: a plugin process reads a
// settled range whose records are several times an 8 MB memory budget and is
// killed; a new process with that budget on the same store answers the range
// twice exactly, without one upstream request, within the budget + 88 MB. The
// first process has the default budget, or the same 8 MB: a cold read under a
// small budget stores all it reads.
func TestADiskRangeLargerThanMemoryIsAnsweredFromDisk(t *testing.T) {
	testparallel.Waits(t) // its own simulators and processes
	// About 17,000 conversations and 100,000 messages: some 55 MB as records,
	// 1.4 times the budget even as columns. (A budget and a range twice these
	// test the same at twice the CPU.)
	// Both sizes read the same records (the dataset only hands them out, and
	// makes each hour once); each has a server of its own, whose requests it counts.
	data := simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210"}, Days: 8, PerHour: 100, Seed: 20})
	for _, fillMB := range []int{0, 8} {
		t.Run(fmt.Sprintf("filled with %d MB", fillMB), func(t *testing.T) {
			t.Parallel()
			answeredFromDisk(t, data, fillMB)
		})
	}
}

func answeredFromDisk(t *testing.T, data *simulator.Dataset, fillMB int) {
	const cacheMB = 8
	sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: -1})
	url := startServer(t, sim)
	dir := t.TempDir()
	to := time.Now().Add(-3 * time.Hour).Truncate(15 * time.Minute)
	from := to.Add(-7 * 24 * time.Hour)
	qs := []backend.DataQuery{
		dataQuery("volume", "conversationVolume", from, to, map[string]any{"bucket": "1h", "groupBy": "locale"}),
		dataQuery("messages", "messageVolume", from, to, map[string]any{"bucket": "1d", "groupBy": "type"}),
		dataQuery("userMessages", "userMessages", from, to, map[string]any{"stat": "p90", "bucket": "6h"}),
	}
	is := instanceSettings(url, nil, testKey)
	env := []string{"GF_PLUGIN_STORE_DIR=" + dir}
	if fillMB > 0 {
		env = append(env, "GF_PLUGIN_CACHE_MB="+strconv.Itoa(fillMB))
	}
	first := startPluginProcess(t, env...)
	want := answersOf(t, "first process", first.query(t, is, qs))
	first.kill()
	c := sim.Counts()
	if c.Messages < 75 {
		t.Fatalf("the range is %d message pages: too small to outgrow the memory budget", c.Messages)
	}
	t.Logf("the first process read %d conversation and %d message pages", c.Conversations, c.Messages)

	second := startPluginProcess(t, "GF_PLUGIN_STORE_DIR="+dir, "GF_PLUGIN_CACHE_MB="+strconv.Itoa(cacheMB))
	// The limit below is on the whole process; what the process holds before
	// its first query (the test binary serving as the plugin) is logged beside it.
	t.Logf("RSS of the restarted process before its first query: %d MB", vmHWM(t, second.cmd.Process.Pid)>>20)
	records := len(data.Conversations("r3-218210", from, to)) + 2*len(data.Messages("r3-218210", from, to, ""))
	for i := range 2 {
		before := sim.Counts()
		start := cpuSeconds(t, second.cmd.Process.Pid)
		resp := second.query(t, is, qs)
		cpu := cpuSeconds(t, second.cmd.Process.Pid) - start
		sameAnswers(t, fmt.Sprintf("answer %d after the restart", i+1), answersOf(t, "second process", resp), want)
		after := sim.Counts()
		if n := after.Conversations + after.Messages - before.Conversations - before.Messages; n != 0 {
			t.Fatalf("answer %d after the restart cost %d upstream requests, want 0", i+1, n)
		}
		t.Logf("answer %d: %d records in %.2f CPU-s of the plugin process", i+1, records, cpu)
	}
	peak := vmHWM(t, second.cmd.Process.Pid)
	t.Logf("peak RSS of the restarted process: %d MB", peak>>20)
	if limit := int64(cacheMB+88) << 20; peak > limit*raceMemoryFactor {
		t.Fatalf("peak RSS %d MB, over the budget + 88 MB (%d MB, ×%d under -race)", peak>>20, limit>>20, raceMemoryFactor)
	}
}

// vmHWM is a process's peak resident set size, in bytes.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}

// cpuSeconds is the user and system CPU a process has used.
func cpuSeconds(t *testing.T, pid int) float64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// The fields after the command name, which is in parentheses and may hold spaces.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, err1 := strconv.ParseFloat(fields[11], 64)
	stime, err2 := strconv.ParseFloat(fields[12], 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("unreadable /proc stat: %s", b)
	}
	return (utime + stime) / 100 // clock ticks: 100 a second on Linux
}
