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

// SpikeSamplesQuery reads the raw counter samples of the plan's queues
// over the spike window: the detector's input.
func SpikeSamplesQuery(matcher string, window time.Duration) string {
	return fmt.Sprintf("%s{%s}[%s]", metrics.TicketsCreatedTotal, matcher, metrics.PromDuration(window))
}

// BacklogSumQuery is the plan's queues' total backlog.
func BacklogSumQuery(matcher string) string {
	return fmt.Sprintf("sum(%s{%s})", metrics.QueueBacklog, matcher)
}

// SpikeBaselineSamplesQuery counts each series' samples over the
// baseline: how much of it the series has data for (a new queue or a
// restarted exporter has less than the baseline asks).
func SpikeBaselineSamplesQuery(matcher string, window, baseline time.Duration) string {
	return fmt.Sprintf("count_over_time(%s{%s}[%s] offset %s)", metrics.TicketsCreatedTotal, matcher,
		metrics.PromDuration(baseline), metrics.PromDuration(window))
}

// SpikeBaselineTicketsQuery is each series' tickets over the part of the
// baseline it has data for: the young rule's count, where the averaged
// rate has too few points. A counter reset inside the baseline makes it
// count only the tickets since the reset (less reference, never a false
// excess of it).
func SpikeBaselineTicketsQuery(matcher string, window, baseline time.Duration) string {
	sel := fmt.Sprintf("%s{%s}", metrics.TicketsCreatedTotal, matcher)
	w := metrics.PromDuration(window)
	return fmt.Sprintf("%s offset %s - min_over_time(%s[%s] offset %s)", sel, w, sel, metrics.PromDuration(baseline), w)
}

// SpikeBaselineQuery is each series' usual inflow before the window: the
// window-long rate averaged over the baseline. A plain rate over the
// baseline would read a young series (a new queue, a restarted exporter)
// as a fraction of its real rate — rate() divides by the whole window —
// and fire a false spike.
func SpikeBaselineQuery(matcher string, window, baseline time.Duration) string {
	w := metrics.PromDuration(window)
	return fmt.Sprintf("avg_over_time(rate(%s{%s}[%s])[%s:%s] offset %s)", metrics.TicketsCreatedTotal, matcher, w,
		metrics.PromDuration(baseline), w, w)
}
