package plugin

import (
	"strings"
	"testing"
)

func TestProcessSettingsComeFromThePluginSection(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if ps := ReadProcessSettings(env(nil)); ps.CacheBytes != DefaultCacheBytes || ps.MemoryLimitBytes != 0 || len(ps.Problems) != 0 {
		t.Fatalf("defaults: %+v", ps)
	}
	// [plugin.agentx-export-datasource] cache_mb = 512, memory_limit_mb = 700
	ps := ReadProcessSettings(env(map[string]string{"GF_PLUGIN_CACHE_MB": "512", "GF_PLUGIN_MEMORY_LIMIT_MB": " 700 ", "AGENTX_CACHE_MB": "64"}))
	if ps.CacheBytes != 512<<20 || ps.MemoryLimitBytes != 700<<20 {
		t.Fatalf("plugin section: %+v", ps)
	}
	// The host's variable still works where Grafana forwards it.
	if ps := ReadProcessSettings(env(map[string]string{"AGENTX_CACHE_MB": "64"})); ps.CacheBytes != 64<<20 {
		t.Fatalf("legacy variable: %+v", ps)
	}
	ps = ReadProcessSettings(env(map[string]string{"GF_PLUGIN_CACHE_MB": "lots", "GF_PLUGIN_MEMORY_LIMIT_MB": "-1"}))
	if ps.CacheBytes != DefaultCacheBytes || ps.MemoryLimitBytes != 0 || len(ps.Problems) != 2 || !strings.Contains(ps.Problems[0], "GF_PLUGIN_CACHE_MB") {
		t.Fatalf("bad values: %+v", ps)
	}
}
