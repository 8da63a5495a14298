package plugin

import (
	"fmt"
	"strings"
)

// cacheReport says, for the health check, where history is kept and in what
// state: memory always, the disk when it works, Redis when configured.
type cacheReport struct {
	Mode     string   `json:"mode"` // memory, disk or shared
	Memory   string   `json:"memory"`
	Disk     string   `json:"disk,omitempty"`
	Shared   string   `json:"shared,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

func (d *Datasource) cacheReport() cacheReport {
	r := cacheReport{Mode: "memory"}
	if c := d.opts.Cache; c != nil {
		st := c.Stats()
		r.Memory = stored(st.Bytes+st.Reserved, st.Budget, st.Segments)
	}
	if d.settings.CacheMinutes == 0 {
		r.Warnings = append(r.Warnings, "Cache minutes is 0, so nothing is cached: every query reads the API")
	}
	if disk := d.opts.Disk; disk != nil {
		st := disk.Status()
		switch {
		case st.Open:
			r.Mode = "disk"
			r.Disk = stored(st.Bytes, st.Budget, st.Segments) + " at " + st.Path
		default:
			r.Disk = "off"
		}
		if st.Problem != "" {
			r.Warnings = append(r.Warnings, "disk cache: "+st.Problem)
		}
	}
	if d.shared != nil {
		st := d.shared.Status()
		r.Shared = st.Describe()
		if st.Healthy {
			r.Mode = "shared"
		} else {
			r.Warnings = append(r.Warnings, "shared cache: "+st.Problem)
		}
	}
	return r
}

// sentence is the report in the words of the people who press Save & test: what
// is kept, where, and how full it is; every warning stays a warning.
func (r cacheReport) sentence() string {
	where := map[string]string{
		"memory": "in memory only",
		"disk":   "in memory and on disk, so a restart keeps it",
		"shared": "in memory and in Redis, shared with every Grafana server that uses this API key",
	}[r.Mode]
	parts := []string{"memory: " + r.Memory}
	switch r.Disk {
	case "":
	case "off":
		parts = append(parts, "disk: off")
	default:
		parts = append(parts, "disk: "+r.Disk)
	}
	if r.Shared != "" {
		parts = append(parts, "Redis: "+r.Shared)
	}
	s := fmt.Sprintf("What the API answered is kept %s (%s).", where, strings.Join(parts, "; "))
	for _, w := range r.Warnings {
		s += " Warning: " + sentence(w)
	}
	return s
}

// stored says how much of a budget is used, and how many stretches of time it holds.
func stored(used, budget int64, segments int) string {
	return fmt.Sprintf("%s of %s used, %d stored time %s", megabytes(used), megabytes(budget), segments,
		plural(segments, "range", "ranges"))
}

func megabytes(b int64) string {
	return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
}
