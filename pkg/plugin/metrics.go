package plugin

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// registerCacheGauges publishes what the process's caches hold, once per
// process, in the default registry the SDK serves to Grafana.
var registerCacheGauges = sync.OnceFunc(func() {
	gauge := func(name, help string, value func() float64) {
		prometheus.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "agentx_export", Name: name, Help: help}, value))
	}
	gauge("memory_cache_bytes", "Bytes of records the memory cache holds, with what exports under way reserved.", func() float64 {
		st := processOptions().Cache.Stats()
		return float64(st.Bytes + st.Reserved)
	})
	gauge("memory_cache_segments", "Segments the memory cache holds.", func() float64 {
		return float64(processOptions().Cache.Stats().Segments)
	})
	gauge("disk_cache_bytes", "Bytes of values the disk cache holds (0 when it is off).", func() float64 {
		if disk := processOptions().Disk; disk != nil {
			return float64(disk.Status().Bytes)
		}
		return 0
	})
})
