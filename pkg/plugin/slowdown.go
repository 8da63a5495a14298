package plugin

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/settings"
)

// whatSlows says, for a query that answered before its read finished, what
// held the read back and what to change, from what the flights it read from
// cost (c) and the data source's rate: the API's 429s, another replica's
// export, the rate limit shared through Redis, the API's latency, or else the
// rate itself. read and missing are the time of the range read and not read.
func whatSlows(c fetch.Stats, requestsPerSecond float64, read, missing time.Duration) string {
	rps := settings.Label("requestsPerSecond")
	var causes []string
	if c.RateLimited > 0 {
		causes = append(causes, fmt.Sprintf(
			"the API refused %d %s with HTTP 429 (rate limit) and the read waits as the API asks: it allows fewer requests than the %.3g per second this data source sends, "+
				"or another program or Grafana server uses the same API key; lower %q in the data source settings",
			c.RateLimited, plural(c.RateLimited, "request", "requests"), requestsPerSecond, rps))
	}
	if c.WaitedOnReplica {
		causes = append(causes, "another Grafana server is reading this time with the same API key, and this one shows what that read has completed")
	}
	if c.SharedWait > 0 && 2*c.SharedWait >= c.RateLimitWait && c.RateLimited == 0 {
		causes = append(causes, fmt.Sprintf(
			"requests waited %s in all on the rate limit shared through Redis: every Grafana server using this API key draws from its %.3g requests per second",
			fetch.Human(c.SharedWait), requestsPerSecond))
	}
	if c.Requests > 0 && c.AnswerTime > c.RateLimitWait {
		perPage := c.AnswerTime / time.Duration(c.Requests)
		causes = append(causes, fmt.Sprintf("the API took about %.1f s per page", perPage.Seconds()))
	}
	if len(causes) == 0 {
		cause := fmt.Sprintf("the read goes at the data source's rate limit (%q: %.3g per second)", rps, requestsPerSecond)
		if c.Pages > 0 && read > 0 && missing > 0 {
			pages := int(math.Ceil(float64(c.Pages) * missing.Seconds() / read.Seconds()))
			cause += fmt.Sprintf(", about %d more %s (%s)", pages, plural(pages, "request", "requests"),
				fetch.Human(time.Duration(float64(pages)/requestsPerSecond*float64(time.Second))))
		}
		causes = append(causes, cause)
	}
	advice := ""
	if c.RateLimited == 0 {
		advice = fmt.Sprintf("; to wait less, narrow the range, or keep recent days read ahead with %q", settings.Label("syncDays"))
	}
	return "What slows the read: " + strings.Join(causes, "; ") + advice + "."
}
