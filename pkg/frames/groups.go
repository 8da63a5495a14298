package frames

import (
	"cmp"
	"slices"

	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// NoneGroup is the group of a conversation without a tag, or with a missing,
// null or empty locale or metadata value.
const NoneGroup = selection.NoneGroup

// sortedGroups orders groups by name with (none) last, for a stable series order.
func sortedGroups[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if (a == NoneGroup) != (b == NoneGroup) {
			if a == NoneGroup {
				return 1
			}
			return -1
		}
		return cmp.Compare(a, b)
	})
	return keys
}

// row returns a group's buckets, making them on first use; nil when the group is
// new and c refuses it.
func row[T any](m map[string][]T, group string, n int, c *groupCap) []T {
	r, ok := m[group]
	if !ok {
		if !c.admit(group) {
			return nil
		}
		r = make([]T, n)
		m[group] = r
	}
	return r
}
