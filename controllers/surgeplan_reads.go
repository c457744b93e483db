package controllers

import (
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/event"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/sources"
	"github.com/frontline-dev/frontline/internal/surge"
)

// triggerReads runs each plan's trigger reads off the reconcile workers:
// a plan on a slow or unanswering Prometheus waits on its own goroutine
// (at most one per plan, bounded by its trigger timeout), never on a
// worker the other plans need. A finished read wakes the plan, whose next
// reconcile uses it.
type triggerReads struct {
	mu    sync.Mutex
	plans map[types.NamespacedName]*planReads
	// wake carries a plan whose read finished to its reconciler.
	wake chan event.GenericEvent
}

// planReads is one plan's latest finished read and whether one is running.
type planReads struct {
	running bool
	last    *triggerResult
}

// triggerResult is one read of a plan's triggers.
type triggerResult struct {
	at         time.Time
	generation int64
	triggers   []surge.Trigger
	refused    *sources.Refusal
}

func newTriggerReads() *triggerReads {
	return &triggerReads{plans: map[types.NamespacedName]*planReads{}, wake: make(chan event.GenericEvent, 64)}
}

// staleAfter is how many intervals a read may be used for while a newer
// one runs: past it the triggers count as unknown (they neither fire nor
// end the plan) rather than repeat an old value.
const staleAfter = 3

// latest returns the triggers to evaluate the plan with now, and starts a
// read when the last one is an interval old and none is running. ok is
// false until a read of the plan's current spec has finished (every
// trigger is then unknown, which neither fires nor ends the plan, and
// says nothing about whether the triggers can be read), or when the last
// one is several intervals old.
func (r *triggerReads) latest(ctx context.Context, p *supportv1alpha1.SurgePlan, now time.Time, read func(context.Context, *supportv1alpha1.SurgePlan) ([]surge.Trigger, *sources.Refusal)) (_ []surge.Trigger, _ *sources.Refusal, ok bool) {
	key := types.NamespacedName{Namespace: p.Namespace, Name: p.Name}
	interval := surge.EvaluationInterval(p)
	r.mu.Lock()
	defer r.mu.Unlock()
	pr := r.plans[key]
	if pr == nil {
		pr = &planReads{}
		r.plans[key] = pr
	}
	last := pr.last
	if last != nil && last.generation != p.Generation {
		last = nil // read for triggers the plan no longer has
	}
	if (last == nil || now.Sub(last.at) >= interval) && !pr.running {
		pr.running = true
		plan := p.DeepCopy()
		// The read outlives the reconcile that starts it; each query is
		// bounded by the plan's trigger timeout.
		ctx := context.WithoutCancel(ctx)
		go func() {
			triggers, refused := read(ctx, plan)
			r.mu.Lock()
			pr.running = false
			if r.plans[key] == pr {
				pr.last = &triggerResult{at: now, generation: plan.Generation, triggers: triggers, refused: refused}
			}
			r.mu.Unlock()
			select {
			case r.wake <- event.GenericEvent{Object: plan}:
			default: // the reconciler is behind; the plan's own requeue reads the result
			}
		}()
	}
	if last == nil || now.Sub(last.at) >= staleAfter*interval {
		return unknownTriggers(p), nil, false
	}
	return last.triggers, last.refused, true
}

// forget drops a deleted plan's reads.
func (r *triggerReads) forget(key types.NamespacedName) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.plans, key)
}

// unknownTriggers are the plan's triggers with no reading yet.
func unknownTriggers(p *supportv1alpha1.SurgePlan) []surge.Trigger {
	var out []surge.Trigger
	for _, spec := range surge.TriggerSpecs(p) {
		out = append(out, spec.Failed("not read yet"))
	}
	return out
}
