package query

// The zone names come from the browser; a Grafana host without a zone database
// (a slim container, Windows) must know them all the same: time/tzdata embeds it.
import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata"

	"github.com/agentx-support/agentx-export-datasource/pkg/quote"
)

// browserZone is Grafana's name for "the viewer's own zone", which only the
// browser knows: the editor resolves it before the query is sent.
const browserZone = "browser"

// loadTimezone reads Timezone into Location. Grafana writes UTC as "utc"; the
// server's own zone ("Local") is nobody's dashboard zone and is refused.
func (q *Query) loadTimezone() error {
	name := q.Timezone
	switch {
	case name == "":
		return nil
	case strings.EqualFold(name, browserZone):
		return errors.New(`timezone "browser" is resolved by the browser and cannot be used here (an alert rule has no browser); name an IANA zone such as Europe/Berlin, or UTC`)
	case strings.EqualFold(name, "utc"):
		q.Location = time.UTC
		return nil
	case name == "Local":
		return errors.New(`timezone "Local" names the server's zone; name an IANA zone such as America/New_York, or UTC`)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return fmt.Errorf("unknown timezone %s; name an IANA zone such as America/New_York or Europe/Berlin, or UTC", quote.Text(name))
	}
	q.Location = loc
	return nil
}
