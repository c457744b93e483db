package cli

import (
	"errors"
	"fmt"
	"math"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/frontline-dev/frontline/internal/capacity"
)

type planOptions struct {
	channel       string
	inflowPerHour float64
	aht           time.Duration
	serviceLevel  float64
	within        time.Duration
	maxOccupancy  float64
	shrinkage     float64
	concurrency   int
	slowdown      float64
	backlog       float64
	patience      time.Duration
	output        dataPrintFlags
	// files and queue: size a SupportQueue from files (-f) instead of flags.
	files fileOptions
	queue string
}

// PlanResult is the JSON form of `plan` (its keys are stable).
type PlanResult struct {
	Channel         string  `json:"channel"`
	Model           string  `json:"model"`
	Agents          int     `json:"agents"`
	ScheduledAgents int     `json:"scheduledAgents"`
	ServiceLevel    float64 `json:"serviceLevel"`
	// ASASeconds is -1 when the wait is unbounded (agents capped below the
	// offered load).
	ASASeconds  float64 `json:"asaSeconds"`
	Occupancy   float64 `json:"occupancy"`
	OfferedLoad float64 `json:"offeredLoad"`
	// AbandonRate is the Erlang A share of callers who hang up, with --patience.
	AbandonRate *float64 `json:"abandonRate,omitempty"`
	// Queue, Binding, Replicas and Bots are set when a SupportQueue is
	// sized: which constraint sets the agents (serviceLevel,
	// firstResponse, maxOccupancy, maxReplicas), the agents it would run
	// within its min/max (the figures above are at these), and its bots.
	Queue    string `json:"queue,omitempty"`
	Binding  string `json:"binding,omitempty"`
	Replicas int    `json:"replicas,omitempty"`
	Bots     int    `json:"bots,omitempty"`
	// SizedFor is the target the queue is sized for when its SLAPolicy
	// sets a headroom, e.g. "99.00 % within 20s".
	SizedFor string `json:"sizedFor,omitempty"`
}

func newPlanCommand(s Streams, kube *surgeOptions) *cobra.Command {
	o := planOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "How many agents for this traffic and this SLA?",
		Long: `plan sizes a queue with the same capacity model the operator uses.

Chat and phone use Erlang C: the fewest agents whose predicted service level
meets --service-level within --within, with occupancy at most
--max-occupancy. Email and social use the backlog model: enough agents that a
ticket arriving behind --backlog gets a first response within --within.
Scheduled agents add --shrinkage (breaks, training) on top.`,
		Example: `  # 1,200 chats an hour, 4-minute conversations, 2 at a time, 80% within 20 s
  kubectl frontline plan --channel chat --inflow-per-hour 1200 --aht 4m --concurrency 2 --service-level 0.8 --within 20s

  # The same as JSON, for scripts
  kubectl frontline plan --inflow-per-hour 200 --aht 3m -o json

  # A queue as written, with its SLAPolicy: what binds at 3,000 tickets/h?
  kubectl frontline plan -f config/samples/ --queue retail-chat --inflow-per-hour 3000

  # A queue in the cluster, at the inflow it is sized for now
  kubectl frontline plan sq/retail-chat -n exchange`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.output.check(); err != nil {
				return err
			}
			if len(args) == 1 && !o.files.empty() {
				return &flagError{"filename", "give files or sq/NAME, not both"}
			}
			if o.queue != "" && o.files.empty() {
				return &flagError{"queue", "names a queue in the -f files; for a queue in the cluster give sq/NAME"}
			}
			if len(args) == 1 || !o.files.empty() {
				q, policy, err := o.queueSource(cmd.Context(), s.In, kube, args)
				if err != nil {
					return err
				}
				warnNotForChannel(s, string(q.Spec.Channel), cmd.Flags().Changed)
				res, err := o.planQueue(cmd, q, policy)
				if err != nil {
					return err
				}
				return writePlan(s, &o.output, res)
			}
			warnNotForChannel(s, o.channel, cmd.Flags().Changed)
			if !cmd.Flags().Changed("inflow-per-hour") {
				return &flagError{"inflow-per-hour", "required: contacts arriving per hour, e.g. 1200"}
			}
			if !cmd.Flags().Changed("aht") {
				return &flagError{"aht", "required: average handle time, e.g. 4m"}
			}
			res, err := o.plan()
			if err != nil {
				return err
			}
			return writePlan(s, &o.output, res)
		},
	}
	cmd.ValidArgsFunction = kube.completeQueues
	f := cmd.Flags()
	f.StringVar(&o.channel, "channel", "chat", "Channel: chat, phone (Erlang C) or email, social (backlog model).")
	f.Float64Var(&o.inflowPerHour, "inflow-per-hour", 0, "Contacts reaching agents per hour.")
	f.DurationVar(&o.aht, "aht", 0, "Average handle time of one contact (one conversation for chat), e.g. 4m.")
	f.Float64Var(&o.serviceLevel, "service-level", 0.8, "Share of contacts to answer within --within, a fraction such as 0.8.")
	f.DurationVar(&o.within, "within", 20*time.Second, "Answer-time target (first-response target for email and social).")
	f.Float64Var(&o.maxOccupancy, "max-occupancy", 0.85, "Highest share of agent time on contacts, in (0, 1].")
	f.Float64Var(&o.shrinkage, "shrinkage", 0.3, "Share of paid time unavailable for contacts, in [0, 1).")
	f.IntVar(&o.concurrency, "concurrency", 1, "Conversations one agent handles at once (chat).")
	f.Float64Var(&o.slowdown, "concurrency-slowdown", 0, "Extra handle time per additional concurrent chat, as a fraction of --aht (0 when --aht was measured at that concurrency).")
	f.Float64Var(&o.backlog, "backlog", 0, "Tickets already waiting (email, social).")
	f.DurationVar(&o.patience, "patience", 0, "Mean time callers wait before hanging up; adds the Erlang A abandon rate (chat, phone).")
	o.output.addFlags(f, "in a single row")
	o.files.addFlags(f, "Size a SupportQueue from files (with its SLAPolicy).")
	f.StringVar(&o.queue, "queue", "", "With -f: the SupportQueue to size when the files hold several.")
	return cmd
}

// plan validates the flags and runs the capacity model.
func (o planOptions) plan() (PlanResult, error) {
	switch {
	case o.channel != "chat" && o.channel != "phone" && o.channel != "email" && o.channel != "social":
		return PlanResult{}, &flagError{"channel", fmt.Sprintf("%q is not a channel; use chat, phone, email or social", o.channel)}
	case o.patience < 0:
		return PlanResult{}, &flagError{"patience", "must be positive, e.g. 90s"}
	}
	res := PlanResult{Channel: o.channel}
	lambda := o.inflowPerHour / 3600
	if o.channel == "email" || o.channel == "social" {
		r, err := capacity.BacklogAgents(capacity.BacklogRequest{
			ArrivalsPerSecond: lambda, HandleTimeSeconds: o.aht.Seconds(), Backlog: o.backlog,
			FirstResponseSeconds: o.within.Seconds(), MaxOccupancy: o.maxOccupancy, Shrinkage: o.shrinkage,
		})
		if err != nil {
			return PlanResult{}, asFlagError(err)
		}
		res.Model = "backlog"
		res.Agents, res.ScheduledAgents, res.OfferedLoad = r.Agents, r.ScheduledAgents, r.OfferedLoad
		res.ServiceLevel, res.ASASeconds, res.Occupancy = r.ServiceLevel, r.FirstResponseSeconds, r.Occupancy
		return res, nil
	}
	r, err := capacity.Agents(capacity.Request{
		ArrivalsPerSecond: lambda, HandleTimeSeconds: o.aht.Seconds(), TargetServiceLevel: o.serviceLevel,
		TargetSeconds: o.within.Seconds(), MaxOccupancy: o.maxOccupancy, Shrinkage: o.shrinkage,
		Concurrency: o.concurrency, ConcurrencySlowdown: o.slowdown,
	})
	if err != nil {
		return PlanResult{}, asFlagError(err)
	}
	res.Model = "erlang-c"
	res.Agents, res.ScheduledAgents, res.OfferedLoad = r.Agents, r.ScheduledAgents, r.OfferedLoad
	res.ServiceLevel, res.ASASeconds, res.Occupancy = r.ServiceLevel, r.ASASeconds, r.Occupancy
	if o.patience > 0 && r.Servers > 0 {
		a, err := capacity.ErlangA(r.Servers, lambda, r.OfferedLoad/lambda, o.patience.Seconds())
		if err != nil {
			return PlanResult{}, asFlagError(err)
		}
		res.AbandonRate = &a.AbandonProbability
	}
	return res, nil
}

// flagForField maps the capacity model's input names to plan's flags.
var flagForField = map[string]string{
	"inflow":               "inflow-per-hour",
	"handle time":          "aht",
	"service level":        "service-level",
	"target time":          "within",
	"first response":       "within",
	"max occupancy":        "max-occupancy",
	"shrinkage":            "shrinkage",
	"concurrency":          "concurrency",
	"concurrency slowdown": "concurrency-slowdown",
	"backlog":              "backlog",
	"patience":             "patience",
	"offered load":         "inflow-per-hour",
}

func asFlagError(err error) error {
	var ie *capacity.InputError
	if errors.As(err, &ie) {
		if flag, ok := flagForField[ie.Field]; ok {
			return &flagError{flag, ie.Reason}
		}
	}
	return err
}

func writePlan(s Streams, out *dataPrintFlags, r PlanResult) error {
	if !out.isTable() {
		return out.print(s.Out, r, []PlanResult{r})
	}
	w := tabwriter.NewWriter(s.Out, 0, 0, 2, ' ', 0)
	asaLabel := "Average speed of answer"
	if r.Model == "backlog" {
		asaLabel = "First response (new ticket)"
	}
	var rows [][2]string
	if r.Queue != "" {
		rows = append(rows, [2]string{"Queue", fmt.Sprintf("%s (%s)", r.Queue, r.Channel)})
	}
	rows = append(rows, [][2]string{
		{"Model", r.Model},
		{"Offered load", fmt.Sprintf("%.2f Erlangs", r.OfferedLoad)},
		{"Agents working", agentsText(r)},
		{"Agents scheduled", fmt.Sprintf("%d (after shrinkage)", r.ScheduledAgents)},
		{"Service level", fmt.Sprintf("%.1f %%", 100*r.ServiceLevel)},
		{asaLabel, formatSeconds(r.ASASeconds)},
		{"Occupancy", fmt.Sprintf("%.1f %%", 100*r.Occupancy)},
	}...)
	if r.Queue != "" {
		binding := bindingText[r.Binding]
		if r.SizedFor != "" {
			binding += ", sized for " + r.SizedFor + " (the SLA's headroom)"
		}
		rows = append(rows, [2]string{"Binding constraint", binding}, [2]string{"Replicas (min/max applied)", fmt.Sprintf("%d", r.Replicas)})
		if r.Bots > 0 {
			rows = append(rows, [2]string{"Chatbot replicas", fmt.Sprintf("%d", r.Bots)})
		}
	}
	if r.AbandonRate != nil {
		rows = append(rows, [2]string{"Abandon rate (Erlang A)", fmt.Sprintf("%.1f %%", 100**r.AbandonRate)})
	}
	for _, row := range rows {
		if _, err := fmt.Fprintf(w, "%s:\t%s\n", row[0], row[1]); err != nil {
			return err
		}
	}
	return w.Flush()
}

var bindingText = map[string]string{
	BindsServiceLevel:  "service level target",
	BindsFirstResponse: "first-response target",
	BindsOccupancy:     "maximum occupancy (the SLA alone needs fewer)",
	BindsMaxReplicas:   "maxReplicas: the model needs more; figures are at maxReplicas",
}

// agentsText is the working agents the model asks for; capped at
// maxReplicas, it says that the figures below are at the cap.
func agentsText(r PlanResult) string {
	if r.Binding == BindsMaxReplicas {
		return fmt.Sprintf("%d needed; %d at maxReplicas, which the figures below describe", r.Agents, r.Replicas)
	}
	return fmt.Sprintf("%d", r.Agents)
}

// unboundedWait stands for an infinite wait in JSON.
const unboundedWait = -1

func formatSeconds(s float64) string {
	if math.IsInf(s, 1) || s == unboundedWait {
		return "unbounded"
	}
	if s < 120 {
		return fmt.Sprintf("%.1f s", s)
	}
	return (time.Duration(s) * time.Second).Round(time.Second).String()
}
