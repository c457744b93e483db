//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/inflow"
)

// The e2e cluster's frontline-ingest: webhooks and metrics ports, apart
// from make demo's (hack/cluster.sh).
const ingestPort, ingestMetricsPort = "30092", "30093"

// ticketPaths are the two ways a queue's tickets reach Prometheus in
// TestReactionThroughTheIngest: the simulator's own counter (as in TestReactionTimes), and a simulated
// Zendesk account sending each ticket as a signed webhook to
// frontline-ingest, which Prometheus scrapes. Through the ingest tickets
// are also solved, a minute (the queues' AHT) after they are created, as
// a helpdesk's are: the ingest's handle time is then exactly the AHT the
// direct counter's queue sizes with, and its backlog (tickets open) does
// not enter a chat queue's sizing.
var ticketPaths = []struct {
	name, via     string
	handleSeconds int
}{
	{"counter", "counter", 0},
	{"ingest", "zendesk", 60},
}

// ingestRuns is INGEST_RUNS: steps per path (1 here, 10 in make bench).
func ingestRuns() int {
	if n, err := strconv.Atoi(os.Getenv("INGEST_RUNS")); err == nil && n > 0 {
		return n
	}
	return 1
}

func throughQueue(path string, run int) string { return fmt.Sprintf("through-%s-%d", path, run) }

// ingestEnv is hack/cluster.sh's environment for the ingest: its ports
// and the queues it routes, those whose tickets TestReactionThroughTheIngest sends through it.
func ingestEnv() []string {
	var queues []string
	for i := range ingestRuns() {
		queues = append(queues, ns+"/"+throughQueue("ingest", i))
	}
	return []string{"INGEST_PORT=" + ingestPort, "INGEST_METRICS_PORT=" + ingestMetricsPort, "INGEST_QUEUES=" + strings.Join(queues, ",")}
}

func throughURL(queue, via string, handleSeconds int, perHour float64) string {
	return fmt.Sprintf("%s&inflow_per_hour=%g&handle_seconds=%d&via=%s", queueURL(queue), perHour, handleSeconds, via)
}

// startIngestCounters starts the calm traffic of TestReactionThroughTheIngest's queues with the
// suite, so each has the history of a running desk, as the reaction
// steps' queues do.
func startIngestCounters() error {
	for i := range ingestRuns() {
		for _, p := range ticketPaths {
			if err := request(http.MethodPost, throughURL(throughQueue(p.name, i), p.via, p.handleSeconds, 600)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ingestReport is what INGEST_OUT holds for the benchmark report.
type ingestReport struct {
	Runs    int           `json:"runs"`
	Counter *reactionCase `json:"counter"`
	Ingest  *reactionCase `json:"ingest"`
	// MedianDifference is the ingest's median less the direct counter's;
	// the target is at most 2 s.
	MedianDifference time.Duration `json:"medianDifference"`
	// Webhooks is the simulated Zendesk account's count of what it sent,
	// by the ingest's answer; Outcomes the ingest's own count, from
	// Prometheus (frontline_ingest_requests_total by outcome).
	Webhooks json.RawMessage    `json:"webhooks"`
	Outcomes map[string]float64 `json:"outcomes"`
}

// TestReactionThroughTheIngest takes the path a real helpdesk's tickets
// take: a simulated Zendesk account sends each ticket, at its Poisson
// time, as a signed Zendesk webhook to frontline-ingest; Prometheus
// scrapes the ingest (every 5 s) and the operator sizes the queue. Each
// run steps one such queue ×10 (600 → 6,000/h), and a twin queue on the
// simulator's own counter (TestReactionTimes's path) the same way, one after the
// other, alternating which goes first; both have default settings and ten
// minutes of calm history. It prints the time from the step to the agents
// Deployment at the new rate's need with every pod Running, for both
// paths and their medians (the target: the ingest within 2 s of
// the direct counter). INGEST_RUNS runs (1 here, 10 in make bench);
// INGEST_OUT gets the figures. Timings are not asserted: as in TestReactionTimes a
// run fails only when its agents are not even at the need for the tickets
// that came. The test fails too when a webhook was refused, lost or
// unrouted: then the ingest did not count what the helpdesk sent.
func TestReactionThroughTheIngest(t *testing.T) {
	const from, to, scrape = 600.0, 6000.0, 5 * time.Second
	waitForHistory()
	runs := ingestRuns()
	cases := map[string]*reactionCase{}
	for _, p := range ticketPaths {
		cases[p.name] = &reactionCase{Name: fmt.Sprintf("%.0f→%.0f/h via %s", from, to, p.name), Scrape: scrape.String(), From: from, To: to, ControllerManagerQPS: controllerManagerQPS()}
	}
	defer func() {
		for i := range runs {
			for _, p := range ticketPaths {
				removeCounter(t, throughQueue(p.name, i))
			}
		}
	}()
	for i := range runs {
		order := slices.Clone(ticketPaths)
		if i%2 == 1 {
			slices.Reverse(order)
		}
		for _, p := range order {
			stepThrough(t, cases[p.name], throughQueue(p.name, i), i, func() error {
				return request(http.MethodPost, throughURL(throughQueue(p.name, i), p.via, p.handleSeconds, to))
			})
		}
	}
	counter, ingest := cases["counter"], cases["ingest"]
	for _, rc := range cases {
		rc.MedianRunning = median(rc.ToRunning)
	}
	diff := ingest.MedianRunning - counter.MedianRunning
	t.Logf("%.0f→%.0f/h, %s scrape, %d run(s) each: median to all Running %.1f s through the ingest (signed Zendesk webhooks), %.1f s on the direct counter: %+.1f s (target: within 2 s); Lorden's bound + scrape + poll %.1f s",
		from, to, scrape, runs, ingest.MedianRunning.Seconds(), counter.MedianRunning.Seconds(), diff.Seconds(), ingest.Bound.Seconds())

	report := ingestReport{Runs: runs, Counter: counter, Ingest: ingest, MedianDifference: diff, Outcomes: map[string]float64{}}
	report.Webhooks = webhookStats(t)
	var sent struct {
		Answered map[string]int64 `json:"answered"`
		Failed   int64            `json:"failed"`
		Dropped  int64            `json:"dropped"`
	}
	if err := json.Unmarshal(report.Webhooks, &sent); err != nil {
		t.Errorf("the simulator's webhook counts: %v (%s)", err, report.Webhooks)
	}
	for outcome, n := range sent.Answered {
		if outcome != "accepted" && outcome != "duplicate" {
			t.Errorf("%d webhooks answered %s", n, outcome)
		}
	}
	if sent.Failed > 0 || sent.Dropped > 0 {
		t.Errorf("webhooks lost: %d failed, %d dropped", sent.Failed, sent.Dropped)
	}
	for _, s := range promQuery(t, `sum by (outcome) (frontline_ingest_requests_total{source="zendesk"}) > 0`) {
		report.Outcomes[string(s.Metric["outcome"])] = float64(s.Value)
	}
	t.Logf("the simulated Zendesk account's webhooks: %s; the ingest's answers: %v", report.Webhooks, report.Outcomes)
	if report.Outcomes["accepted"] == 0 {
		t.Errorf("Prometheus holds no accepted webhook of the ingest: %v", report.Outcomes)
	}
	writeFigures(t, "INGEST_OUT", report)
}

// stepThrough is one step of TestReactionTimes or TestReactionThroughTheIngest on a new queue whose
// tickets already flow at rc.From: it waits until the queue is sized for
// that (within one of the need: Poisson noise), every pod Running and
// unchanged for 10 s, steps the traffic to rc.To and records the time to
// the new rate's need with every pod Running. A run not there within the
// 4-minute cap fails only if the agents are not even at the need for the
// tickets that came: Poisson luck can keep the arrivals well short of the
// rate for minutes (2 % of quiet-desk steps take over 4 minutes in the
// estimator's TestTimeToTheNewRate), and sizing for what came is right.
func stepThrough(t *testing.T, rc *reactionCase, name string, run int, step func() error) {
	t.Helper()
	scrape, _ := time.ParseDuration(rc.Scrape)
	q := chatQueue(t, name, 150, "")
	rc.FromReplicas, rc.ToReplicas = needAt(t, q, rc.From), needAt(t, q, rc.To)
	poll := q.Spec.Metrics.PollInterval.Duration // the default
	rc.Bound = inflow.DelayBound(rc.From/3600, rc.To/3600, inflow.DefaultFalseAlarmEvery) + scrape + poll
	calm := settled(t, name+"-agents", rc.FromReplicas-1)
	time.Sleep(time.Duration(1000+run*1777%5000) * time.Millisecond) // phases spread over scrape and poll
	if err := step(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	toSpec, toRunning := timeToNeed(t, name, rc.ToReplicas, start)
	notReached := toRunning == 0
	if notReached {
		followsArrivals(t, q, name, start, fmt.Sprintf("%s run %d", rc.Name, run))
		toRunning = time.Since(start)
	}
	rc.NotReached = append(rc.NotReached, notReached)
	rc.ToSpec, rc.ToRunning = append(rc.ToSpec, toSpec), append(rc.ToRunning, toRunning)
	time.Sleep(time.Until(start.Add(rc.Bound + 2*scrape))) // both ends scraped
	tickets, span := ticketsBetween(t, name, start, start.Add(rc.Bound))
	rc.TicketsInBound, rc.ExpectedTickets = append(rc.TicketsInBound, tickets), append(rc.ExpectedTickets, rc.To*span.Hours())
	t.Logf("%s, %s scrape, run %d: %d → %d agents: spec %.1f s, all Running %s%.1f s; %.0f tickets in the %.0f s scraped after the step within the bound (%.1f expected)",
		rc.Name, rc.Scrape, run, calm, rc.ToReplicas, toSpec.Seconds(), map[bool]string{true: "over "}[notReached], toRunning.Seconds(), tickets, span.Seconds(), rc.To*span.Hours())
	if err := k8s.Delete(ctx, q); err != nil {
		t.Fatal(err)
	}
}

// webhookStats is the simulator's count of the webhooks its Zendesk
// account sent (GET /state).
func webhookStats(t *testing.T) json.RawMessage {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%s/state", simPort))
	if err != nil {
		t.Errorf("simulator state: %v", err)
		return json.RawMessage("null")
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	var state struct {
		Zendesk json.RawMessage `json:"zendesk"`
	}
	if err := json.Unmarshal(raw, &state); err != nil || state.Zendesk == nil {
		t.Errorf("simulator state without its Zendesk account: %v (%s)", err, raw)
		return json.RawMessage("null")
	}
	return state.Zendesk
}
