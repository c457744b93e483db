//go:build bench

package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/sim"
	"github.com/frontline-dev/frontline/test/figures"
)

// Targets from the scale and performance issue and the estimator issue.
const (
	targetRatio        = 0.7
	targetRSSMiB       = 200.0
	targetReaction     = 7 * time.Second // poll 5 s + for 0 + 2 s: operator-internal, gauge override
	targetErlangsNs    = 1e6             // 5,000 Erlangs in under 1 ms
	targetSimMemoryMiB = 16.0            // simulate: peak heap growth from 10,000 to 1,000,000 tickets/h
	// targetCrash is the ×10 step at 600/h, 5 s scrape, default settings:
	// five times faster than KEDA + HPA's measured 58 s.
	targetCrash = 11600 * time.Millisecond
	// targetBoundFactor: the quiet desk's median within 1.5× Lorden's bound
	// (+ a scrape and a poll).
	targetBoundFactor = 1.5
	// targetIngest: the same step through frontline-ingest (signed
	// webhooks), its median at most this much above the direct counter's.
	targetIngest = 2 * time.Second
)

// reactionCase is what the end-to-end suite's TestReactionTimes wrote.
type reactionCase = figures.Reaction

// clusterFigures are the local cluster's results, when make bench ran them.
type clusterFigures struct {
	reaction []reactionCase
	calm     *struct {
		Minutes     int     `json:"minutes"`
		Need        int32   `json:"need"`
		WithinShare float64 `json:"withinShare"`
	}
	outage *struct {
		Before  int32  `json:"before"`
		Lowest  int32  `json:"lowest"`
		Partial bool   `json:"partialCoverageSeen"`
		Note    string `json:"note"`
	}
	// young is TestYoungQueueStep's runs (the quiet desk's step on a new
	// queue), youngCalm TestYoungCalmQueues' watch and failover
	// TestYoungQueueFailover's run.
	young     []figures.YoungStep
	youngCalm *figures.YoungCalm
	failover  *figures.Failover
	// ingest is TestReactionThroughTheIngest's: the same ×10 step on
	// twin queues, one on the simulator's counter, one fed signed Zendesk
	// webhooks through frontline-ingest.
	ingest *struct {
		Counter          reactionCase       `json:"counter"`
		Ingest           reactionCase       `json:"ingest"`
		MedianDifference time.Duration      `json:"medianDifference"`
		Outcomes         map[string]float64 `json:"outcomes"`
	}
}

// sideBySide is TestHPASideBySide's.
type sideBySide = figures.SideBySide

// hpaSection prints the side-by-side table, or why there is none.
func hpaSection(b *strings.Builder, root string) {
	b.WriteString("## Beside a Kubernetes HPA, in one run\n\n")
	var steps []sideBySide
	if !readFigures(root, "hpa-cluster.json", &steps) || len(steps) == 0 {
		b.WriteString("Not run (TestHPASideBySide needs the cluster with EXTERNAL_METRICS=1, as make bench starts it).\n\n")
		return
	}
	b.WriteString("The same ×10 step at the same moment on twin counters scraped every 5 s by the same Prometheus: one read by Frontline (a queue with default settings), one by an autoscaling/v2 HPA scaling a Deployment on the external metric prometheus-adapter v0.12.0 (built from its Go module) serves, `sum(rate(frontline_tickets_created_total[1m]))` per queue, its target one replica per (new rate ÷ Frontline's need there) tickets/h, so both aim at the same replicas. Times from the step to that need with every pod Running; \"over\" marks an HPA run its 10 % tolerance or the 4-minute cap stopped short (a lower bound).\n\n")
	b.WriteString("| step | need | controller-manager | Frontline (s) | HPA (s) | HPA to 90 % of the need (s) | medians | HPA ÷ Frontline |\n|---|---|---|---|---|---|---|---|\n")
	for _, s := range steps {
		var fl, hp, hp90 []string
		for i, d := range s.Frontline {
			fl = append(fl, fmt.Sprintf("%.1f", d.Seconds()))
			run := fmt.Sprintf("%.1f", s.HPA[i].Seconds())
			if i < len(s.HPANotReached) && s.HPANotReached[i] {
				run = "over " + run
			}
			hp = append(hp, run)
			if i < len(s.HPAWithinTolerance) {
				hp90 = append(hp90, fmt.Sprintf("%.1f", s.HPAWithinTolerance[i].Seconds()))
			}
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s | %s vs %s | %.1f× |\n", s.Step, s.Need, s.ControllerManagerQPS,
			strings.Join(fl, ", "), strings.Join(hp, ", "), strings.Join(hp90, ", "), round(medianOf(s.Frontline)), round(medianOf(s.HPA)), s.Ratio)
	}
	b.WriteString("\n")
}

// youngTargets prints the young-series cases' rows of the targets table:
// the quiet desk's step on a new queue, calm new queues and a failover
// onto a new queue, each from its end-to-end run.
func youngTargets(b *strings.Builder, cluster clusterFigures) {
	if runs := cluster.young; len(runs) > 0 {
		within, slowest := 0, time.Duration(0)
		for _, r := range runs {
			if !r.NotReached && r.ToRunning <= figures.YoungStepWithin {
				within++
			}
			slowest = max(slowest, r.ToRunning)
		}
		fmt.Fprintf(b, "| ×10 step 100→1,000/h 75 s after its queue is created (young series), 5 s scrape: to %d agents all Running within %s in every run | %d of %d within; slowest %s | %s |\n",
			runs[0].Need, round(figures.YoungStepWithin), within, len(runs), round(slowest), mark(within == len(runs)))
	}
	if c := cluster.youngCalm; c != nil {
		fmt.Fprintf(b, "| three queues created together at a calm 600/h, from 90 s after creation for %d min (≥ %d): agents within ±1 of %d for ≥ %.0f %% of the time, never more than one below, no surge | %.1f %%, agents %d–%d, %d surges | %s |\n",
			c.Minutes, figures.YoungCalmMinutes, c.Need, 100*figures.CalmShare, 100*c.WithinShare, c.Lowest, c.Highest, c.Surges,
			mark(c.Minutes >= figures.YoungCalmMinutes && c.WithinShare >= figures.CalmShare && c.Lowest >= c.Need-1 && c.Surges == 0))
	}
	if f := cluster.failover; f != nil {
		took := round(f.ToRunning).String()
		if f.NotReached {
			took = "over " + took
		}
		fmt.Fprintf(b, "| failover: %s: to %d agents all Running within %s of the kill | %s | %s |\n",
			f.Case, f.Need, round(figures.FailoverWithin), took, mark(!f.NotReached && f.ToRunning <= figures.FailoverWithin))
	}
}

// youngSection prints the steps on young queues (a new queue, a
// restarted replica's series), or which were not run.
func youngSection(b *strings.Builder, root string) {
	b.WriteString("## Young and restarted series\n\n")
	var rows [][]figures.YoungStep
	for _, name := range []string{"young-cluster.json", "restarted-cluster.json"} {
		var runs []figures.YoungStep
		if readFigures(root, name, &runs) && len(runs) > 0 {
			rows = append(rows, runs)
		}
	}
	if len(rows) == 0 {
		b.WriteString("Not run (TestYoungQueueStep and TestRestartedReplicaStep write their runs when make bench sets YOUNG_OUT and RESTARTED_OUT).\n\n")
		return
	}
	b.WriteString("A step on a queue created 75 s before it, through the real Prometheus scrape (5 s), default settings: the history is a few tickets, so the estimator's two-sample test, not its charts, sees the step. The restarted case exports the queue from two replicas, each its own series, and restarts one 10 s before the step: its new series starts from zero. Times from the step to the new rate's need with every pod Running; \"over\" marks a run not there at the 4-minute cap (a lower bound); the peak is the most agents asked for in the minute after reaching the need. In brackets, the tickets the queue's counters counted before the step, read back from Prometheus: the history the two-sample test weighs the step against. At 100/h that history is 2 tickets on average; the more it holds, the less a ×10 step stands out, and from 4 tickets on even a test that knew where the step was needs minutes, from 5 it never gets there at the false-alarm budget (the estimator's TestYoungStepSizedSoon prints that bound per history). Until the step is accepted the queue follows its level since creation as the new tickets add to it.\n\n")
	b.WriteString("| step | need | controller-manager | all Running (s) [tickets before the step] | median | peak asks |\n|---|---|---|---|---|---|\n")
	for _, runs := range rows {
		var times, peaks []string
		var ds []time.Duration
		for _, r := range runs {
			run := fmt.Sprintf("%.1f [%.0f]", r.ToRunning.Seconds(), r.HistoryTickets)
			peak := fmt.Sprint(r.Peak)
			if r.NotReached {
				run, peak = "over "+run, "–"
			}
			peaks = append(peaks, peak)
			times, ds = append(times, run), append(ds, r.ToRunning)
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s |\n", runs[0].Case, runs[0].Need, runs[0].ControllerManagerQPS,
			strings.Join(times, ", "), round(medianOf(ds)), strings.Join(peaks, ", "))
	}
	b.WriteString("\n")
}

func medianOf(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// readFigures decodes the figures an end-to-end test wrote to bin/name;
// false when they are not there.
func readFigures(root, name string, into any) bool {
	raw, err := os.ReadFile(filepath.Join(root, "bin", name))
	return err == nil && json.Unmarshal(raw, into) == nil
}

func readCluster(root string) clusterFigures {
	var c clusterFigures
	read := func(name string, into any) bool { return readFigures(root, name, into) }
	_ = read("reaction-cluster.json", &c.reaction)
	// The main case again at the controller-manager's default client limit.
	var atDefault []reactionCase
	if read("reaction-cluster-default-qps.json", &atDefault) {
		c.reaction = append(c.reaction, atDefault...)
	}
	if !read("calm-cluster.json", &c.calm) {
		c.calm = nil
	}
	if !read("outage-cluster.json", &c.outage) {
		c.outage = nil
	}
	if !read("ingest-cluster.json", &c.ingest) {
		c.ingest = nil
	}
	_ = read("young-cluster.json", &c.young)
	if !read("young-calm-cluster.json", &c.youngCalm) {
		c.youngCalm = nil
	}
	if !read("failover-cluster.json", &c.failover) {
		c.failover = nil
	}
	return c
}

func write(t *testing.T, root string, results []result, reaction []time.Duration) {
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmarks\n\nMeasured by `make bench` on %s (2 cores, 24 GiB), %s.\n", machine(), time.Now().UTC().Format("2006-01-02"))
	b.WriteString("Scale figures: a real kube-apiserver and etcd (envtest, v1.37.2), a real Prometheus scraping the ticket simulator every second, and the operator as its own process. ")
	b.WriteString("Pods Running: the local cluster of `make demo` (kube-apiserver, controller-manager, scheduler, kwok node), the operator under its own ServiceAccount.\n\n")

	cluster := readCluster(root)
	capacity := benchLines(root, "capacity-bench.txt")
	simMemory := benchLines(root, "sim-memory-bench.txt")
	ingestBench := benchLines(root, "ingest-bench.txt")
	estimatorMemory := benchLines(root, "inflow-memory-bench.txt")
	summary(&b, results, reaction, cluster, slices.Concat(capacity, simMemory, ingestBench))
	reactionSection(&b, root, cluster, reaction)
	hpaSection(&b, root)
	youngSection(&b, root)

	b.WriteString("## Scale: convergence, idle writes, memory, Prometheus load\n\n")
	b.WriteString("| queues | operator: all Ready with children (queues all created at) | writes per queue while converging | plain client: same objects | ratio raw/operator (target ≥ 0.7) | operator API writes while idle (target 0) | operator RSS (target < 200 MiB at 2,000) | Prometheus queries per poll |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %d | %s (%s) | %.1f | %s | %.2f | %d in %s | %.0f MiB | %.1f |\n", r.Queues, round(r.Operator), round(r.Created), r.WritesPerQueue, round(r.Raw),
			r.ratio(), r.IdleWrites, r.IdleWindow, r.RSSMiB, r.QueriesPerPoll)
	}
	fmt.Fprintf(&b, "\nEach size has an operator of its own watching only its namespace, so a row's RSS is what that many queues cost. "+
		"The operator runs %d reconciles at once (`--max-concurrent-reconciles`), the plain client %d workers: the same parallelism. ", parallelism, parallelism)
	b.WriteString("\"All Ready with children\" runs from the first create to every queue Ready, with its first metrics reading (`MetricsAvailable=True`) and its Deployment: the creates, the reconciles, each queue's read of its history and its first sizing. ")
	b.WriteString("The plain client creates the same objects — the SupportQueue, its Deployment and its PodDisruptionBudget — with no reconciling at all, so the ratio is the operator's overhead. ")
	b.WriteString("Writes are counted from the apiserver's own request metrics on the kinds the operator writes. ")
	b.WriteString("Queries per poll stay at 3 (the counter's raw samples since the last poll, backlog, handle time) whatever the number of queues; RSS is the whole process after the idle window. ")
	b.WriteString("The scale runs use a smooth counter (no Poisson noise) so that \"nothing changing\" is exact.\n\n")

	b.WriteString("## Capacity math\n\n`go test ./internal/capacity -run '^$' -bench . -benchmem` (the staffing search at offered loads of 10 to 5,000 Erlangs; target: 5,000 Erlangs in under 1 ms):\n\n```text\n")
	for _, line := range capacity {
		b.WriteString(line + "\n")
	}
	b.WriteString("```\n\n")
	if len(simMemory) > 0 {
		b.WriteString("## Simulator memory\n\n`go test ./internal/sim -run '^$' -bench RunMemoryByInflow -benchtime 1x` (an hour of the reference chat queue under Frontline's policy; the heap's peak above its level before the run; target: less than 16 MiB more at 100 times the tickets, which the benchmark checks):\n\n```text\n")
		for _, line := range simMemory {
			b.WriteString(line + "\n")
		}
		b.WriteString("```\n\n")
	}
	if len(estimatorMemory) > 0 {
		b.WriteString("## Estimator memory\n\n`go test ./internal/inflow -run '^$' -bench EstimatorHourMemory -benchtime 1x` (the heap one series' estimator keeps after an hour at 600/h, by scrape interval; the operator keeps one per counter series. Increments older than 5 minutes are merged into 15 s bins, so a 1 s scrape costs about twice a 15 s one, not 15 times; reported, not a target):\n\n```text\n")
		for _, line := range estimatorMemory {
			b.WriteString(line + "\n")
		}
		b.WriteString("```\n\n")
	}
	if len(ingestBench) > 0 {
		b.WriteString("## Helpdesk ingest\n\n`go test ./internal/ingest -run '^$' -bench 'SignedWebhook$|SustainedLoad' -benchtime 1200000x -cpu 1 -benchmem` (one core. SignedWebhook: a signed Zendesk webhook end to end through the handler, from the mux to the counters, one after another; it fails below 5,000/s. SustainedLoad: 1.2 million distinct deliveries at the production defaults, so the 1-million-entry de-duplication window fills; each call timed, heap and the process's RSS at the end; it fails when p99 passes 200 µs):\n\n```text\n")
		for _, line := range ingestBench {
			b.WriteString(line + "\n")
		}
		b.WriteString("```\n\n")
	}
	fmt.Fprintf(&b, "Reproduce: `make bench` (BENCH_SIZES=10,500,2000, BENCH_HISTORY=65m of counter history before the first queue, and BENCH_IDLE=5m, the idle window at the largest size, by default; %s of idle at the others).\n", time.Minute)
	if err := os.WriteFile(filepath.Join(root, "docs", "benchmarks.md"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (r result) ratio() float64 { return r.Raw.Seconds() / r.Operator.Seconds() }

func round(d time.Duration) time.Duration { return d.Round(100 * time.Millisecond) }

// idleWritesNote says what is known of idle writes.
const idleWritesNote = `
Why idle writes are not zero: the counters have the estimator's horizon and a margin of history (BENCH_HISTORY,
65 minutes by default) before any queue is created, so young series are not the cause. The idle window of the
smaller sizes starts sooner after their queues' creation than that of the largest; a write a queue makes once,
about a minute after it is created, falls inside the first and before the second. The bench logs the status
fields that moved in each idle window (its -v output) to name it.
`

// mark is a target's "met" cell.
func mark(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// summary is one line per target: what was measured and whether it is met.
func summary(b *strings.Builder, results []result, reaction []time.Duration, cluster clusterFigures, benchmarks []string) {
	b.WriteString("## Targets\n\n| target | measured | met |\n|---|---|---|\n")
	var ratios, writes, queries []string
	ratioOK, writesOK := true, true
	minQ, maxQ := 1e9, 0.0
	for _, r := range results {
		if r.Queues >= 500 {
			ratios = append(ratios, fmt.Sprintf("%.2f at %d", r.ratio(), r.Queues))
			ratioOK = ratioOK && r.ratio() >= targetRatio
		}
		writes = append(writes, fmt.Sprintf("%d at %d (%s)", r.IdleWrites, r.Queues, r.IdleWindow))
		writesOK = writesOK && r.IdleWrites == 0
		queries = append(queries, fmt.Sprintf("%.1f at %d", r.QueriesPerPoll, r.Queues))
		minQ, maxQ = min(minQ, r.QueriesPerPoll), max(maxQ, r.QueriesPerPoll)
	}
	fmt.Fprintf(b, "| cold convergence, raw/operator ≥ %.1f | %s | %s |\n", targetRatio, strings.Join(ratios, ", "), mark(ratioOK))
	defer func() {
		if !ratioOK {
			b.WriteString(convergenceMissed)
		}
	}()
	fmt.Fprintf(b, "| API writes while idle = 0 | %s | %s |\n", strings.Join(writes, ", "), mark(writesOK))
	defer func() {
		if !writesOK {
			b.WriteString(idleWritesNote)
		}
	}()
	if last := results[len(results)-1]; last.Queues >= 2000 {
		fmt.Fprintf(b, "| operator RSS < %.0f MiB at 2,000 queues | %.0f MiB at %d | %s |\n", targetRSSMiB, last.RSSMiB, last.Queues, mark(last.RSSMiB < targetRSSMiB))
	}
	fmt.Fprintf(b, "| Prometheus queries per poll constant | %s | %s |\n", strings.Join(queries, ", "), mark(maxQ-minQ <= 1))
	for _, c := range cluster.reaction {
		switch {
		case c.Scrape == "5s" && strings.HasPrefix(c.Name, "600→6000"):
			fmt.Fprintf(b, "| ×10 step 600→6,000/h on the counter, 5 s scrape, defaults: median to %d agents all Running ≤ %s | %s over %d runs | %s |\n",
				c.ToReplicas, targetCrash, round(c.MedianRunning), len(c.ToRunning), mark(c.MedianRunning <= targetCrash))
		case c.Scrape == "5s" && strings.HasPrefix(c.Name, "100→1000"):
			limit := time.Duration(targetBoundFactor * float64(c.Bound))
			fmt.Fprintf(b, "| ×10 step 100→1,000/h, 5 s scrape: median ≤ %.1f× (Lorden's bound + scrape + poll = %s) = %s | %s over %d runs | %s |\n",
				targetBoundFactor, round(c.Bound), round(limit), round(c.MedianRunning), len(c.ToRunning), mark(c.MedianRunning <= limit))
		}
	}
	if len(cluster.reaction) == 0 {
		b.WriteString("| counter steps on the local cluster | not run | **no** |\n")
	}
	if in := cluster.ingest; in != nil {
		fmt.Fprintf(b, "| the same step through frontline-ingest (signed Zendesk webhooks): median within %s of the direct counter's | %s against %s (%+.1f s) over %d runs | %s |\n",
			targetIngest, round(in.Ingest.MedianRunning), round(in.Counter.MedianRunning), in.MedianDifference.Seconds(), len(in.Ingest.ToRunning), mark(in.MedianDifference <= targetIngest))
	}
	if c := cluster.calm; c != nil {
		fmt.Fprintf(b, "| calm 600/h for %d min: agents within ±1 of %d for ≥ %.0f %% of the time, no surge | %.1f %% | %s |\n", c.Minutes, c.Need, 100*figures.CalmShare, 100*c.WithinShare, mark(c.WithinShare >= figures.CalmShare && c.Minutes >= 30))
	}
	youngTargets(b, cluster)
	if o := cluster.outage; o != nil {
		fmt.Fprintf(b, "| Prometheus stopped 2 min, 5 min after, counter reset (1,000/h, window 10 s): replicas removed = 0 | %d → lowest %d; PartialCoverage said: %v %s | %s |\n", o.Before, o.Lowest, o.Partial, o.Note, mark(o.Lowest >= o.Before))
	}
	p95 := percentile(reaction, 0.95)
	fmt.Fprintf(b, "| operator-internal latency (gauge override: no counter, no estimator) p95 ≤ %s | p95 %s (envtest) | %s |\n", targetReaction, round(p95), mark(p95 <= targetReaction))
	if ns := benchMetric(benchmarks, "BenchmarkAgents/erlangs=5000", "ns/op"); ns >= 0 {
		fmt.Fprintf(b, "| 5,000 Erlangs solved in < 1 ms | %.3f ms | %s |\n", ns/1e6, mark(ns < targetErlangsNs))
	}
	simPeak := func(inflow string) float64 {
		return benchMetric(benchmarks, "BenchmarkRunMemoryByInflow/inflow="+inflow, "peak-heap-growth-MiB")
	}
	if low, high := simPeak("10000/h"), simPeak(fmt.Sprintf("%d/h", sim.MaxInflowPerHour)); low >= 0 && high >= 0 {
		fmt.Fprintf(b, "| simulate's memory does not grow with inflow: peak heap growth at 1,000,000 tickets/h − at 10,000/h < %.0f MiB | %.1f − %.1f MiB | %s |\n",
			targetSimMemoryMiB, high, low, mark(high-low < targetSimMemoryMiB))
	}
	if rate := benchMetric(benchmarks, "BenchmarkSignedWebhook", "webhooks/s"); rate >= 0 {
		fmt.Fprintf(b, "| frontline-ingest: one replica ≥ %d signed webhooks/s on one core | %.0f/s | %s |\n", figures.WebhooksPerSecond, rate, mark(rate >= figures.WebhooksPerSecond))
	}
	if p99 := benchMetric(benchmarks, "BenchmarkSustainedLoad", "p99-ns"); p99 >= 0 {
		rss := benchMetric(benchmarks, "BenchmarkSustainedLoad", "rss-MiB")
		fmt.Fprintf(b, "| frontline-ingest under sustained load, de-duplication window full: p99 per webhook < %s (%d/s on one core) | p99 %.0f µs, RSS %.0f MiB (reported) | %s |\n",
			figures.WebhookP99, figures.WebhooksPerSecond, p99/1e3, rss, mark(time.Duration(p99) < figures.WebhookP99))
	}
	b.WriteString("\n")
}

// reactionRow is one step's row: each run's time to all Running, with the
// tickets it counted, the median and the bound.
func reactionRow(b *strings.Builder, c reactionCase) {
	var runs []string
	for i, d := range c.ToRunning {
		run := fmt.Sprintf("%.1f", d.Seconds())
		if i < len(c.NotReached) && c.NotReached[i] {
			run = "over " + run
		}
		if i < len(c.TicketsInBound) && i < len(c.ExpectedTickets) && c.ExpectedTickets[i] > 0 {
			run += fmt.Sprintf(" [%.0f / %.1f]", c.TicketsInBound[i], c.ExpectedTickets[i])
		}
		runs = append(runs, run)
	}
	scrape := c.Scrape
	if c.ControllerManagerQPS != "" {
		scrape += "; controller-manager " + c.ControllerManagerQPS
	}
	fmt.Fprintf(b, "| %s | %s | %d → %d | %s | %s | %s |\n", c.Name, scrape, c.FromReplicas, c.ToReplicas, strings.Join(runs, ", "), round(c.MedianRunning), round(c.Bound))
}

// reactionSection prints every counter step on the local cluster, the
// estimator's and the simulator's detection figures.
func reactionSection(b *strings.Builder, root string, cluster clusterFigures, internal []time.Duration) {
	b.WriteString("## Reaction to a crash: the ticket counter through a real Prometheus scrape\n\n")
	b.WriteString("Local cluster of `make demo` (kube-apiserver, controller-manager, scheduler, kwok node), a real Prometheus scraping the ticket simulator, whose counter `frontline_tickets_created_total` counts Poisson arrivals. " +
		"Each run: a new queue with default settings (chat, AHT 60 s, 80 % in 20 s, one chat per agent, maxReplicas 150) whose counter has counted calm traffic since the suite started (at least ten minutes), its pods all Running and steady, then the counter steps ×10 at a phase spread over scrape and poll. " +
		"The 15 s rows come after Prometheus was switched from a 5 s to a 15 s scrape: until the estimator's typical interval adapts (about five scrapes), the longer intervals read as gaps, which is what the first run there met. " +
		"Time from the step to the agents Deployment at the new rate's need (`spec.replicas`) and to that many pods Running. KEDA + HPA on the same setup: median 58 s (its 1-minute `rate()` window and doubling steps).\n\n")
	b.WriteString("Where a run counted its tickets, they follow its time in brackets: the tickets the counter counted from its first scrape after the step to its last within the bound, over what the new rate expects across those scrapes. A slow run with few tickets is Poisson luck: no estimator can size for tickets that have not come. A run marked \"over\" was cut at the test's 4-minute cap before the full target; the test then checks that the agents are at the need for the tickets that came.\n\n")
	b.WriteString("| step | scrape | agents | runs: to all Running (s) [tickets counted / expected] | median | Lorden's bound (24 h budget) + scrape + poll |\n|---|---|---|---|---|---|\n")
	for _, c := range cluster.reaction {
		reactionRow(b, c)
	}
	if len(cluster.reaction) == 0 {
		b.WriteString("| not run | | | | | |\n")
	}
	for _, c := range cluster.reaction {
		if c.Note != "" {
			fmt.Fprintf(b, "\n%s, %s scrape: %s\n", c.Name, c.Scrape, c.Note)
		}
	}
	if in := cluster.ingest; in != nil {
		b.WriteString("\nThrough frontline-ingest: the path a real helpdesk's tickets take. A simulated Zendesk account sends each ticket, at its Poisson time, as a signed Zendesk webhook (`ticket.created`, then `ticket.status_changed` to solved a minute later) to `frontline-ingest`, which Prometheus scrapes every 5 s. " +
			"Each run steps such a queue and a twin on the simulator's own counter, one after the other (alternating which goes first), both as above.\n\n")
		b.WriteString("| step | scrape | agents | runs: to all Running (s) [tickets counted / expected] | median | Lorden's bound (24 h budget) + scrape + poll |\n|---|---|---|---|---|---|\n")
		reactionRow(b, in.Ingest)
		reactionRow(b, in.Counter)
		fmt.Fprintf(b, "\nThe ingest's answers to the webhooks: %v.\n", in.Outcomes)
	}
	b.WriteString("\nOperator-internal latency (a gauge read through a query override: skips the counter, the scrape's timing and the estimator; envtest): ")
	fmt.Fprintf(b, "p50 %s, p95 %s over %d spikes.\n\n", round(percentile(internal, 0.5)), round(percentile(internal, 0.95)), len(internal))
	for _, f := range []struct{ file, title string }{
		{"inflow-bench.txt", "Estimator alone (`internal/inflow`, Poisson counters, 20 seeds per row, polls every 5 s)"},
		{"sim-detection.txt", "Surge detection and calm sizing in the simulator (`internal/sim`: default inflowSpike trigger at a 15 s scrape; the reference chat queue at calm 600/h)"},
	} {
		raw, err := os.ReadFile(filepath.Join(root, "bin", f.file))
		if err != nil {
			continue
		}
		fmt.Fprintf(b, "%s:\n\n```text\n", f.title)
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.Contains(line, "median") || strings.Contains(line, "changes in") || strings.Contains(line, "calm days") || strings.Contains(line, "within ±1") || strings.HasPrefix(strings.TrimSpace(line), "--- ") {
				b.WriteString(strings.TrimSpace(line) + "\n")
			}
		}
		b.WriteString("```\n\n")
	}
}

// benchMetric is the value a benchmark named name (its -GOMAXPROCS
// suffix aside) reported in unit, or -1 when it did not run.
func benchMetric(lines []string, name, unit string) float64 {
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) == 0 || (f[0] != name && !strings.HasPrefix(f[0], name+"-")) {
			continue
		}
		for i := 1; i < len(f); i++ {
			if f[i] == unit {
				if v, err := strconv.ParseFloat(f[i-1], 64); err == nil {
					return v
				}
			}
		}
	}
	return -1
}

// benchLines are the result lines of a go test -bench output in bin/.
func benchLines(root, file string) []string {
	raw, err := os.ReadFile(filepath.Join(root, "bin", file))
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "Benchmark") {
			out = append(out, line)
		}
	}
	return out
}

// convergenceMissed says why the convergence ratio stays below its target
// on this machine; the figures in the tables are what was measured.
const convergenceMissed = `Why cold convergence misses its ratio here: the plain client makes three creates per queue; the operator's side
is the same queue creates followed, per queue, by two server-side applies (Deployment, PDB) and a status patch,
each after the queue's first metrics reading. Server-side apply and custom-resource writes cost the apiserver more
than built-in creates, and the apiserver, etcd, Prometheus and the operator share the same 2 cores (the operator
itself used about a quarter of one core while converging, by its CPU profile: it waits on the apiserver). What was
ours to cut is cut: a new queue is sized from its first reading instead of being created at its minimum and resized
a second later, the SLAPolicy's status (which lists every queue) is written at most every 2 s instead of once per
queue change, and children are applied only when our fields differ: 4.0 writes per queue while converging, the
queue's create, two applies and one status patch, nothing written twice. ` + "`--max-concurrent-reconciles`" + ` raises parallelism
further where the apiserver has cores to spare.

`
