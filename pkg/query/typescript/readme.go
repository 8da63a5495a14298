package typescript

import (
	"errors"
	"fmt"
	"strings"

	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// ReadmePath is the README, whose query type table is written from the registry.
const ReadmePath = "README.md"

// readmeHeader opens the README's query type table; its rows run to the first
// line that is not a table row. No comment marks it: Grafana's plugin validator
// warns on comments in a README, which the catalog shows as it is.
const readmeHeader = "| Query type | Result |\n|---|---|\n"

// ReadmeTypes returns the README with its query type table written from the
// registry's Result lines, one row a type in the registry's order.
func ReadmeTypes(readme []byte) ([]byte, error) {
	s := string(readme)
	i := strings.Index(s, readmeHeader)
	if i < 0 {
		return nil, errors.New("README.md has no query type table (a \"| Query type | Result |\" header)")
	}
	rows := i + len(readmeHeader)
	end := rows
	for end < len(s) && s[end] == '|' {
		next := strings.IndexByte(s[end:], '\n')
		if next < 0 {
			end = len(s)
			break
		}
		end += next + 1
	}
	var b strings.Builder
	b.WriteString(s[:rows])
	for _, sp := range query.Registry {
		fmt.Fprintf(&b, "| `%s` | %s |\n", sp.Type, sp.Result)
	}
	b.WriteString(s[end:])
	return []byte(b.String()), nil
}
