package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/types"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/scaling"
)

// Binding constraints: what sets a queue's agents.
const (
	BindsServiceLevel  = "serviceLevel"
	BindsFirstResponse = "firstResponse"
	BindsOccupancy     = "maxOccupancy"
	BindsMaxReplicas   = "maxReplicas"
)

// fromQueueFlags come from the queue and its SLAPolicy when plan sizes a
// queue: setting them as well is a usage error.
var fromQueueFlags = map[string]string{
	"channel":              "spec.channel",
	"service-level":        "the SLAPolicy's target",
	"within":               "the SLAPolicy's target",
	"max-occupancy":        "the SLAPolicy's spec.maxOccupancy",
	"shrinkage":            "the SLAPolicy's spec.shrinkage",
	"concurrency":          "spec.agents.concurrency",
	"concurrency-slowdown": "the queue",
}

// notForChannel says which flags a channel's model does not read.
func notForChannel(channel string, changed func(string) bool) []string {
	var out []string
	realTime := channel == "chat" || channel == "phone"
	for flag, applies := range map[string]bool{
		"backlog":              !realTime,
		"patience":             realTime,
		"service-level":        realTime,
		"concurrency":          channel == "chat",
		"concurrency-slowdown": channel == "chat",
	} {
		if !applies && changed(flag) {
			out = append(out, flag)
		}
	}
	return out
}

func warnNotForChannel(s Streams, channel string, changed func(string) bool) {
	model := map[bool]string{true: "Erlang C", false: "the backlog model"}[channel == "chat" || channel == "phone"]
	for _, f := range notForChannel(channel, changed) {
		_, _ = fmt.Fprintf(s.Err, "warning: --%s does not apply to %s (%s); ignored\n", f, channel, model)
	}
}

// queueSource reads the queue and its SLAPolicy: from the files (-f), or
// from the cluster for sq/NAME.
func (o *planOptions) queueSource(ctx context.Context, stdin io.Reader, kube *surgeOptions, args []string) (*supportv1alpha1.SupportQueue, *supportv1alpha1.SLAPolicy, error) {
	if len(args) == 0 {
		rs, err := loadResources(stdin, o.files, o.queue)
		if err != nil {
			return nil, nil, err
		}
		return rs[0].queue, rs[0].policy, nil
	}
	kind, name, ok := strings.Cut(args[0], "/")
	if !ok || (kind != "sq" && kind != "supportqueue" && kind != "supportqueues") || name == "" {
		return nil, nil, &usageError{fmt.Errorf("%q: want sq/NAME (a SupportQueue in the cluster)", args[0])}
	}
	c, ns, err := kube.client()
	if err != nil {
		return nil, nil, err
	}
	q := &supportv1alpha1.SupportQueue{}
	if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, q); err != nil {
		return nil, nil, fmt.Errorf("supportqueue %s/%s: %w", ns, name, err)
	}
	p := &supportv1alpha1.SLAPolicy{}
	if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: q.Spec.SLAPolicyRef.Name}, p); err != nil {
		return nil, nil, fmt.Errorf("slapolicy %s/%s (the queue's slaPolicyRef): %w", ns, q.Spec.SLAPolicyRef.Name, err)
	}
	return q, p, nil
}

// planQueue sizes a queue with the operator's own function
// (scaling.ComputeNeed: bots first, then agents for the human share) and
// says which constraint binds.
func (o *planOptions) planQueue(cmd *cobra.Command, q *supportv1alpha1.SupportQueue, policy *supportv1alpha1.SLAPolicy) (PlanResult, error) {
	for flag, source := range fromQueueFlags {
		if cmd.Flags().Changed(flag) {
			return PlanResult{}, &flagError{flag, "comes from " + source + " when sizing a queue; edit it there"}
		}
	}
	shape, err := scaling.ShapeOf(q)
	if err != nil {
		return PlanResult{}, err
	}
	target, err := scaling.TargetOf(policy, q.Spec.Channel, q.Spec.Priority)
	if err != nil {
		return PlanResult{}, err
	}
	var m scaling.Measurements
	switch measured := q.Status.Measured; {
	case cmd.Flags().Changed("inflow-per-hour"):
		v := o.inflowPerHour / 3600
		m.InflowPerSecond = &v
	case measured != nil && measured.SizedForInflowPerHour != nil:
		v := float64(*measured.SizedForInflowPerHour) / 3600
		m.InflowPerSecond = &v
	default:
		return PlanResult{}, &flagError{"inflow-per-hour", "required: the queue has no measured inflow to size for"}
	}
	if cmd.Flags().Changed("aht") {
		v := o.aht.Seconds()
		m.HandleTimeSeconds = &v
	}
	if cmd.Flags().Changed("backlog") {
		m.Backlog = &o.backlog
	}
	need, err := scaling.ComputeNeed(shape, target, m)
	if err != nil {
		return PlanResult{}, err
	}
	uncapped := target
	uncapped.MaxOccupancy = 1
	free, err := scaling.ComputeNeed(shape, uncapped, m)
	if err != nil {
		return PlanResult{}, err
	}
	res := PlanResult{Channel: string(q.Spec.Channel), Queue: q.Name, Agents: int(need.Agents), ScheduledAgents: int(need.Prediction.Scheduled)}
	res.Model, res.Binding = "backlog", BindsFirstResponse
	if target.RealTime {
		res.Model, res.Binding = "erlang-c", BindsServiceLevel
	}
	if target.Headroom > 0 {
		res.SizedFor = target.SizedFor()
	}
	if need.Agents > free.Agents {
		res.Binding = BindsOccupancy
	}
	replicas := scaling.Clamp(need.Agents, shape.Agents.Min, shape.Agents.Max)
	if need.Agents > shape.Agents.Max {
		res.Binding = BindsMaxReplicas
	}
	res.Replicas = int(replicas)
	backlog := 0.0
	if m.Backlog != nil {
		backlog = *m.Backlog
	}
	p := scaling.Predict(replicas, shape, target, need.Prediction.HumanInflow, need.Prediction.HandleSeconds, backlog)
	res.ServiceLevel, res.ASASeconds, res.Occupancy = p.ServiceLevel, p.ASASeconds, p.Occupancy
	res.OfferedLoad = need.Prediction.HumanInflow * need.Prediction.HandleSeconds
	if math.IsInf(res.ASASeconds, 1) || float64(replicas) <= res.OfferedLoad/float64(max(shape.Agents.Concurrency, 1)) {
		// Capped at or below the load: the queue (or the backlog) grows
		// without limit, whatever the model's steady-state figure says.
		res.ASASeconds = unboundedWait
	}
	if shape.Bots != nil {
		res.Bots = int(scaling.Clamp(need.Bots, shape.Bots.Min, shape.Bots.Max))
	}
	return res, nil
}
