// Package templating does to a saved query what Grafana's frontend does before
// the query reaches the backend, for the commands and tests that send the
// provisioned dashboard's queries without a browser.
package templating

import "strings"

// All is the value a multi-value variable's "All" stands for: no filter.
const All = "__all__"

// Interpolate replaces the variables of vars ($name and ${name}) in every text of
// a query model, and drops "All" from lists (list filters), as the data source's
// applyTemplateVariables does.
func Interpolate(v any, vars map[string]string) any {
	switch x := v.(type) {
	case string:
		for name, value := range vars {
			x = strings.ReplaceAll(x, "${"+name+"}", value)
			if x == "$"+name {
				x = value
			}
		}
		return x
	case []any:
		out := []any{}
		for _, e := range x {
			if r := Interpolate(e, vars); r != All && r != "$__all" {
				out = append(out, r)
			}
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = Interpolate(e, vars)
		}
		return out
	}
	return v
}
