// Package redistest runs a real redis-server for tests: on 127.0.0.1, on a free
// port, without persistence, stopped when the test ends.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Server is a real redis-server on 127.0.0.1, on a port of its own, that a test
// can kill and start again on the same port.
type Server struct {
	port     int
	password string
	extra    []string // more redis-server arguments, as StartWith was given them
	cmd      *exec.Cmd
}

// Start starts a server for the test; it fails the test when redis-server is
// not installed (scripts/check installs it).
func Start(t testing.TB) *Server { return StartWithPassword(t, "") }

// StartWithPassword starts a server that asks for a password (requirepass).
func StartWithPassword(t testing.TB, password string) *Server {
	t.Helper()
	return start(t, password, nil)
}

// StartWith starts a server with more redis-server arguments, such as
// "--maxmemory", "1mb"; they apply to its restarts too.
func StartWith(t testing.TB, args ...string) *Server {
	t.Helper()
	return start(t, "", args)
}

func start(t testing.TB, password string, extra []string) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server is not installed; scripts/check installs it (apt-get install redis-server)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &Server{port: ln.Addr().(*net.TCPAddr).Port, password: password, extra: extra}
	_ = ln.Close()
	r.Start(t)
	t.Cleanup(r.Kill)
	return r
}

// URL is the server's redis:// URL.
func (r *Server) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// Start starts the server again on its port.
func (r *Server) Start(t testing.TB) {
	t.Helper()
	args := []string{"--port", fmt.Sprint(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"}
	if r.password != "" {
		args = append(args, "--requirepass", r.password)
	}
	args = append(args, r.extra...)
	r.cmd = exec.Command("redis-server", args...)
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if r.ping() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("redis-server did not answer within 30 s")
}

func (r *Server) ping() bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", r.port), time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	// A server with a password answers PING with NOAUTH: it is up all the same.
	return err == nil && (strings.HasPrefix(line, "+PONG") || strings.HasPrefix(line, "-NOAUTH"))
}

// Kill stops the server at once, like a crash.
func (r *Server) Kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}
