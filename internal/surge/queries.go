package surge

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/frontline-dev/frontline/internal/metrics"
)

// QueueMatcher is a PromQL label matcher for the plan's queues in one
// namespace: namespace="ns",queue=~"^(a|b)$".
func QueueMatcher(namespace string, queues []string) string {
	names := append([]string(nil), queues...)
	sort.Strings(names)
	for i, n := range names {
		names[i] = regexp.QuoteMeta(n)
	}
	// Raw (backtick) strings keep regexp escapes readable.
	return fmt.Sprintf("namespace=%q,queue=~`^(%s)$`", namespace, strings.Join(names, "|"))
}

// InflowSumQuery is the plan's queues' total ticket rate over a window.
func InflowSumQuery(matcher string, window time.Duration) string {
	return fmt.Sprintf("sum(rate(%s{%s}[%s]))", metrics.TicketsCreatedTotal, matcher, metrics.PromDuration(window))
}

// BacklogSumQuery is the plan's queues' total backlog.
func BacklogSumQuery(matcher string) string {
	return fmt.Sprintf("sum(%s{%s})", metrics.QueueBacklog, matcher)
}

// BaselineQuery is the plan's queues' usual inflow: the short-window rate
// averaged over the baseline. A plain rate over the baseline would read a
// young series (a new queue, a restarted exporter) as a fraction of its
// real rate — rate() divides by the whole window — and fire a false spike.
func BaselineQuery(matcher string, window, baseline time.Duration) string {
	return fmt.Sprintf("avg_over_time(%s[%s:%s])", InflowSumQuery(matcher, window),
		metrics.PromDuration(baseline), metrics.PromDuration(window))
}
