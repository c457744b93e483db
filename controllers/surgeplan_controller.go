package controllers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/clip"
	"github.com/frontline-dev/frontline/internal/inflow"
	"github.com/frontline-dev/frontline/internal/metrics"
	"github.com/frontline-dev/frontline/internal/scaling"
	"github.com/frontline-dev/frontline/internal/schedule"
	"github.com/frontline-dev/frontline/internal/sources"
	"github.com/frontline-dev/frontline/internal/surge"
	"github.com/frontline-dev/frontline/internal/surgestatus"
	"github.com/frontline-dev/frontline/internal/tenancy"
)

var surgeActive = prometheus.NewGaugeVec(prometheus.GaugeOpts{
	Name: "frontline_surge_active",
	Help: "1 while the SurgePlan is Active, else 0.",
}, []string{"namespace", "plan"})

func init() { ctrlmetrics.Registry.MustRegister(surgeActive) }

// SurgePlanReconciler evaluates a plan's triggers on its interval and moves
// it through its lifecycle. The queues read the plan's phase from status, so
// the surge survives an operator restart.
type SurgePlanReconciler struct {
	client.Client
	Recorder events.EventRecorder
	Clock    clock.PassiveClock
	// Sources resolves a plan's prometheus to a client, or refuses it.
	Sources *sources.Registry

	// Workers is MaxConcurrentReconciles.
	Workers int

	// reads runs trigger reads off the workers (set up by SetupWithManager).
	reads *triggerReads
}

// Reconcile evaluates the plan once and schedules the next evaluation.
func (r *SurgePlanReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	p := &supportv1alpha1.SurgePlan{}
	if err := r.Get(ctx, req.NamespacedName, p); err != nil {
		if client.IgnoreNotFound(err) == nil {
			surgeActive.DeleteLabelValues(req.Namespace, req.Name)
			r.reads.forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := p.DeepCopy()
	rec := &pendingEvents{to: r.Recorder}
	defer finishReconcile(ctx, r.Client, "SurgePlan", before, p, func(o *supportv1alpha1.SurgePlan) any { return o.Status }, rec, &retErr)
	if err := p.DecodeError(); err != nil {
		surgeActive.DeleteLabelValues(req.Namespace, req.Name)
		stallUndecodable(p, &p.Status.Conditions, &p.Status.ObservedGeneration, p.Generation, err, rec)
		return ctrl.Result{}, nil
	}
	now := r.Clock.Now().Truncate(time.Second)

	// Admission cannot check every selector (an In without values, a bad
	// label value). Until it is fixed the plan acts on the queues its
	// status lists and goes on evaluating (overrides, their expiry,
	// triggers), and it says it is stalled.
	sel, selErr := metav1.LabelSelectorAsSelector(&p.Spec.QueueSelector)
	queues, err := r.selectedQueues(ctx, p, sel, selErr != nil)
	if err != nil {
		return ctrl.Result{}, err
	}
	if selErr != nil {
		defer stallOnSelector(p, selErr, rec)
	}
	in, evaluating, overrideErr := surge.InputFor(p, now)
	open, scheduleErr := openEvents(p, in, now)
	in.Event = schedule.Running(open, now)
	var refused *sources.Refusal
	read := true // whether in.Triggers says if the triggers can be read
	if evaluating {
		in.Triggers, refused, read = r.reads.latest(ctx, p, now, func(ctx context.Context, p *supportv1alpha1.SurgePlan) ([]surge.Trigger, *sources.Refusal) {
			return r.readTriggers(ctx, p, queues, now)
		})
	}

	next, tr := surge.Step(surgestatus.State(p.Status), in)
	surgestatus.Record(p, queues, next, tr, in, now, overrideErr)
	recordSchedule(p, before.Status.Events, open, scheduleErr, queues, in.Off(), now, rec)
	if read {
		surgestatus.RecordTriggersAvailable(&p.Status, in.Triggers, refused, p.Generation)
	}
	recordMissingTranslations(p, queues, rec)
	if m, changed := surgestatus.Manual(p, now); changed {
		p.Status.Manual = m
	}
	for _, e := range surgestatus.Events(before, p, tr, overrideErr, in.Mode) {
		if e.Type == corev1.EventTypeWarning {
			log.FromContext(ctx).Info("plan warning", "plan", req.NamespacedName, "reason", e.Reason, "message", e.Message)
		}
		rec.Eventf(p, nil, e.Type, e.Reason, e.Action, "%s", e.Message)
	}
	active := 0.0
	if next.Phase == surge.Active {
		active = 1
	}
	surgeActive.WithLabelValues(p.Namespace, p.Name).Set(active)

	return ctrl.Result{RequeueAfter: surgestatus.Requeue(p, in, now)}, nil
}

// selectedQueues are the plan's queues: those its selector matches, or
// with a selector that does not parse (listed), those its status lists.
func (r *SurgePlanReconciler) selectedQueues(ctx context.Context, p *supportv1alpha1.SurgePlan, sel labels.Selector, listed bool) ([]supportv1alpha1.SupportQueue, error) {
	opts := []client.ListOption{client.InNamespace(p.Namespace)}
	if !listed {
		opts = append(opts, client.MatchingLabelsSelector{Selector: sel})
	}
	var list supportv1alpha1.SupportQueueList
	if err := r.List(ctx, &list, opts...); err != nil {
		return nil, err
	}
	queues := slices.DeleteFunc(list.Items, func(q supportv1alpha1.SupportQueue) bool {
		return q.DecodeError() != nil || listed && !slices.Contains(p.Status.Queues, q.Name)
	})
	sort.Slice(queues, func(i, j int) bool { return queues[i].Name < queues[j].Name })
	return queues, nil
}

// readTriggers reads every trigger; a failed or empty read is Known=false,
// which neither fires the plan nor ends it. The plan's source may be
// refused (not defined, address not allowed): then nothing is read, and
// the refusal is returned for the TriggersAvailable condition.
func (r *SurgePlanReconciler) readTriggers(ctx context.Context, p *supportv1alpha1.SurgePlan, queues []supportv1alpha1.SupportQueue, now time.Time) ([]surge.Trigger, *sources.Refusal) {
	api, src, apiErr := r.Sources.API(p.Spec.Prometheus)
	var refused *sources.Refusal
	errors.As(apiErr, &refused) // stays nil unless the source is refused
	query := func(api metrics.API, q string) (float64, string) {
		qctx, cancel := context.WithTimeout(ctx, triggerTimeout(p))
		defer cancel()
		val, _, _, err := api.Query(metrics.SingleValue(qctx), q, now)
		if err != nil {
			return 0, "query failed: " + err.Error()
		}
		vec, ok := val.(model.Vector)
		switch {
		case !ok:
			return 0, fmt.Sprintf("query returned a %s, want an instant vector", val.Type())
		case len(vec) != 1:
			return 0, fmt.Sprintf("query returned %d series, want exactly 1 (aggregate it, e.g. max(...))", len(vec))
		case math.IsNaN(float64(vec[0].Value)):
			return 0, "query returned NaN"
		}
		return float64(vec[0].Value), ""
	}
	names := make([]string, len(queues))
	for i, q := range queues {
		names[i] = q.Name
	}
	matcher := surge.QueueMatcher(p.Namespace, names)

	read := func(spec surge.TriggerSpec) surge.Trigger {
		switch spec.Kind {
		case surge.KindInflowSpike, surge.KindBacklog:
			if len(names) == 0 {
				return spec.Failed("the plan's queueSelector selects no queue")
			}
			if apiErr != nil {
				return spec.Failed("Prometheus client: " + apiErr.Error())
			}
			if spec.Kind == surge.KindInflowSpike {
				return r.readSpike(ctx, api, spec, matcher, now, triggerTimeout(p))
			}
			v, why := query(api, surge.BacklogSumQuery(matcher))
			return reading(spec, v, why)
		default:
			api, src, err := api, src, apiErr
			if spec.Source != "" {
				api, src, err = r.Sources.API(&supportv1alpha1.PrometheusSource{Source: spec.Source})
			}
			if err != nil {
				return spec.Failed("Prometheus client: " + err.Error())
			}
			q, err := confinedQuery(spec.Query, src, p.Namespace)
			if err != nil {
				return spec.Failed(err.Error())
			}
			v, why := query(api, q)
			if why != "" && q != spec.Query {
				why += fmt.Sprintf(" (read on tenant-scoped source %q, confined to namespace %s)", src.Name, p.Namespace)
			}
			return reading(spec, v, why)
		}
	}
	// Triggers are read concurrently: a slow query costs the evaluation
	// one timeout, not one per trigger.
	specs := surge.TriggerSpecs(p)
	out := make([]surge.Trigger, len(specs))
	var wg sync.WaitGroup
	for i, spec := range specs {
		wg.Go(func() { out[i] = read(spec) })
	}
	wg.Wait()
	return out, refused
}

// confinedQuery is an external trigger's query as the plan may read it: on
// a tenant-scoped source, confined to the plan's namespace (a tenant reads
// its own series only); on a shared one, as written.
func confinedQuery(query string, src sources.Source, namespace string) (string, error) {
	if src.Tenancy != sources.TenancyTenant {
		return query, nil
	}
	q, err := tenancy.Confine(query, namespace)
	if err != nil {
		return "", fmt.Errorf("query on tenant-scoped source %q: %w", src.Name, err)
	}
	return q, nil
}

// triggerTimeout bounds one trigger read: an evaluation interval, at most
// 10 s, so a Prometheus that does not answer delays the plan's next
// evaluation by no more than one interval.
func triggerTimeout(p *supportv1alpha1.SurgePlan) time.Duration {
	return min(surge.EvaluationInterval(p), 10*time.Second)
}

// reading is a trigger read from one query: its value, or why not.
func reading(spec surge.TriggerSpec, v float64, failure string) surge.Trigger {
	if failure != "" {
		return spec.Failed(failure)
	}
	return spec.Reading(v, true, true)
}

// readSpike reads the plan's queues' raw counter samples over the window
// and each series' baseline with how much data it rests on, and runs the
// spike detector on them. A series without a baseline (no history before
// the window) is left out: a rise needs something to rise from.
func (r *SurgePlanReconciler) readSpike(ctx context.Context, api metrics.API, spec surge.TriggerSpec, matcher string, now time.Time, timeout time.Duration) surge.Trigger {
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	samples, err := metrics.ReadSeries(qctx, api, surge.SpikeSamplesQuery(matcher, spec.Window), now)
	if err != nil {
		return spec.Failed("counter samples: " + err.Error())
	}
	var rates, counts, tickets map[string]float64
	for _, q := range []struct {
		into  *map[string]float64
		what  string
		query string
	}{
		{&rates, "baseline", surge.SpikeBaselineQuery(matcher, spec.Window, spec.Baseline)},
		{&counts, "baseline samples", surge.SpikeBaselineSamplesQuery(matcher, spec.Window, spec.Baseline)},
		{&tickets, "baseline tickets", surge.SpikeBaselineTicketsQuery(matcher, spec.Window, spec.Baseline)},
	} {
		if *q.into, err = metrics.ReadByLabels(qctx, api, q.query, now); err != nil {
			return spec.Failed(q.what + ": " + err.Error())
		}
	}
	series := make([]inflow.SpikeSeries, 0, len(samples))
	for id, ss := range samples {
		rate, hasRate := rates[id]
		if s, ok := spec.SpikeSeries(ss, surge.SpikeBaseline{Rate: rate, HasRate: hasRate, Samples: counts[id], Tickets: tickets[id]}); ok {
			series = append(series, s)
		}
	}
	return spec.Spike(series)
}

// SetupWithManager watches plans (spec and annotation changes) and the
// queues they may select.
func (r *SurgePlanReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.reads = newTriggerReads()
	return ctrl.NewControllerManagedBy(mgr).
		For(&supportv1alpha1.SurgePlan{}, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		WatchesRawSource(source.Channel(r.reads.wake, &handler.EnqueueRequestForObject{})).
		Named("surgeplan").
		WithOptions(controller.Options{MaxConcurrentReconciles: max(r.Workers, 1)}).
		Complete(r)
}

// PlanSurges tells a queue what its Active plans add (combined by
// surge.Combine) and the inflow their open scheduled events expect.
type PlanSurges struct {
	Client client.Reader
	Clock  clock.PassiveClock
}

// SurgeFor implements SurgeSource.
func (s PlanSurges) SurgeFor(ctx context.Context, q *supportv1alpha1.SupportQueue) (scaling.Surge, []string, []PinnedEntry, error) {
	var plans supportv1alpha1.SurgePlanList
	if err := s.Client.List(ctx, &plans, client.InNamespace(q.Namespace)); err != nil {
		return scaling.Surge{}, nil, nil, err
	}
	now := s.Clock.Now()
	var active []supportv1alpha1.SurgePlan
	scheduled := 0.0
	for _, p := range plans.Items {
		if p.DecodeError() != nil {
			continue
		}
		if !planSelects(&p, q) {
			continue
		}
		scheduled = max(scheduled, schedule.QueueInflowPerHour(p.Status.Events, q.Name, now)/3600)
		if p.Status.Phase == supportv1alpha1.SurgePhaseActive {
			active = append(active, p)
		}
	}
	out, names, pinned := surge.Combine(active)
	out.ScheduledInflowPerSecond = scheduled
	return out, names, pinned, nil
}

// stallOnSelector says, after the plan's evaluation is recorded, that its
// selector does not parse: Stalled (Ready False), with a Warning Event
// when that is news. The parser's words are clipped: a label value may be
// long, and an Event's note holds 1 KiB.
func stallOnSelector(p *supportv1alpha1.SurgePlan, selErr error, rec events.EventRecorder) {
	msg := clip.String(fmt.Sprintf("spec.queueSelector: %v", selErr), 600) + "; the plan acts on the queues it last selected until it is fixed"
	stall(p, &p.Status.Conditions, &p.Status.ObservedGeneration, p.Generation, supportv1alpha1.ReasonInvalidSpec, "Validate", msg, rec)
}

// planSelects reports whether the plan acts on the queue: its selector
// matches the queue's labels (a queue relabelled away since the plan
// opened an event is no longer sized). While the selector is invalid the
// plan acts on the queues its status lists, so an edit gone wrong does not
// drop a surge under way.
func planSelects(p *supportv1alpha1.SurgePlan, q *supportv1alpha1.SupportQueue) bool {
	sel, err := metav1.LabelSelectorAsSelector(&p.Spec.QueueSelector)
	if err != nil {
		return slices.Contains(p.Status.Queues, q.Name)
	}
	return sel.Matches(labels.Set(q.Labels))
}

// queuesForPlan wakes the queues a plan selects or selected.
func queuesForPlan(c client.Reader) func(context.Context, client.Object) []reconcile.Request {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		p := o.(*supportv1alpha1.SurgePlan)
		if p.DecodeError() != nil {
			return nil // its selector is unknown; it acts on no queue
		}
		seen := map[string]bool{}
		for _, n := range p.Status.Queues {
			seen[n] = true
		}
		if sel, err := metav1.LabelSelectorAsSelector(&p.Spec.QueueSelector); err == nil {
			var list supportv1alpha1.SupportQueueList
			if err := c.List(ctx, &list, client.InNamespace(p.Namespace), client.MatchingLabelsSelector{Selector: sel}); err == nil {
				for _, q := range list.Items {
					seen[q.Name] = true
				}
			}
		}
		reqs := make([]reconcile.Request, 0, len(seen))
		for n := range seen {
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: p.Namespace, Name: n}})
		}
		return reqs
	}
}
