package controllers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
	Readings   *ReadingStore
	PollEvents <-chan event.GenericEvent
	Surges     SurgeSource
	// Workers is how many queues reconcile at once.
	Workers int
}

// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=services,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;update;patch;delete

// queueInputs is what one reconcile gathers before deciding.
type queueInputs struct {
	policy     *supportv1alpha1.SLAPolicy
	target     *scaling.Target
	policyErr  error // why there is no target
	reading    *Reading
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
	if r.awaitingFirstReading(q) {
		return ctrl.Result{RequeueAfter: time.Second}, nil
	}
	before := q.DeepCopy()
	rec := &pendingEvents{to: r.Recorder}
	defer finishReconcile(ctx, r.Client, "SupportQueue", before, q, func(o *supportv1alpha1.SupportQueue) any { return o.Status }, rec, &retErr)

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
	if err := r.applyChildren(ctx, q, in, decision); err != nil {
		markFailed(q, supportv1alpha1.ReasonApplyFailed, err)
		return ctrl.Result{}, err
	}
	r.recordStatus(now, q, shape, in, decision, rec)
	return ctrl.Result{}, nil
}

// firstReadingWait bounds how long a new queue waits for its first reading.
const firstReadingWait = 10 * time.Second

// awaitingFirstReading: the poller reads a new queue within a tick and then
// wakes it. Sizing it from that reading, rather than creating its children
// at the minimum and resizing them a second later, halves a new queue's
// writes. A queue that has a status, or has waited long enough (Prometheus
// slow or unreachable), goes on without.
func (r *SupportQueueReconciler) awaitingFirstReading(q *supportv1alpha1.SupportQueue) bool {
	if _, read := r.Readings.Get(keyOf(q)); read || len(q.Status.Conditions) > 0 {
		return false
	}
	age := r.Clock.Since(q.CreationTimestamp.Time)
	return age >= 0 && age < firstReadingWait
}

func (r *SupportQueueReconciler) gather(ctx context.Context, q *supportv1alpha1.SupportQueue) (*queueInputs, error) {
	in := &queueInputs{}
	policy := &supportv1alpha1.SLAPolicy{}
	switch err := r.Get(ctx, types.NamespacedName{Namespace: q.Namespace, Name: q.Spec.SLAPolicyRef.Name}, policy); {
	case apierrors.IsNotFound(err):
		in.policyErr = fmt.Errorf("SLAPolicy %q not found", q.Spec.SLAPolicyRef.Name)
	case err != nil:
		return nil, fmt.Errorf("reading SLAPolicy: %w", err)
	default:
		in.policy = policy
		t, err := scaling.TargetOf(policy, q.Spec.Channel, q.Spec.Priority)
		if err != nil {
			in.policyErr = fmt.Errorf("SLAPolicy %q: %w", policy.Name, err)
		} else {
			in.target = &t
		}
	}
	if rd, ok := r.Readings.Get(keyOf(q)); ok {
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
	m := q.Spec.Metrics
	di := scaling.QueueInput{
		Now:           now,
		Shape:         shape,
		Target:        in.target,
		FallbackAfter: m.FallbackAfter,
		Agents:        roleState(q.Status.Agents, in.agents),
		Bots:          roleState(q.Status.Chatbot, in.chatbot),
		ScaleDown: scaling.ScaleDownPolicy{
			Window:         q.Spec.Scaling.ScaleDown.StabilizationWindow.Duration,
			MaxStepPercent: q.Spec.Scaling.ScaleDown.MaxStepPercent,
			StepPeriod:     m.PollInterval.Duration,
		},
		Surge: in.surge,
	}
	if m.OnError == supportv1alpha1.OnMetricsErrorFallback && m.FallbackReplicas != nil {
		a := scaling.Clamp(m.FallbackReplicas.Agents, shape.Agents.Min, shape.Agents.Max)
		di.FallbackAgents = &a
		if b := m.FallbackReplicas.Chatbot; b != nil && shape.Bots != nil {
			v := scaling.Clamp(*b, shape.Bots.Min, shape.Bots.Max)
			di.FallbackBots = &v
		}
	}
	if rd := in.reading; rd != nil {
		di.Failures = rd.Failures
		if rd.Usable() {
			di.MetricsOK = true
			di.Partial = rd.Partial()
			di.Measurements = scaling.Measurements{InflowPerSecond: rd.Inflow, Backlog: rd.Backlog, HandleTimeSeconds: rd.HandleTime}
			if e := rd.Estimate; e != nil {
				di.Measurements.InflowForFallPerSecond = &e.UpperForFall
			}
		}
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

func (r *SupportQueueReconciler) applyChildren(ctx context.Context, q *supportv1alpha1.SupportQueue, in *queueInputs, d scaling.QueueDecision) error {
	key := func(name string) types.NamespacedName {
		return types.NamespacedName{Namespace: q.Namespace, Name: name}
	}
	if err := applyChild(ctx, r.Client, key(agentsName(q)), &appsv1.Deployment{},
		deployment(q, RoleAgents, q.Spec.Agents.Template, d.Agents.Replicas), appsv1ac.ExtractDeployment); err != nil {
		return err
	}
	if err := applyChild(ctx, r.Client, key(agentsName(q)), &policyv1.PodDisruptionBudget{},
		disruptionBudget(q, RoleAgents, agentsName(q)), policyv1ac.ExtractPodDisruptionBudget); err != nil {
		return err
	}
	if q.Spec.Chatbot == nil {
		return nil
	}
	// The knowledge first: new bot pods mount it.
	if err := applyChild(ctx, r.Client, key(knowledgeName(q)), &corev1.ConfigMap{},
		knowledgeConfigMap(q, in.userFAQ, in.pinned), corev1ac.ExtractConfigMap); err != nil {
		return err
	}
	if err := applyChild(ctx, r.Client, key(chatbotName(q)), &appsv1.Deployment{},
		deployment(q, RoleChatbot, q.Spec.Chatbot.Template, d.Bots.Replicas), appsv1ac.ExtractDeployment); err != nil {
		return err
	}
	if err := applyChild(ctx, r.Client, key(chatbotName(q)), &corev1.Service{}, chatbotService(q), corev1ac.ExtractService); err != nil {
		return err
	}
	return applyChild(ctx, r.Client, key(chatbotName(q)), &policyv1.PodDisruptionBudget{},
		disruptionBudget(q, RoleChatbot, chatbotName(q)), policyv1ac.ExtractPodDisruptionBudget)
}

// recordStatus writes the decision, the forecast and the conditions.
func (r *SupportQueueReconciler) recordStatus(now time.Time, q *supportv1alpha1.SupportQueue, shape scaling.Shape, in *queueInputs, d scaling.QueueDecision, rec events.EventRecorder) {
	st := &q.Status
	replicasChanged := st.Agents.DesiredReplicas != d.Agents.Replicas || st.Chatbot.DesiredReplicas != d.Bots.Replicas
	recordRole(now, q, &st.Agents, RoleAgents, d.Agents, in.agents, rec)
	st.Agents.AddedBySurge = d.AddedAgents
	if q.Spec.Chatbot != nil {
		recordRole(now, q, &st.Chatbot, RoleChatbot, d.Bots, in.chatbot, rec)
		st.Chatbot.AddedBySurge = d.AddedBots
	} else {
		st.Chatbot = supportv1alpha1.ReplicaStatus{}
	}
	st.ActiveSurgePlans = in.surgePlans

	if rd := in.reading; rd != nil && rd.Usable() {
		if m := measured(rd); replicasChanged || measurementsMoved(st.Measured, m) {
			st.Measured = m
		}
		inflowPerHour.WithLabelValues(q.Namespace, q.Name).Set(level(rd) * 3600)
	}
	if in.reading != nil {
		// Counted up to the fallback threshold only: past it the number
		// changes nothing, and a steady outage then writes nothing.
		st.ConsecutiveMetricFailures = min(in.reading.Failures, max(q.Spec.Metrics.FallbackAfter, 1))
	}
	atReady, predicted := r.recordPrediction(q, shape, in, d)
	recordConditions(q, in, d, atReady, predicted, rec)
}

func recordRole(now time.Time, q *supportv1alpha1.SupportQueue, st *supportv1alpha1.ReplicaStatus, role string, d scaling.RoleDecision, live *appsv1.Deployment, rec events.EventRecorder) {
	if st.LastScaleTime == nil || st.DesiredReplicas != d.Replicas {
		if st.LastScaleTime != nil {
			rec.Eventf(q, nil, corev1.EventTypeNormal, supportv1alpha1.ReasonScaling, "Scale",
				"Scaled %s from %d to %d replicas", role, st.DesiredReplicas, d.Replicas)
		}
		t := metav1.NewTime(now)
		st.LastScaleTime = &t
	}
	st.DesiredReplicas = d.Replicas
	st.ReadyReplicas = 0
	if live != nil {
		st.ReadyReplicas = live.Status.ReadyReplicas
	}
	st.Summary = fmt.Sprintf("%d/%d", st.ReadyReplicas, st.DesiredReplicas)
	st.ScaleDown = nil
	if sd := d.ScaleDown; sd.BelowSince != nil {
		st.ScaleDown = &supportv1alpha1.ScaleDownStatus{BelowSince: &metav1.Time{Time: *sd.BelowSince}}
		for _, rec := range sd.Recent {
			st.ScaleDown.Recent = append(st.ScaleDown.Recent, supportv1alpha1.NeedSample{Time: metav1.NewTime(rec.Time), Replicas: rec.Replicas})
		}
	}
	desiredReplicas.WithLabelValues(q.Namespace, q.Name, role).Set(float64(d.Replicas))
	readyReplicas.WithLabelValues(q.Namespace, q.Name, role).Set(float64(st.ReadyReplicas))
}

// measurementsMoved reports whether new readings differ enough from those in
// status to be worth a write (see scaling.ReportTolerance).
func measurementsMoved(old, m *supportv1alpha1.QueueMeasurements) bool {
	if old == nil || old.InflowPerHour == nil {
		return true
	}
	val := func(p *int64) float64 {
		if p == nil {
			return -1
		}
		return float64(*p)
	}
	dur := func(d *metav1.Duration) float64 {
		if d == nil {
			return -1
		}
		return d.Seconds()
	}
	// The sizing bound narrows as a level's data grows; it is written with
	// the replicas it sized, not on its own.
	return old.ServiceLevel != m.ServiceLevel || old.AnswerRate != m.AnswerRate || !old.InflowSince.Equal(m.InflowSince) ||
		scaling.Significant(dur(old.ResolutionTime), dur(m.ResolutionTime)) ||
		scaling.Significant(val(old.InflowPerHour), val(m.InflowPerHour)) ||
		scaling.Significant(val(old.Backlog), val(m.Backlog)) ||
		scaling.Significant(dur(old.AverageHandleTime), dur(m.AverageHandleTime))
}

// level is the inflow the queue has, tickets per second: the estimator's
// level (sizing uses its upper bound), or an override query's value.
func level(rd *Reading) float64 {
	if rd.Estimate != nil {
		return rd.Estimate.Rate
	}
	return *rd.Inflow
}

func measured(rd *Reading) *supportv1alpha1.QueueMeasurements {
	m := &supportv1alpha1.QueueMeasurements{}
	v := int64(level(rd)*3600 + 0.5)
	m.InflowPerHour = &v
	sized := int64(*rd.Inflow*3600 + 0.5)
	m.SizedForInflowPerHour = &sized
	if e := rd.Estimate; e != nil {
		m.InflowSince = &metav1.Time{Time: e.LevelSince.Truncate(time.Second)}
	}
	if rd.Backlog != nil {
		b := int64(*rd.Backlog + 0.5)
		m.Backlog = &b
	}
	if rd.HandleTime != nil {
		m.AverageHandleTime = &metav1.Duration{Duration: time.Duration(*rd.HandleTime * float64(time.Second)).Round(time.Second)}
	}
	if rd.ServiceLevel != nil {
		m.ServiceLevel = supportv1alpha1.Decimal(strconv.FormatFloat(*rd.ServiceLevel, 'f', 2, 64))
	}
	if rd.AnswerRate != nil {
		m.AnswerRate = supportv1alpha1.Decimal(strconv.FormatFloat(*rd.AnswerRate, 'f', 2, 64))
	}
	if rd.ResolutionSeconds != nil {
		m.ResolutionTime = &metav1.Duration{Duration: time.Duration(*rd.ResolutionSeconds * float64(time.Second)).Round(time.Second)}
	}
	return m
}

// recordPrediction forecasts service level at the decided agents from the
// last usable measurements (held through a metrics gap), and returns the
// forecast at the agents ready now (for the SLA assessment).
func (r *SupportQueueReconciler) recordPrediction(q *supportv1alpha1.SupportQueue, shape scaling.Shape, in *queueInputs, d scaling.QueueDecision) (atReady float64, ok bool) {
	st := &q.Status
	if in.target == nil || st.Measured == nil || st.Measured.InflowPerHour == nil {
		st.Prediction = nil
		st.ScheduledAgents = 0
		return 0, false
	}
	inflow := float64(*st.Measured.InflowPerHour) / 3600
	if shape.Bots != nil {
		inflow *= 1 - shape.Bots.Containment
	}
	handle := shape.Agents.DefaultHandleTime.Seconds()
	if st.Measured.AverageHandleTime != nil && st.Measured.AverageHandleTime.Duration > 0 {
		handle = st.Measured.AverageHandleTime.Seconds()
	}
	backlog := 0.0
	if st.Measured.Backlog != nil {
		backlog = float64(*st.Measured.Backlog)
	}
	p := scaling.Predict(d.Agents.Replicas, shape, *in.target, inflow, handle, backlog)
	pred := &supportv1alpha1.QueuePrediction{
		ServiceLevel:       decimal(p.ServiceLevel),
		TargetServiceLevel: decimal(in.target.TargetServiceLevel()),
		Occupancy:          decimal(p.Occupancy),
	}
	if p.ASASeconds < 1e6 {
		pred.AverageSpeedOfAnswer = &metav1.Duration{Duration: time.Duration(p.ASASeconds * float64(time.Second)).Round(100 * time.Millisecond)}
	}
	if d.Need != nil {
		pred.RequiredAgents = d.Need.Agents
		st.ScheduledAgents = d.Need.Prediction.Scheduled
	}
	st.Prediction = pred
	predictedServiceLevel.WithLabelValues(q.Namespace, q.Name).Set(p.ServiceLevel)
	targetServiceLevel.WithLabelValues(q.Namespace, q.Name).Set(in.target.TargetServiceLevel())
	return scaling.Predict(st.Agents.ReadyReplicas, shape, *in.target, inflow, handle, backlog).ServiceLevel, true
}

// slaInputs gathers what the SLA assessment looks at.
func slaInputs(q *supportv1alpha1.SupportQueue, in *queueInputs, d scaling.QueueDecision, atReady float64) scaling.SLAInputs {
	p := q.Status.Prediction
	sl, _ := p.ServiceLevel.Float64()
	margin, _ := in.policy.Spec.WarningMargin.Float64()
	out := scaling.SLAInputs{Target: in.target.TargetServiceLevel(), Margin: margin, Mode: d.AgentsMode,
		Required: p.RequiredAgents, Decided: d.Agents.Replicas, Max: q.Spec.Agents.MaxReplicas, Ready: q.Status.Agents.ReadyReplicas,
		PredictedAtDecided: sl, PredictedAtReady: atReady}
	out.AnswerRate, out.Resolution = in.target.AnswerRate, in.target.Resolution
	if m := q.Status.Measured; m != nil {
		out.Observed = observedShare(m.ServiceLevel)
		out.ObservedAnswerRate = observedShare(m.AnswerRate)
		if m.ResolutionTime != nil {
			v := m.ResolutionTime.Seconds()
			out.ObservedResolution = &v
		}
	}
	return out
}

// observedShare reads an observed figure from status (nil when unset).
func observedShare(d supportv1alpha1.Decimal) *float64 {
	if d == "" {
		return nil
	}
	v, err := d.Float64()
	if err != nil {
		return nil
	}
	return &v
}

func decimal(v float64) supportv1alpha1.Decimal {
	if v < 0 {
		v = 0
	}
	return supportv1alpha1.Decimal(strconv.FormatFloat(v, 'f', 3, 64))
}

func recordConditions(q *supportv1alpha1.SupportQueue, in *queueInputs, d scaling.QueueDecision, atReady float64, predicted bool, rec events.EventRecorder) {
	gen := q.Generation
	set := func(t string, s metav1.ConditionStatus, reason, msg string) {
		meta.SetStatusCondition(&q.Status.Conditions, metav1.Condition{Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: gen})
	}

	// SLA policy: missing or without a target needs a human.
	if in.policyErr != nil {
		reason := supportv1alpha1.ReasonSLAPolicyNotFound
		var nt scaling.ErrNoTarget
		if errors.As(in.policyErr, &nt) {
			reason = supportv1alpha1.ReasonNoTargetForChannel
		}
		eventOnChange(rec, q, supportv1alpha1.ConditionSLAPolicyResolved, metav1.ConditionFalse, corev1.EventTypeWarning, reason,
			in.policyErr.Error()+"; agents hold at their current replicas (at least minReplicas)")
		set(supportv1alpha1.ConditionSLAPolicyResolved, metav1.ConditionFalse, reason, in.policyErr.Error())
		set(supportv1alpha1.ConditionStalled, metav1.ConditionTrue, reason, in.policyErr.Error())
	} else {
		set(supportv1alpha1.ConditionSLAPolicyResolved, metav1.ConditionTrue, supportv1alpha1.ReasonSucceeded,
			fmt.Sprintf("using SLAPolicy %q", in.policy.Name))
		meta.RemoveStatusCondition(&q.Status.Conditions, supportv1alpha1.ConditionStalled)
	}

	recordMetricsCondition(q, in, d, rec)

	// SLA risk: capped, held, lagging or observed short; not "near the
	// target", which is where sizing aims.
	if p := q.Status.Prediction; p != nil && predicted && in.policy != nil {
		a := scaling.AssessSLA(slaInputs(q, in, d, atReady))
		status := metav1.ConditionTrue
		if a.State == scaling.SLAMet {
			status = metav1.ConditionFalse
		}
		set(supportv1alpha1.ConditionSLAAtRisk, status, a.Reason, a.Message)
	}

	if len(in.surgePlans) > 0 {
		set(supportv1alpha1.ConditionSurging, metav1.ConditionTrue, supportv1alpha1.ReasonSurgeActive, fmt.Sprintf("surge plans active: %v", in.surgePlans))
	} else {
		set(supportv1alpha1.ConditionSurging, metav1.ConditionFalse, supportv1alpha1.ReasonNoSurge, "no surge plan is active")
	}

	// kstatus: Reconciling while replicas are on their way; Ready once the
	// children are applied and nothing needs a human. A metrics gap or a
	// surge does not touch Ready.
	agents, bots := q.Status.Agents, q.Status.Chatbot
	if agents.ReadyReplicas != agents.DesiredReplicas || (q.Spec.Chatbot != nil && bots.ReadyReplicas != bots.DesiredReplicas) {
		set(supportv1alpha1.ConditionReconciling, metav1.ConditionTrue, supportv1alpha1.ReasonScaling,
			fmt.Sprintf("agents %s, bots %s ready", agents.Summary, bots.Summary))
	} else {
		meta.RemoveStatusCondition(&q.Status.Conditions, supportv1alpha1.ConditionReconciling)
	}
	if in.policyErr != nil {
		set(supportv1alpha1.ConditionReady, metav1.ConditionFalse, supportv1alpha1.ReasonSLAPolicyNotFound, in.policyErr.Error())
	} else {
		msg := "children applied"
		if in.faqMissing {
			msg = fmt.Sprintf("children applied; knowledge base ConfigMap %q not found, bots serve pinned FAQs only", q.Spec.Chatbot.KnowledgeBase.ConfigMapRef.Name)
		}
		set(supportv1alpha1.ConditionReady, metav1.ConditionTrue, supportv1alpha1.ReasonSucceeded, msg)
	}
	q.Status.ObservedGeneration = gen
}

func recordMetricsCondition(q *supportv1alpha1.SupportQueue, in *queueInputs, d scaling.QueueDecision, rec events.EventRecorder) {
	rd := in.reading
	var status metav1.ConditionStatus
	var reason, msg string
	switch {
	case rd == nil:
		status, reason, msg = metav1.ConditionUnknown, "WaitingForFirstPoll", "metrics not polled yet; holding replicas"
	case rd.Usable() && rd.Partial():
		status, reason = metav1.ConditionTrue, supportv1alpha1.ReasonPartialCoverage
		msg = fmt.Sprintf("ticket counter %s; replicas may rise, not fall", rd.Estimate.Describe(scaling.InflowParams(q).Coverage))
	case rd.Usable():
		status, reason, msg = metav1.ConditionTrue, supportv1alpha1.ReasonMetricsOK, "ticket metrics available"
	default:
		status, reason = metav1.ConditionFalse, rd.Reason
		action := "holding the last decision"
		if d.AgentsMode == scaling.ModeFallback || d.BotsMode == scaling.ModeFallback {
			action = "using fallbackReplicas"
		}
		msg = fmt.Sprintf("%s; %s, never scaling down", rd.Message, action)
	}
	evType := corev1.EventTypeNormal
	if status == metav1.ConditionFalse || reason == supportv1alpha1.ReasonPartialCoverage {
		evType = corev1.EventTypeWarning
	}
	if status != metav1.ConditionUnknown {
		eventOnChange(rec, q, supportv1alpha1.ConditionMetricsAvailable, status, evType, reason, msg)
	}
	meta.SetStatusCondition(&q.Status.Conditions, metav1.Condition{Type: supportv1alpha1.ConditionMetricsAvailable,
		Status: status, Reason: reason, Message: msg, ObservedGeneration: q.Generation})
}

// eventOnChange emits an Event only when a condition changes status or
// reason, so a steady state stays quiet.
func eventOnChange(rec events.EventRecorder, q *supportv1alpha1.SupportQueue, condType string, status metav1.ConditionStatus, evType, reason, msg string) {
	prev := meta.FindStatusCondition(q.Status.Conditions, condType)
	if prev != nil && prev.Status == status && prev.Reason == reason {
		return
	}
	if prev == nil && status == metav1.ConditionTrue {
		return // first success is not news
	}
	rec.Eventf(q, nil, evType, reason, condType, "%s", msg)
}

func markFailed(q *supportv1alpha1.SupportQueue, reason string, err error) {
	meta.SetStatusCondition(&q.Status.Conditions, metav1.Condition{Type: supportv1alpha1.ConditionReconciling,
		Status: metav1.ConditionTrue, Reason: reason, Message: err.Error(), ObservedGeneration: q.Generation})
}

// markStalled: a human must act. observedGeneration says this generation
// was seen, so kstatus reports Failed rather than InProgress.
func markStalled(q *supportv1alpha1.SupportQueue, reason, msg string) {
	q.Status.ObservedGeneration = q.Generation
	meta.SetStatusCondition(&q.Status.Conditions, metav1.Condition{Type: supportv1alpha1.ConditionStalled, Status: metav1.ConditionTrue, Reason: reason, Message: msg, ObservedGeneration: q.Generation})
	meta.SetStatusCondition(&q.Status.Conditions, metav1.Condition{Type: supportv1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: reason, Message: msg, ObservedGeneration: q.Generation})
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
