package controllers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/conditions"
	kbase "github.com/frontline-dev/frontline/internal/knowledge"
	"github.com/frontline-dev/frontline/internal/polling"
	"github.com/frontline-dev/frontline/internal/queuestatus"
	"github.com/frontline-dev/frontline/internal/scaling"
)

// slaPolicyRefIndex indexes queues by the SLAPolicy they reference.
const slaPolicyRefIndex = "spec.slaPolicyRef.name"

// SurgeSource tells the queue reconciler what active surge plans add to a
// queue and which incident FAQs they pin. The SurgePlan controller
// provides it; nil means no surges.
type SurgeSource interface {
	SurgeFor(ctx context.Context, q *supportv1alpha1.SupportQueue) (scaling.Surge, []string, []PinnedEntry, error)
}

// SupportQueueReconciler turns a SupportQueue into its Deployments, Service,
// knowledge ConfigMap and PodDisruptionBudgets, sized from live traffic.
type SupportQueueReconciler struct {
	client.Client
	// APIReader reads objects the cache does not hold (the user's FAQ
	// ConfigMap: only our own ConfigMaps are cached).
	APIReader  client.Reader
	Recorder   events.EventRecorder
	Clock      clock.PassiveClock
	Readings   *polling.Store
	PollEvents <-chan event.GenericEvent
	Surges     SurgeSource
	// Workers is how many queues reconcile at once.
	Workers int

	// started is when this reconciler first ran (as leader): the poller's
	// store was empty then.
	startOnce sync.Once
	started   time.Time
}

// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=services,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;update;patch;delete

// Children carry an ownerReference with blockOwnerDeletion: under the
// OwnerReferencesPermissionEnforcement admission plugin (OpenShift, and any
// cluster that enables it) that needs update on the owner's finalizers.
// +kubebuilder:rbac:groups=support.frontline.dev,resources=supportqueues/finalizers,verbs=update

// queueInputs is what one reconcile gathers before deciding.
type queueInputs struct {
	policy     *supportv1alpha1.SLAPolicy
	target     *scaling.Target
	policyErr  error // why there is no target
	reading    *polling.Reading
	agents     *appsv1.Deployment
	chatbot    *appsv1.Deployment
	userFAQ    map[string]string
	faqMissing bool
	surge      scaling.Surge
	surgePlans []string
	pinned     []PinnedEntry
}

// Reconcile gathers, decides, applies and records status.
func (r *SupportQueueReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	q := &supportv1alpha1.SupportQueue{}
	if err := r.Get(ctx, req.NamespacedName, q); err != nil {
		if apierrors.IsNotFound(err) {
			forgetQueueMetrics(req.Namespace, req.Name)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if !q.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil // owner references garbage-collect the children
	}
	before := q.DeepCopy()
	rec := &pendingEvents{to: r.Recorder}
	defer finishReconcile(ctx, r.Client, "SupportQueue", before, q, func(o *supportv1alpha1.SupportQueue) any { return o.Status }, rec, &retErr)
	if err := q.DecodeError(); err != nil {
		forgetQueueMetrics(req.Namespace, req.Name)
		stallUndecodable(q, &q.Status.Conditions, &q.Status.ObservedGeneration, q.Generation, err, rec)
		return ctrl.Result{}, nil
	}
	if r.awaitingFirstReading(q) {
		return ctrl.Result{RequeueAfter: time.Second}, nil
	}

	now := r.Clock.Now().Truncate(time.Second)
	in, err := r.gather(ctx, q)
	if err != nil {
		markFailed(q, supportv1alpha1.ReasonReadFailed, err)
		return ctrl.Result{}, err
	}
	shape, err := scaling.ShapeOf(q)
	if err != nil {
		markStalled(q, supportv1alpha1.ReasonInvalidSpec, err.Error())
		return ctrl.Result{}, nil
	}
	decision := scaling.DecideQueue(r.decisionInput(now, q, shape, in))
	probs, err := r.applyChildren(ctx, q, in, decision)
	if err != nil {
		markFailed(q, supportv1alpha1.ReasonApplyFailed, err)
		return ctrl.Result{}, err
	}
	r.recordStatus(now, q, shape, in, decision, probs, rec)
	return ctrl.Result{}, nil
}

// firstReadingWait bounds how long a new queue waits for its first reading.
const firstReadingWait = 10 * time.Second

// awaitingFirstReading: the poller reads a new queue within a tick and then
// wakes it. Sizing it from that reading, rather than creating its children
// at the minimum and resizing them a second later, halves a new queue's
// writes. After a restart or a failover every queue is new to the poller:
// deciding without a reading would hold and say the metrics are unknown
// and the SLA at risk, a flip of every queue's status, Events and alerts
// on each upgrade. A queue goes on without a reading once it has waited
// long enough since its creation or this start, whichever is later
// (Prometheus slow or unreachable).
func (r *SupportQueueReconciler) awaitingFirstReading(q *supportv1alpha1.SupportQueue) bool {
	r.startOnce.Do(func() { r.started = r.Clock.Now() })
	if _, read := r.Readings.Get(polling.KeyOf(q)); read {
		return false
	}
	since := q.CreationTimestamp.Time
	if since.Before(r.started) {
		since = r.started
	}
	age := r.Clock.Since(since)
	return age >= 0 && age < firstReadingWait
}

func (r *SupportQueueReconciler) gather(ctx context.Context, q *supportv1alpha1.SupportQueue) (*queueInputs, error) {
	in := &queueInputs{}
	shared := &supportv1alpha1.SLAPolicy{}
	switch err := r.Get(ctx, types.NamespacedName{Namespace: q.Namespace, Name: q.Spec.SLAPolicyRef.Name}, shared, client.UnsafeDisableDeepCopy); {
	case apierrors.IsNotFound(err):
		in.policyErr = fmt.Errorf("SLAPolicy %q not found", q.Spec.SLAPolicyRef.Name)
	case err != nil:
		return nil, fmt.Errorf("reading SLAPolicy: %w", err)
	default:
		policy := policyWithoutStatus(shared)
		in.policy = policy
		t, err := scaling.TargetOf(policy, q.Spec.Channel, q.Spec.Priority)
		if err != nil {
			in.policyErr = fmt.Errorf("SLAPolicy %q: %w", policy.Name, err)
		} else {
			in.target = &t
		}
	}
	if rd, ok := r.Readings.Get(polling.KeyOf(q)); ok {
		in.reading = &rd
	}
	var err error
	if in.agents, err = r.liveDeployment(ctx, q.Namespace, agentsName(q)); err != nil {
		return nil, err
	}
	if q.Spec.Chatbot != nil {
		if in.chatbot, err = r.liveDeployment(ctx, q.Namespace, chatbotName(q)); err != nil {
			return nil, err
		}
		if kb := q.Spec.Chatbot.KnowledgeBase; kb != nil {
			cm := &corev1.ConfigMap{}
			switch err := r.APIReader.Get(ctx, types.NamespacedName{Namespace: q.Namespace, Name: kb.ConfigMapRef.Name}, cm); {
			case apierrors.IsNotFound(err):
				in.faqMissing = true
			case err != nil:
				return nil, fmt.Errorf("reading knowledge base: %w", err)
			default:
				in.userFAQ = cm.Data
			}
		}
	}
	if r.Surges != nil {
		if in.surge, in.surgePlans, in.pinned, err = r.Surges.SurgeFor(ctx, q); err != nil {
			return nil, fmt.Errorf("reading surge plans: %w", err)
		}
	}
	return in, nil
}

func (r *SupportQueueReconciler) liveDeployment(ctx context.Context, ns, name string) (*appsv1.Deployment, error) {
	d := &appsv1.Deployment{}
	if err := r.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, d); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return d, nil
}

// decisionInput translates the queue, its status and the gathered inputs
// into the pure decision's input.
func (r *SupportQueueReconciler) decisionInput(now time.Time, q *supportv1alpha1.SupportQueue, shape scaling.Shape, in *queueInputs) scaling.QueueInput {
	di := scaling.QueueInputFor(q, shape, in.target, now)
	di.Agents = roleState(q.Status.Agents, in.agents)
	di.Bots = roleState(q.Status.Chatbot, in.chatbot)
	di.Surge = in.surge
	if rd := in.reading; rd != nil {
		di.Failures = rd.Failures
		rd.Feed(&di)
	}
	return di
}

// roleState is the last decision from status; before the first one, a
// Deployment that already exists (operator upgraded, status lost) counts.
func roleState(st supportv1alpha1.ReplicaStatus, live *appsv1.Deployment) scaling.RoleState {
	rs := scaling.RoleState{}
	switch {
	case st.LastScaleTime != nil:
		v := st.DesiredReplicas
		rs.Replicas = &v
		rs.LastChange = st.LastScaleTime.Time
	case live != nil && live.Spec.Replicas != nil:
		v := *live.Spec.Replicas
		rs.Replicas = &v
	}
	if sd := st.ScaleDown; sd != nil {
		if sd.BelowSince != nil {
			t := sd.BelowSince.Time
			rs.ScaleDown.BelowSince = &t
		}
		for _, s := range sd.Recent {
			rs.ScaleDown.Recent = append(rs.ScaleDown.Recent, scaling.Recommendation{Time: s.Time.Time, Replicas: s.Replicas})
		}
	}
	return rs
}

// childProblems is what applying the children left undone, for status.
type childProblems struct {
	// conflicts name objects with a child's name that the queue did not
	// create (left untouched).
	conflicts []string
	// knowledgeTooLarge says why the knowledge base was not published.
	knowledgeTooLarge string
}

// applyChildren applies every child it can: a name conflict skips only
// that child, and the knowledge base comes last and apart, so agents and
// bots scale whatever happens to the FAQ.
func (r *SupportQueueReconciler) applyChildren(ctx context.Context, q *supportv1alpha1.SupportQueue, in *queueInputs, d scaling.QueueDecision) (childProblems, error) {
	a := childApplier{client: r.Client, reader: r.APIReader, owner: q}
	key := func(name string) types.NamespacedName {
		return types.NamespacedName{Namespace: q.Namespace, Name: name}
	}
	steps := []func() error{
		func() error {
			return applyChild(ctx, a, key(agentsName(q)), &appsv1.Deployment{},
				deployment(q, RoleAgents, q.Spec.Agents.Template, d.Agents.Replicas), appsv1ac.ExtractDeployment)
		},
		func() error {
			return applyChild(ctx, a, key(agentsName(q)), &policyv1.PodDisruptionBudget{},
				disruptionBudget(q, RoleAgents, agentsName(q)), policyv1ac.ExtractPodDisruptionBudget)
		},
	}
	var probs childProblems
	if q.Spec.Chatbot != nil {
		steps = append(steps,
			func() error {
				return applyChild(ctx, a, key(chatbotName(q)), &appsv1.Deployment{},
					deployment(q, RoleChatbot, q.Spec.Chatbot.Template, d.Bots.Replicas), appsv1ac.ExtractDeployment)
			},
			func() error {
				return applyChild(ctx, a, key(chatbotName(q)), &corev1.Service{}, chatbotService(q), corev1ac.ExtractService)
			},
			func() error {
				return applyChild(ctx, a, key(chatbotName(q)), &policyv1.PodDisruptionBudget{},
					disruptionBudget(q, RoleChatbot, chatbotName(q)), policyv1ac.ExtractPodDisruptionBudget)
			},
			func() error {
				data := kbase.Data(in.userFAQ, in.pinned, q.Spec.Languages)
				if size := knowledgeBytes(data); size > maxKnowledgeBytes {
					// Each language holds a copy of the pinned FAQs, so
					// they alone can overflow, with or without a user FAQ.
					fix := "shorten the pinned FAQs"
					if kb := q.Spec.Chatbot.KnowledgeBase; kb != nil {
						fix = fmt.Sprintf("shorten the FAQ in ConfigMap %q or the pinned FAQs", kb.ConfigMapRef.Name)
					}
					if n := len(q.Spec.Languages); n > 0 {
						fix += fmt.Sprintf(" (each of the queue's %d languages holds a copy)", n)
					}
					probs.knowledgeTooLarge = fmt.Sprintf("the knowledge base with its pinned FAQs is %d bytes, over the %d a ConfigMap holds: "+
						"it is not published and bots keep the last one; %s", size, maxKnowledgeBytes, fix)
					return nil
				}
				return applyChild(ctx, a, key(knowledgeName(q)), &corev1.ConfigMap{}, knowledgeConfigMap(q, data), corev1ac.ExtractConfigMap)
			})
	}
	for _, step := range steps {
		var conflict *NameConflictError
		switch err := step(); {
		case errors.As(err, &conflict):
			probs.conflicts = append(probs.conflicts, conflict.Error())
		case err != nil:
			return probs, err
		}
	}
	return probs, nil
}

// recordStatus writes the next status (queuestatus.Project), queues its
// Events for after the patch, and exports the queue's gauges.
func (r *SupportQueueReconciler) recordStatus(now time.Time, q *supportv1alpha1.SupportQueue, shape scaling.Shape, in *queueInputs, d scaling.QueueDecision,
	probs childProblems, rec events.EventRecorder) {
	pin := queuestatus.Input{Now: now, Queue: q, Shape: shape, Policy: in.policy, Target: in.target, PolicyErr: in.policyErr,
		AgentsReady: readyReplicasOf(in.agents), BotsReady: readyReplicasOf(in.chatbot),
		SurgePlans: in.surgePlans, FAQMissing: in.faqMissing, Decision: d,
		NameConflicts: probs.conflicts, KnowledgeTooLarge: probs.knowledgeTooLarge}
	if rd := in.reading; rd != nil {
		pin.Reading, pin.Failures = &rd.Reading, rd.Failures
	}
	next, evs := queuestatus.Project(pin)
	q.Status = next
	for _, e := range evs {
		rec.Eventf(q, nil, e.Type, e.Reason, e.Action, "%s", e.Message)
	}
	exportQueueGauges(q, pin.Reading)
}

func readyReplicasOf(d *appsv1.Deployment) int32 {
	if d == nil {
		return 0
	}
	return d.Status.ReadyReplicas
}

// markFailed: a failure the next attempt may not meet (the error is
// returned, so it is retried with backoff).
func markFailed(q *supportv1alpha1.SupportQueue, reason string, err error) {
	conditions.For(&q.Status.Conditions, q.Generation).Reconciling(reason, err.Error())
}

// markStalled: a human must act. observedGeneration says this generation
// was seen, so kstatus reports Failed rather than InProgress.
func markStalled(q *supportv1alpha1.SupportQueue, reason, msg string) {
	q.Status.ObservedGeneration = q.Generation
	conditions.For(&q.Status.Conditions, q.Generation).Stalled(reason, msg)
}

// SetupWithManager watches queues, their children, their SLAPolicies and
// the metrics poller.
func (r *SupportQueueReconciler) SetupWithManager(mgr ctrl.Manager) error {
	b := ctrl.NewControllerManagedBy(mgr).
		For(&supportv1alpha1.SupportQueue{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		// Children: spec changes (hand edits to revert) and Deployment
		// status (ready replicas) wake the queue.
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.Service{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Owns(&corev1.ConfigMap{}, builder.WithPredicates(predicate.ResourceVersionChangedPredicate{})).
		Owns(&policyv1.PodDisruptionBudget{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&supportv1alpha1.SLAPolicy{}, handler.EnqueueRequestsFromMapFunc(r.queuesForPolicy),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		// A plan's phase lives in its status: every change may matter.
		Watches(&supportv1alpha1.SurgePlan{}, handler.EnqueueRequestsFromMapFunc(queuesForPlan(r.Client)))
	if r.PollEvents != nil {
		b = b.WatchesRawSource(source.Channel(r.PollEvents, &handler.EnqueueRequestForObject{}))
	}
	return b.Named("supportqueue").WithOptions(controller.Options{MaxConcurrentReconciles: max(r.Workers, 1)}).Complete(r)
}

// policyWithoutStatus copies what a queue reads of its SLAPolicy, its
// metadata and spec, out of the cache's shared object. The policy's status
// and managed fields list every queue that uses it: copying them on every
// queue's reconcile made n queues cost O(n²) in copies.
func policyWithoutStatus(shared *supportv1alpha1.SLAPolicy) *supportv1alpha1.SLAPolicy {
	meta := shared.ObjectMeta // a shallow copy: clearing its field leaves the cache's alone
	meta.ManagedFields = nil
	return &supportv1alpha1.SLAPolicy{TypeMeta: shared.TypeMeta, ObjectMeta: *meta.DeepCopy(), Spec: *shared.Spec.DeepCopy()}
}

func (r *SupportQueueReconciler) queuesForPolicy(ctx context.Context, o client.Object) []reconcile.Request {
	var list supportv1alpha1.SupportQueueList
	if err := r.List(ctx, &list, client.InNamespace(o.GetNamespace()), client.MatchingFields{slaPolicyRefIndex: o.GetName()}); err != nil {
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for _, q := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: q.Namespace, Name: q.Name}})
	}
	return reqs
}
