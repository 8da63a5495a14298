package query

import (
	"os"
	"path/filepath"
	"regexp"
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
	for _, s := range Registry {
		row := "\n| `" + string(s.Type) + "` | "
		i := strings.Index(string(doc), row)
		if i < 0 {
			t.Errorf("docs/reference.md has no row for the query type %s", s.Type)
			continue
		}
		// The row says the shape the registry says.
		result := string(doc)[i+len(row):]
		if series := strings.HasPrefix(result, "time series"); series != (s.Kind == KindSeries) {
			t.Errorf("docs/reference.md's row for %s does not start with \"time series\" exactly when it is one: %.40s…", s.Type, result)
		}
	}
	table := string(doc)[strings.Index(string(doc), "| `queryType` | result |"):]
	table = table[strings.Index(table, "\n")+1 : strings.Index(table, "\n\n")] // the rows, below the header
	for _, m := range regexp.MustCompile("(?m)^\\| `(\\w+)` \\|").FindAllStringSubmatch(table, -1) {
		if _, ok := Lookup(Type(m[1])); !ok {
			t.Errorf("docs/reference.md has a row for %s, which the registry does not know", m[1])
		}
	}
}
