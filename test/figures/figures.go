// Package figures are the shapes of the measurements the end-to-end tests
// write to bin/ and make bench's report reads: one definition for the
// writer and the reader.
package figures

import "time"

// The ingest's targets for one replica: at least WebhooksPerSecond signed
// webhooks a second on one core, so at most WebhookP99 for each. The
// ingest's benchmarks fail on them and the bench report marks them met or
// not.
const (
	WebhooksPerSecond = 5000
	WebhookP99        = time.Second / WebhooksPerSecond
)

// Reaction is one kind of counter step on the local cluster and what was
// measured on it: TestReactionTimes' runs, from the step through the real
// Prometheus scrape to the new need's spec.replicas and to its pods
// Running.
type Reaction struct {
	Name          string          `json:"name"`
	Scrape        string          `json:"scrape"`
	From, To      float64         `json:"-"`
	FromReplicas  int32           `json:"fromReplicas"`
	ToReplicas    int32           `json:"toReplicas"`
	Bound         time.Duration   `json:"bound"` // Lorden's bound + one scrape + one poll
	ToSpec        []time.Duration `json:"toSpec"`
	ToRunning     []time.Duration `json:"toRunning"`
	MedianRunning time.Duration   `json:"medianRunning"`
	// TicketsInBound is, per run, the tickets the counter counted between
	// its first scrape after the step and its last within the bound, and
	// ExpectedTickets what the new rate expects over those scrapes: a slow
	// run with few is Poisson luck (no estimator can size for tickets that
	// have not come).
	TicketsInBound  []float64 `json:"ticketsInBound"`
	ExpectedTickets []float64 `json:"expectedTickets"`
	// NotReached marks runs whose agents were not at the new rate's need
	// within the cap (their time is the cap: a lower bound).
	NotReached []bool `json:"notReached"`
	// ControllerManagerQPS is the client limit the controller-manager
	// created pods under (hack/cluster.sh's KCM_QPS and KCM_BURST).
	ControllerManagerQPS string `json:"controllerManagerQPS"`
	// Note says under which code or conditions the runs were made, when
	// the rows of one report come from different runs.
	Note string `json:"note,omitempty"`
}

// SideBySide is one step of TestHPASideBySide: Frontline's and the HPA's
// time from the step to the new rate's need with every pod Running.
type SideBySide struct {
	Step      string          `json:"step"`
	Need      int32           `json:"need"`
	Frontline []time.Duration `json:"frontline"`
	HPA       []time.Duration `json:"hpa"`
	// NotReached marks, per run, a side cut at the cap (its time is the
	// cap: a lower bound).
	FrontlineNotReached []bool `json:"frontlineNotReached"`
	HPANotReached       []bool `json:"hpaNotReached"`
	// HPAWithinTolerance is, per run, the HPA's time to 90 % of the need
	// with every pod Running: its 10 % tolerance may hold it there a while
	// before the last step.
	HPAWithinTolerance []time.Duration `json:"hpaWithinTolerance"`
	// Ratio is the HPA's median over Frontline's.
	Ratio                float64 `json:"ratio"`
	ControllerManagerQPS string  `json:"controllerManagerQPS"`
}

// YoungStep is one run of a step on a young queue (TestYoungQueueStep,
// TestRestartedReplicaStep): from the step to the new rate's need in
// spec.replicas and with every pod Running, and the most agents asked for
// in the minute after (the overshoot of the first accepted change).
type YoungStep struct {
	// Case names the step, e.g. "young queue, 100→1000/h 75 s after
	// creation".
	Case      string        `json:"case"`
	ToSpec    time.Duration `json:"toSpec"`
	ToRunning time.Duration `json:"toRunning"`
	Peak      int32         `json:"peak"`
	Need      int32         `json:"need"`
	// HistoryTickets is what the queue's counters counted before the
	// step, read back from Prometheus: the history the young test weighs
	// the step against (at 100/h over 75 s, one of 5 or more never reaches
	// its threshold against 1,000/h, however many tickets follow).
	HistoryTickets float64 `json:"historyTickets"`
	// NotReached marks a run cut at the 4-minute cap (its time is the
	// cap: a lower bound).
	NotReached           bool   `json:"notReached"`
	ControllerManagerQPS string `json:"controllerManagerQPS"`
}

// YoungCalm is TestYoungCalmQueues' watch: three queues created together
// with their counters at a calm 600/h, read every 2 s from 90 s after
// creation.
type YoungCalm struct {
	Minutes int   `json:"minutes"`
	Need    int32 `json:"need"`
	// WithinShare is the share of reads with agents within ±1 of Need.
	WithinShare float64 `json:"withinShare"`
	// Lowest and Highest are the fewest and most agents any queue had.
	Lowest  int32 `json:"lowest"`
	Highest int32 `json:"highest"`
	// Surges counts the plan's switches to Active: each a false alarm.
	Surges int `json:"surges"`
}

// Failover is TestYoungQueueFailover's run: every operator but a standby
// stopped 30 s after a queue was created, its counter stepping ×10 at
// that moment; from the kill to the new rate's need with every pod
// Running (the standby's wait for the stopped leader's lease included).
type Failover struct {
	Case      string        `json:"case"`
	Need      int32         `json:"need"`
	ToRunning time.Duration `json:"toRunning"`
	// NotReached marks a run cut at the 4-minute cap (a lower bound).
	NotReached bool `json:"notReached"`
}

// Targets which the bench report marks met or not: calm queues, old or
// young, within ±1 of the need for CalmShare of the time (young ones over
// at least YoungCalmMinutes); every quiet-desk step on a young queue at
// full target within YoungStepWithin; a failover within FailoverWithin.
const (
	CalmShare        = 0.95
	YoungStepWithin  = 90 * time.Second
	YoungCalmMinutes = 15
	FailoverWithin   = 45 * time.Second
)
