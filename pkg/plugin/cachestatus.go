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
		r.Memory = fmt.Sprintf("%s of %s in %d segments", megabytes(st.Bytes+st.Reserved), megabytes(st.Budget), st.Segments)
	}
	if d.settings.CacheMinutes == 0 {
		r.Warnings = append(r.Warnings, "Cache minutes is 0, so nothing is cached: every query reads the API")
	}
	if disk := d.opts.Disk; disk != nil {
		st := disk.Status()
		switch {
		case st.Open:
			r.Mode = "disk"
			r.Disk = fmt.Sprintf("%s of %s in %d segments at %s", megabytes(st.Bytes), megabytes(st.Budget), st.Segments, st.Path)
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

// sentence is the report in the health check's words.
func (r cacheReport) sentence() string {
	parts := []string{"memory " + r.Memory}
	if r.Disk != "" {
		parts = append(parts, "disk "+r.Disk)
	}
	if r.Shared != "" {
		parts = append(parts, "Redis "+r.Shared)
	}
	s := fmt.Sprintf("Cache mode: %s (%s).", r.Mode, strings.Join(parts, "; "))
	for _, w := range r.Warnings {
		s += " Warning: " + sentence(w)
	}
	return s
}

func megabytes(b int64) string {
	return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
}
