package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/scaling"
	"github.com/frontline-dev/frontline/internal/schedule"
	"github.com/frontline-dev/frontline/internal/surge"
)

// queueGain is what one queue would run with the plan Active.
type queueGain struct {
	Queue                    string
	AgentsNow, AgentsWith    int32
	BotsNow, BotsWith        int32
	HasBots                  bool
	PinnedFAQs, PinnedBefore int
}

// printDryRun prints what each queue the plan selects would gain if it were
// forced on now: the operator's own decision (scaling.DecideQueue) with
// the queue's active plans and this one combined (surge.Combine), from the
// queue's last measurements. Nothing is written.
func (o *surgeOptions) printDryRun(ctx context.Context, name string) error {
	c, plan, err := o.getPlan(ctx, name)
	if err != nil {
		return err
	}
	ns := plan.Namespace
	sel, err := metav1.LabelSelectorAsSelector(&plan.Spec.QueueSelector)
	if err != nil {
		return fmt.Errorf("surgeplan %s/%s: spec.queueSelector: %w", ns, name, err)
	}
	var queues supportv1alpha1.SupportQueueList
	if err := c.List(ctx, &queues, client.InNamespace(ns), client.MatchingLabelsSelector{Selector: sel}); err != nil {
		return err
	}
	var plans supportv1alpha1.SurgePlanList
	if err := c.List(ctx, &plans, client.InNamespace(ns)); err != nil {
		return err
	}
	var gains []queueGain
	for i := range queues.Items {
		q := &queues.Items[i]
		active, err := activePlans(ctx, c, q, name)
		if err != nil {
			return err
		}
		var target *scaling.Target
		policy := &supportv1alpha1.SLAPolicy{}
		if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: q.Spec.SLAPolicyRef.Name}, policy); err == nil {
			if t, err := scaling.TargetOf(policy, q.Spec.Channel, q.Spec.Priority); err == nil {
				target = &t
			}
		}
		g, err := gainOf(q, target, active, *plan, scheduledPerHour(plans.Items, q, o.now()), o.now())
		if err != nil {
			return fmt.Errorf("supportqueue %s/%s: %w", ns, q.Name, err)
		}
		gains = append(gains, g)
	}
	return printGains(o.s.Out, fmt.Sprintf("%s/%s", ns, name), gains)
}

// scheduledPerHour is the inflow the plans' open events ask the queue to
// be sized for now, as the operator reads it.
func scheduledPerHour(plans []supportv1alpha1.SurgePlan, q *supportv1alpha1.SupportQueue, now time.Time) float64 {
	best := 0.0
	for _, p := range plans {
		if sel, err := metav1.LabelSelectorAsSelector(&p.Spec.QueueSelector); err == nil && sel.Matches(labels.Set(q.Labels)) {
			best = max(best, schedule.QueueInflowPerHour(p.Status.Events, q.Name, now))
		}
	}
	return best
}

// activePlans are the plans already Active on the queue, but the one
// being tried.
func activePlans(ctx context.Context, c client.Client, q *supportv1alpha1.SupportQueue, except string) ([]supportv1alpha1.SurgePlan, error) {
	var out []supportv1alpha1.SurgePlan
	for _, n := range q.Status.ActiveSurgePlans {
		if n == except {
			continue
		}
		p := &supportv1alpha1.SurgePlan{}
		if err := c.Get(ctx, types.NamespacedName{Namespace: q.Namespace, Name: n}, p); err != nil {
			return nil, fmt.Errorf("surgeplan %s/%s (active on %s): %w", q.Namespace, n, q.Name, err)
		}
		out = append(out, *p)
	}
	return out, nil
}

// gainOf decides the queue's replicas as the operator would with the plan
// added to those active, from its last measurements (none: held, plus the
// plan's extras).
func gainOf(q *supportv1alpha1.SupportQueue, target *scaling.Target, active []supportv1alpha1.SurgePlan, plan supportv1alpha1.SurgePlan, scheduled float64, now time.Time) (queueGain, error) {
	shape, err := scaling.ShapeOf(q)
	if err != nil {
		return queueGain{}, err
	}
	agents, bots := q.Status.Agents.DesiredReplicas, q.Status.Chatbot.DesiredReplicas
	in := scaling.QueueInputFor(q, shape, target, now)
	in.Agents, in.Bots = scaling.RoleState{Replicas: &agents}, scaling.RoleState{Replicas: &bots}
	if m := q.Status.Measured; m != nil && m.SizedForInflowPerHour != nil {
		rate := float64(*m.SizedForInflowPerHour) / 3600
		in.MetricsOK, in.Measurements.InflowPerSecond = true, &rate
		if m.AverageHandleTime != nil {
			v := m.AverageHandleTime.Seconds()
			in.Measurements.HandleTimeSeconds = &v
		}
		if m.Backlog != nil {
			v := float64(*m.Backlog)
			in.Measurements.Backlog = &v
		}
	}
	_, _, pinnedBefore := surge.Combine(active)
	var pinned []surge.Pinned
	in.Surge, _, pinned = surge.Combine(append(active, plan))
	in.Surge.ScheduledInflowPerSecond = scheduled / 3600
	d := scaling.DecideQueue(in)
	return queueGain{Queue: q.Name, AgentsNow: agents, AgentsWith: max(d.Agents.Replicas, agents),
		BotsNow: bots, BotsWith: max(d.Bots.Replicas, bots), HasBots: shape.Bots != nil,
		PinnedFAQs: len(pinned), PinnedBefore: len(pinnedBefore)}, nil
}

func printGains(out io.Writer, plan string, gains []queueGain) error {
	if _, err := fmt.Fprintf(out, "surgeplan %s (dry run, nothing changed): forced on now, it would give\n", plan); err != nil {
		return err
	}
	if len(gains) == 0 {
		_, err := fmt.Fprintln(out, "  no queue: the plan's queueSelector selects none")
		return err
	}
	w := tabwriter.NewWriter(out, 0, 0, 3, ' ', 0)
	_, _ = fmt.Fprintln(w, "QUEUE\tAGENTS\tBOTS\tPINNED FAQS")
	for _, g := range gains {
		bots := "-"
		if g.HasBots {
			bots = change(g.BotsNow, g.BotsWith)
		}
		faqs := fmt.Sprintf("%d", g.PinnedFAQs)
		if n := g.PinnedFAQs - g.PinnedBefore; n > 0 {
			faqs += fmt.Sprintf(" (+%d)", n)
		}
		_, _ = fmt.Fprintln(w, strings.Join([]string{g.Queue, change(g.AgentsNow, g.AgentsWith), bots, faqs}, "\t"))
	}
	return w.Flush()
}

func change(from, to int32) string {
	if to == from {
		return fmt.Sprintf("%d (no change)", from)
	}
	return fmt.Sprintf("%d -> %d (+%d)", from, to, to-from)
}
