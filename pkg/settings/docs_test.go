package settings

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestTheDocumentedSettingsAreTheTable: the README's Configuration table and the
// reference's settings table name every setting of Fields, and only those, with
// its default (and in the reference its label and type).
func TestTheDocumentedSettingsAreTheTable(t *testing.T) {
	readme := rowsAfter(t, "README.md", "## Configuration")
	reference := rowsAfter(t, filepath.Join("docs", "reference.md"), "## Data source settings")
	inReadme, inReference := map[string]bool{}, map[string]bool{}
	for _, f := range Fields {
		name := "`" + f.Key + "`"
		if f.Kind == Secret {
			name = f.Label + " (secure)"
		}
		inReadme[name] = true
		if row, ok := readme[name]; !ok {
			t.Errorf("README.md's Configuration table has no row %s", name)
		} else if row[1] != documentedDefault(f) {
			t.Errorf("README.md gives %s the default %s, fields.go %s", name, row[1], documentedDefault(f))
		}
		if f.Kind == Secret {
			continue
		}
		inReference[name] = true
		row, ok := reference[name]
		if !ok {
			t.Errorf("docs/reference.md's settings table has no row %s", name)
			continue
		}
		if want := []string{f.Label, documentedType(f), documentedDefault(f)}; strings.Join(row[1:4], "|") != strings.Join(want, "|") {
			t.Errorf("docs/reference.md says %s is %v, fields.go %v", name, row[1:4], want)
		}
	}
	for name := range readme {
		if !inReadme[name] {
			t.Errorf("README.md's Configuration table has %s, which is no setting", name)
		}
	}
	for name := range reference {
		if !inReference[name] {
			t.Errorf("docs/reference.md's settings table has %s, which is no jsonData setting", name)
		}
	}
	doc := read(t, filepath.Join("docs", "reference.md"))
	for _, f := range Fields {
		if f.Kind == Secret && !strings.Contains(doc, "`"+f.Key+"`") {
			t.Errorf("docs/reference.md does not name the secret %s", f.Key)
		}
	}
	// Whichever way the paragraphs are wrapped.
	words := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	if want := fmt.Sprintf("at least %d characters", MinAPIKeyLength); !strings.Contains(words(doc), want) {
		t.Errorf("docs/reference.md does not say %q", want)
	}
	if want := fmt.Sprintf("Keys shorter than %d characters", MinAPIKeyLength); !strings.Contains(words(read(t, "README.md")), want) {
		t.Errorf("README.md does not say %q", want)
	}
}

func documentedDefault(f Field) string {
	switch {
	case f.Kind == Number:
		return "`" + strconv.FormatFloat(f.Default, 'f', -1, 64) + "`"
	case f.Kind == List:
		return "`[]`"
	case f.DefaultText != "":
		return "`" + f.DefaultText + "`"
	}
	return "—"
}

func documentedType(f Field) string {
	switch f.Kind {
	case Number:
		return "number"
	case List:
		return "string[]"
	}
	return "string"
}

func read(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rowsAfter returns the first table after heading, by its first cell, without
// its header and separator rows.
func rowsAfter(t *testing.T, rel, heading string) map[string][]string {
	t.Helper()
	doc := read(t, rel)
	_, after, ok := strings.Cut(doc, "\n"+heading+"\n")
	if !ok {
		t.Fatalf("%s has no %q", rel, heading)
	}
	rows := map[string][]string{}
	inTable := false
	for line := range strings.Lines(after) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break
			}
			continue
		}
		if !inTable { // the header
			inTable = true
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if strings.HasPrefix(cells[0], "---") {
			continue
		}
		rows[cells[0]] = cells
	}
	return rows
}
