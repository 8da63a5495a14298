package typescript

import (
	"errors"
	"fmt"
	"strings"

	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// ReadmePath is the README, whose query type table is written from the registry.
const ReadmePath = "README.md"

// The table's bounds in the README; what is between them is written over.
const (
	readmeStart = "<!-- The query types: written by `go generate ./pkg/query` from pkg/query/registry.go. -->\n"
	readmeEnd   = "<!-- End of the query types. -->\n"
)

// ReadmeTypes returns the README with its query type table written from the
// registry's Result lines, one row a type in the registry's order.
func ReadmeTypes(readme []byte) ([]byte, error) {
	s := string(readme)
	i, j := strings.Index(s, readmeStart), strings.Index(s, readmeEnd)
	if i < 0 || j < i {
		return nil, errors.New("README.md has no query type table between its markers")
	}
	var b strings.Builder
	b.WriteString(s[:i+len(readmeStart)])
	// Blank lines around the table: a comment right after a row could be read as one.
	b.WriteString("\n| Query type | Result |\n|---|---|\n")
	for _, sp := range query.Registry {
		fmt.Fprintf(&b, "| `%s` | %s |\n", sp.Type, sp.Result)
	}
	b.WriteString("\n" + s[j:])
	return []byte(b.String()), nil
}
