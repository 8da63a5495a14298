//go:build linux

package plugin

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// envHost makes this test binary a stand-in for Grafana: it starts a plugin
// process (TestPluginProcess), says the plugin's pid, and waits to be killed.
const envHost = "AGENTX_TEST_HOST"

// TestHostProcess is the stand-in host's body; in an ordinary run it does nothing.
func TestHostProcess(t *testing.T) {
	if os.Getenv(envHost) == "" {
		t.Skip("runs only as a stand-in host process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPluginProcess$", "-test.v")
	cmd.Env = append(os.Environ(), envHost+"=")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("PLUGIN PID %d\n", cmd.Process.Pid)
	select {} // until the test kills this process
}

// TestThePluginExitsWhenItsHostIsKilled starts a plugin process under a stand-in
// host, has it open its disk store, then kills the host with SIGKILL, as an
// out-of-memory killer or an orchestrator would: the plugin must exit, and leave
// the store's file closed and its lock free for the next plugin process.
func TestThePluginExitsWhenItsHostIsKilled(t *testing.T) {
	_, url := startSim(t, simulator.Faults{})
	dir := t.TempDir()
	host := exec.Command(os.Args[0], "-test.run=^TestHostProcess$", "-test.v")
	host.Env = append(os.Environ(), envHost+"=1", envChild+"=1", "GF_PLUGIN_STORE_DIR="+dir, "GF_PLUGIN_STORE_MB=16")
	host.Stderr = os.Stderr
	out, err := host.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = host.Process.Kill(); _ = host.Wait() })
	pids, ready := make(chan int, 1), make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if rest, ok := strings.CutPrefix(line, "PLUGIN PID "); ok {
				pid, _ := strconv.Atoi(rest)
				pids <- pid
			}
			if addr, ok := servingAt(line); ok {
				ready <- addr
			}
		}
	}()
	var pid int
	select {
	case pid = <-pids:
	case <-time.After(60 * time.Second):
		t.Fatal("the host did not start the plugin within a minute")
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	var addr string
	select {
	case addr = <-ready:
	case <-time.After(60 * time.Second):
		t.Fatal("the plugin did not serve within a minute")
	}
	p := &pluginProcess{}
	p.connect(t, addr)
	// The first data source opens the store; a query writes to it.
	if h := p.health(t, instanceSettings(url, nil, testKey)); h.Message == "" {
		t.Fatal("no health answer")
	}
	path := filepath.Join(dir, diskcache.FileName)
	if db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 100 * time.Millisecond}); !errors.Is(err, bolterrors.ErrTimeout) {
		if db != nil {
			_ = db.Close()
		}
		t.Fatalf("the plugin does not hold the store's lock: %v", err)
	}

	if err := host.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = host.Wait()
	deadline := time.Now().Add(60 * time.Second)
	for running(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("the plugin process %d still runs a minute after its host was killed", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("the store cannot be opened after the plugin exited: %v", err)
	}
	_ = db.Close()
}

// running reports whether the process pid exists and has not ended; one that
// ended and waits for its new parent to reap it (a zombie) has ended.
func running(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || (s[i+2] != 'Z' && s[i+2] != 'X')
}
