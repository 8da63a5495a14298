//go:build linux

package hostwatch

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The test runs this binary twice more: a parent that starts a watcher and is
// then killed, and the watcher, which writes a file when it sees its parent gone.
const (
	envRole   = "HOSTWATCH_TEST_ROLE"
	envMarker = "HOSTWATCH_TEST_MARKER"
)

func TestRole(t *testing.T) {
	switch os.Getenv(envRole) {
	case "parent":
		cmd := exec.Command(os.Args[0], "-test.run=^TestRole$")
		cmd.Env = append(os.Environ(), envRole+"=watcher")
		cmd.Stdout = os.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Alive until the test kills it. (Not select{}: with nothing else
		// left to run, the runtime ends such a process at once as deadlocked,
		// and a watcher that read its parent id only after that found init,
		// which it does not watch.)
		time.Sleep(2 * time.Minute)
		os.Exit(1)
	case "watcher":
		// Only the poll: what a system without a parent-death signal has.
		deathSignal = nil
		Watch(func() {
			_ = os.WriteFile(os.Getenv(envMarker), []byte("gone"), 0o600)
			os.Exit(0)
		})
		fmt.Println("WATCHING")
		time.Sleep(2 * time.Minute)
		os.Exit(1)
	default:
		t.Skip("runs only as a child")
	}
}

// TestThePollNoticesTheParentIsGone kills a watcher's parent with SIGKILL: the
// watcher's poll of its parent id calls gone, with no signal to help it.
func TestThePollNoticesTheParentIsGone(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "gone")
	parent := exec.Command(os.Args[0], "-test.run=^TestRole$")
	parent.Env = append(os.Environ(), envRole+"=parent", envMarker+"="+marker)
	out, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = parent.Process.Kill(); _ = parent.Wait() })
	watching := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "WATCHING") {
				watching <- true
			}
		}
	}()
	select {
	case <-watching:
	case <-time.After(60 * time.Second):
		t.Fatal("the watcher did not start within a minute")
	}
	if err := parent.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = parent.Wait()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(marker); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the watcher did not notice within a minute that its parent was killed")
		}
	}
}
