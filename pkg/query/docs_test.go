package query

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryTypeIsInTheReference: the public reference names every query type of
// the registry in its table, and nothing it does not know.
func TestEveryTypeIsInTheReference(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "reference.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range Types() {
		if !strings.Contains(string(doc), "\n| `"+string(typ)+"` |") {
			t.Errorf("docs/reference.md has no row for the query type %s", typ)
		}
	}
}
