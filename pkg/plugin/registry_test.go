package plugin

import (
	"testing"

	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// TestEveryQueryTypeHasOneAnswerer: a type added to the registry without an
// answer file, or an answer file for a type the registry does not know, fails
// here rather than being answered as something else.
func TestEveryQueryTypeHasOneAnswerer(t *testing.T) {
	for _, s := range query.Registry {
		if answerers[s.Type] == nil {
			t.Errorf("query type %s has no answerer: add answer_%s.go", s.Type, s.Type)
		}
	}
	for typ := range answerers {
		if _, ok := query.Lookup(typ); !ok {
			t.Errorf("answerer for %s, which the registry does not know", typ)
		}
	}
}
