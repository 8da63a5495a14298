package plugin

import (
	"strings"

	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestProcessSettingsComeFromThePluginSection(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	// The directory depends on the machine; TestTheDiskCacheDirectory checks it.
	ignoreDir := cmpopts.IgnoreFields(ProcessSettings{}, "StoreDir")
	if diff := cmp.Diff(ProcessSettings{CacheBytes: DefaultCacheBytes, StoreBytes: DefaultStoreBytes}, ReadProcessSettings(env(nil)), ignoreDir); diff != "" {
		t.Fatalf("defaults (-want +got):\n%s", diff)
	}
	// [plugin.agentx-export-datasource] cache_mb = 512, memory_limit_mb = 700, store_mb = 100
	ps := ReadProcessSettings(env(map[string]string{"GF_PLUGIN_CACHE_MB": "512", "GF_PLUGIN_MEMORY_LIMIT_MB": " 700 ", "AGENTX_CACHE_MB": "64", "GF_PLUGIN_STORE_MB": "100"}))
	if diff := cmp.Diff(ProcessSettings{CacheBytes: 512 << 20, MemoryLimitBytes: 700 << 20, StoreBytes: 100 << 20}, ps, ignoreDir); diff != "" {
		t.Fatalf("plugin section (-want +got):\n%s", diff)
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

func TestTheDiskCacheDirectory(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	exe := func(p string) func() (string, error) { return func() (string, error) { return p, nil } }
	official := exe("/var/lib/grafana/plugins/agentx-export-datasource/gpx_agentx_export_linux_amd64")
	for _, c := range []struct {
		name string
		env  map[string]string
		exe  func() (string, error)
		want string
	}{
		{"store_dir in the plugin section", map[string]string{"GF_PLUGIN_STORE_DIR": "/data/agentx", "GF_PATHS_DATA": "/var/lib/grafana"}, official, "/data/agentx"},
		{"Grafana's data path, up to 12.3", map[string]string{"GF_PATHS_DATA": "/srv/grafana"}, official, "/srv/grafana/agentx-export-datasource"},
		{"the official image on 12.4 and later", nil, official, "/var/lib/grafana/agentx-export-datasource"},
	} {
		if got := storeDir(env(c.env), c.exe); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	if got := storeDir(env(nil), exe("/opt/somewhere/gpx")); got == "" || strings.HasPrefix(got, "/opt/somewhere") {
		t.Errorf("a plugin outside a plugins directory: %s", got)
	}
	ps := ReadProcessSettings(env(map[string]string{"GF_PLUGIN_STORE_MB": "0"}))
	if ps.StoreBytes != 0 {
		t.Fatalf("store_mb = 0 must turn the disk cache off: %+v", ps)
	}
	if ps := ReadProcessSettings(env(nil)); ps.StoreBytes != DefaultStoreBytes {
		t.Fatalf("default budget: %+v", ps)
	}
}
