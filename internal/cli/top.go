package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

type topOptions struct {
	*surgeOptions
	watch    bool
	interval time.Duration
	duration time.Duration
	all      bool
}

// extremes remembers what a watch saw, for the summary.
type extremes struct {
	maxAgents, maxBots map[string]int32
	maxInflow          map[string]int64
	minSL              map[string]string
	firstSurge         time.Time
}

func newTopCommand(so *surgeOptions) *cobra.Command {
	o := &topOptions{surgeOptions: so}
	cmd := &cobra.Command{
		Use:   "top",
		Short: "Live view of queues and surge plans",
		Long: `top shows, per queue, inflow, agents and bots (ready/desired), predicted
service level against target and surge state, then each plan's phase. With
--watch it refreshes; with --for it stops by itself and prints a summary.`,
		Example: `  kubectl frontline top -n exchange --watch
  kubectl frontline top -n exchange --watch --for 6m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	cmd.Flags().BoolVarP(&o.watch, "watch", "w", false, "Refresh until interrupted (or --for).")
	cmd.Flags().DurationVar(&o.interval, "interval", 2*time.Second, "Refresh interval with --watch.")
	cmd.Flags().DurationVar(&o.duration, "for", 0, "With --watch: stop after this long and print a summary.")
	cmd.Flags().BoolVarP(&o.all, "all-namespaces", "A", false, "All namespaces.")
	return cmd
}

func (o *topOptions) run(ctx context.Context) error {
	if o.interval < 200*time.Millisecond {
		return &flagError{"interval", "must be at least 200ms"}
	}
	c, ns, err := o.client()
	if err != nil {
		return err
	}
	if o.all {
		ns = ""
	}
	if ctx == nil {
		ctx = context.Background()
	}
	seen := &extremes{maxAgents: map[string]int32{}, maxBots: map[string]int32{}, maxInflow: map[string]int64{}, minSL: map[string]string{}}
	start := o.now()
	for {
		var queues supportv1alpha1.SupportQueueList
		var plans supportv1alpha1.SurgePlanList
		if err := c.List(ctx, &queues, client.InNamespace(ns)); err != nil {
			return err
		}
		if err := c.List(ctx, &plans, client.InNamespace(ns)); err != nil {
			return err
		}
		if o.watch {
			if _, err := fmt.Fprintf(o.s.Out, "\033[H\033[2J%s  (every %s, %s elapsed)\n\n", o.now().Format("15:04:05"), o.interval, o.now().Sub(start).Round(time.Second)); err != nil {
				return err
			}
		}
		if err := renderTop(o.s.Out, queues.Items, plans.Items, o.now(), seen); err != nil {
			return err
		}
		if !o.watch {
			return nil
		}
		if o.duration > 0 && o.now().Sub(start) >= o.duration {
			return renderSummary(o.s.Out, seen, plans.Items)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(o.interval):
		}
	}
}

func renderTop(out io.Writer, queues []supportv1alpha1.SupportQueue, plans []supportv1alpha1.SurgePlan, now time.Time, seen *extremes) error {
	sort.Slice(queues, func(i, j int) bool { return queues[i].Namespace+queues[i].Name < queues[j].Namespace+queues[j].Name })
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(w, "QUEUE\tCHANNEL\tINFLOW/H\tAGENTS\tBOTS\tSL (PRED/TARGET)\tSURGE\tMETRICS")
	for _, q := range queues {
		key := q.Namespace + "/" + q.Name
		inflow := "-"
		if m := q.Status.Measured; m != nil && m.InflowPerHour != nil {
			inflow = fmt.Sprint(*m.InflowPerHour)
			seen.maxInflow[key] = max(seen.maxInflow[key], *m.InflowPerHour)
		}
		sl := "-"
		if p := q.Status.Prediction; p != nil {
			sl = fmt.Sprintf("%s / %s", p.ServiceLevel, p.TargetServiceLevel)
			if cur, ok := seen.minSL[key]; !ok || string(p.ServiceLevel) < cur {
				seen.minSL[key] = string(p.ServiceLevel)
			}
		}
		bots := "-"
		if q.Spec.Chatbot != nil {
			bots = q.Status.Chatbot.Summary
			seen.maxBots[key] = max(seen.maxBots[key], q.Status.Chatbot.DesiredReplicas)
		}
		seen.maxAgents[key] = max(seen.maxAgents[key], q.Status.Agents.DesiredReplicas)
		surge := orDash(strings.Join(q.Status.ActiveSurgePlans, ","))
		metrics := "-"
		if c := meta.FindStatusCondition(q.Status.Conditions, supportv1alpha1.ConditionMetricsAvailable); c != nil {
			metrics = c.Reason
		}
		_, _ = fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", q.Name, q.Spec.Channel, inflow, orDash(q.Status.Agents.Summary), orDash(bots), sl, surge, metrics)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(plans) == 0 {
		return nil
	}
	if _, err := fmt.Fprintln(out); err != nil {
		return err
	}
	w = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(w, "PLAN\tMODE\tPHASE\tFOR\tWHY")
	for _, p := range plans {
		since := "-"
		if p.Status.Since != nil {
			since = now.Sub(p.Status.Since.Time).Round(time.Second).String()
		}
		why := p.Status.Message
		if len(why) > 90 {
			why = why[:87] + "..."
		}
		if p.Status.Phase == supportv1alpha1.SurgePhaseActive && seen.firstSurge.IsZero() {
			seen.firstSurge = now
		}
		_, _ = fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p.Name, p.Spec.Mode, orDash(string(p.Status.Phase)), since, orDash(why))
	}
	return w.Flush()
}

func renderSummary(out io.Writer, seen *extremes, plans []supportv1alpha1.SurgePlan) error {
	if _, err := fmt.Fprintln(out, "\nSummary"); err != nil {
		return err
	}
	keys := make([]string, 0, len(seen.maxAgents))
	for k := range seen.maxAgents {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(w, "QUEUE\tPEAK INFLOW/H\tPEAK AGENTS\tPEAK BOTS\tLOWEST PREDICTED SL")
	for _, k := range keys {
		_, _ = fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%s\n", k, seen.maxInflow[k], seen.maxAgents[k], seen.maxBots[k], orDash(seen.minSL[k]))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	w = tabwriter.NewWriter(out, 0, 0, 1, ' ', 0)
	for _, p := range plans {
		_, _ = fmt.Fprintf(w, "\nSurge plan %s transitions:\n", p.Name)
		for _, h := range p.Status.History {
			_, _ = fmt.Fprintf(w, "  %s\t%s -> %s\t%s:\t%s\n", h.Time.Format("15:04:05"), orDash(string(h.From)), h.To, h.Reason, h.Message)
		}
	}
	return w.Flush()
}
