package plugin

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Settings of the plugin process as a whole (not of one data source) come from
// grafana.ini's [plugin.agentx-export-datasource] section: Grafana hands each key
// of it to the plugin process as GF_PLUGIN_<KEY>, in every version. Grafana 12.4
// stopped passing the host's other environment variables to plugins (unless
// [plugins] forward_host_env_vars names the plugin), so those are read only as a
// fallback for older set-ups.
const (
	envCacheMB       = "GF_PLUGIN_CACHE_MB"        // cache_mb
	envMemoryLimitMB = "GF_PLUGIN_MEMORY_LIMIT_MB" // memory_limit_mb
	envStoreDir      = "GF_PLUGIN_STORE_DIR"       // store_dir
	envStoreMB       = "GF_PLUGIN_STORE_MB"        // store_mb
	legacyCacheMB    = "AGENTX_CACHE_MB"           // the host's, forwarded only up to 12.3
	// envDataPath is Grafana's data directory, which the official image sets;
	// 12.4 and later hand it to plugins only when forwarded.
	envDataPath = "GF_PATHS_DATA"
)

// DefaultStoreBytes is the disk cache's budget unless store_mb says otherwise.
const DefaultStoreBytes = 1 << 30

// storeDirName is the disk cache's directory inside Grafana's data directory.
const storeDirName = "agentx-export-datasource"

// ProcessSettings are the plugin process's own settings.
type ProcessSettings struct {
	// CacheBytes is the memory budget of the cache every data source shares.
	CacheBytes int64
	// MemoryLimitBytes is the Go runtime's soft memory limit; 0 derives it from the budget.
	MemoryLimitBytes int64
	// StoreDir is the disk cache's directory; StoreBytes its budget, 0 for no disk cache.
	StoreDir   string
	StoreBytes int64
	// Problems are values that could not be used; the defaults stand in for them.
	Problems []string
}

// ReadProcessSettings reads the process settings through getenv (os.Getenv).
func ReadProcessSettings(getenv func(string) string) ProcessSettings {
	ps := ProcessSettings{CacheBytes: DefaultCacheBytes, StoreBytes: DefaultStoreBytes}
	megabytes := func(key string) (int64, bool) {
		raw := strings.TrimSpace(getenv(key))
		if raw == "" {
			return 0, false
		}
		mb, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || mb < 0 || mb > 1<<20 {
			ps.Problems = append(ps.Problems, fmt.Sprintf("%s=%q is not a number of megabytes from 0 to 1048576", key, raw))
			return 0, false
		}
		return mb << 20, true
	}
	if b, ok := megabytes(envCacheMB); ok {
		ps.CacheBytes = b
	} else if b, ok := megabytes(legacyCacheMB); ok {
		ps.CacheBytes = b
	}
	if b, ok := megabytes(envMemoryLimitMB); ok {
		ps.MemoryLimitBytes = b
	}
	if b, ok := megabytes(envStoreMB); ok {
		ps.StoreBytes = b
	}
	ps.StoreDir = storeDir(getenv, os.Executable)
	return ps
}

// storeDir picks the disk cache's directory: store_dir when set; else inside
// Grafana's data directory, which the plugin finds from GF_PATHS_DATA (up to
// 12.3) or from its own place in <data>/plugins/<plugin>/ (the official image,
// and any install that keeps plugins under the data directory); else the user's
// cache directory, else the system's temporary one.
func storeDir(getenv func(string) string, executable func() (string, error)) string {
	if dir := strings.TrimSpace(getenv(envStoreDir)); dir != "" {
		return dir
	}
	if data := strings.TrimSpace(getenv(envDataPath)); data != "" {
		return filepath.Join(data, storeDirName)
	}
	if exe, err := executable(); err == nil {
		if plugins := filepath.Dir(filepath.Dir(exe)); filepath.Base(plugins) == "plugins" {
			return filepath.Join(filepath.Dir(plugins), storeDirName)
		}
	}
	if cache, err := os.UserCacheDir(); err == nil {
		return filepath.Join(cache, storeDirName)
	}
	return filepath.Join(os.TempDir(), storeDirName)
}
