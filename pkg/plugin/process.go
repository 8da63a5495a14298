package plugin

import (
	"fmt"
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
	legacyCacheMB    = "AGENTX_CACHE_MB"           // the host's, forwarded only up to 12.3
)

// ProcessSettings are the plugin process's own settings.
type ProcessSettings struct {
	// CacheBytes is the memory budget of the cache every data source shares.
	CacheBytes int64
	// MemoryLimitBytes is the Go runtime's soft memory limit; 0 derives it from the budget.
	MemoryLimitBytes int64
	// Problems are values that could not be used; the defaults stand in for them.
	Problems []string
}

// ReadProcessSettings reads the process settings through getenv (os.Getenv).
func ReadProcessSettings(getenv func(string) string) ProcessSettings {
	ps := ProcessSettings{CacheBytes: DefaultCacheBytes}
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
	return ps
}
