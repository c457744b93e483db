// Package queuestatus is a SupportQueue's status as a pure function: from
// what one reconcile gathered and what it decided, the whole next status and
// the Events that report its changes (Cluster API's status setters, in one
// place). The controller patches the status and then emits the Events; the
// table tests drive it with no apiserver.
package queuestatus

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/conditions"
	"github.com/frontline-dev/frontline/internal/metrics"
	"github.com/frontline-dev/frontline/internal/scaling"
)

// Role names, as Events and metrics spell them.
const (
	RoleAgents  = "agents"
	RoleChatbot = "chatbot"
)

// Input is what one reconcile gathered and decided.
type Input struct {
	Now time.Time
	// Queue is read for its spec, generation and the status before.
	Queue *supportv1alpha1.SupportQueue
	Shape scaling.Shape
	// Policy and Target are nil when PolicyErr says why.
	Policy    *supportv1alpha1.SLAPolicy
	Target    *scaling.Target
	PolicyErr error
	// Reading is the latest poll (nil before the first), Failures the
	// consecutive failed polls.
	Reading  *metrics.Reading
	Failures int32
	// AgentsReady and BotsReady are the Deployments' ready replicas.
	AgentsReady, BotsReady int32
	SurgePlans             []string
	// FAQMissing: the bots' knowledge-base ConfigMap does not exist.
	FAQMissing bool
	Decision   scaling.QueueDecision
	// NameConflicts name objects with a child's name that the queue did
	// not create and left untouched.
	NameConflicts []string
	// KnowledgeTooLarge says why the merged knowledge base was not
	// published ("" when it was).
	KnowledgeTooLarge string
}

// Event is one Event to emit once the status is written.
type Event struct {
	Type, Reason, Action, Message string
}

// Project returns the queue's next status and the Events for it.
func Project(in Input) (supportv1alpha1.SupportQueueStatus, []Event) {
	p := projection{in: in, st: *in.Queue.Status.DeepCopy()}
	p.replicas()
	p.measurements()
	p.prediction()
	p.conditions()
	return p.st, p.events
}

type projection struct {
	in     Input
	st     supportv1alpha1.SupportQueueStatus
	events []Event
}

func (p *projection) event(typ, reason, action, format string, args ...any) {
	p.events = append(p.events, Event{Type: typ, Reason: reason, Action: action, Message: fmt.Sprintf(format, args...)})
}

func (p *projection) replicas() {
	d := p.in.Decision
	p.role(&p.st.Agents, RoleAgents, d.Agents, p.in.AgentsReady)
	p.st.Agents.AddedBySurge = d.AddedAgents
	if p.in.Queue.Spec.Chatbot != nil {
		p.role(&p.st.Chatbot, RoleChatbot, d.Bots, p.in.BotsReady)
		p.st.Chatbot.AddedBySurge = d.AddedBots
	} else {
		p.st.Chatbot = supportv1alpha1.ReplicaStatus{}
	}
	p.st.ActiveSurgePlans = p.in.SurgePlans
	if rd := p.in.Reading; rd != nil {
		// Counted up to the fallback threshold only: past it the number
		// changes nothing, and a steady outage then writes nothing.
		p.st.ConsecutiveMetricFailures = min(p.in.Failures, max(p.in.Queue.Spec.Metrics.FallbackAfter, 1))
	}
}

func (p *projection) role(st *supportv1alpha1.ReplicaStatus, role string, d scaling.RoleDecision, ready int32) {
	if st.LastScaleTime == nil || st.DesiredReplicas != d.Replicas {
		if st.LastScaleTime != nil {
			p.event(corev1.EventTypeNormal, supportv1alpha1.ReasonScaling, "Scale",
				"Scaled %s from %d to %d replicas", role, st.DesiredReplicas, d.Replicas)
		}
		t := metav1.NewTime(p.in.Now)
		st.LastScaleTime = &t
	}
	st.DesiredReplicas = d.Replicas
	st.ReadyReplicas = ready
	st.Summary = fmt.Sprintf("%d/%d", st.ReadyReplicas, st.DesiredReplicas)
	st.ScaleDown = nil
	if sd := d.ScaleDown; sd.BelowSince != nil {
		st.ScaleDown = &supportv1alpha1.ScaleDownStatus{BelowSince: &metav1.Time{Time: *sd.BelowSince}}
		for _, rec := range sd.Recent {
			st.ScaleDown.Recent = append(st.ScaleDown.Recent, supportv1alpha1.NeedSample{Time: metav1.NewTime(rec.Time), Replicas: rec.Replicas})
		}
	}
}

// measurements keeps the last usable reading; a new one is written with
// changed replicas, or when it moved enough to matter.
func (p *projection) measurements() {
	rd := p.in.Reading
	if rd == nil || !rd.Usable() {
		return
	}
	prev := p.in.Queue.Status
	replicasChanged := prev.Agents.DesiredReplicas != p.st.Agents.DesiredReplicas || prev.Chatbot.DesiredReplicas != p.st.Chatbot.DesiredReplicas
	if m := Measured(rd); replicasChanged || measurementsMoved(p.st.Measured, m) {
		p.st.Measured = m
	}
}

// Level is the inflow the queue has, tickets per second: the estimator's
// level (sizing uses its upper bound), or an override query's value.
func Level(rd *metrics.Reading) float64 {
	if rd.Estimate != nil {
		return rd.Estimate.Rate
	}
	return *rd.Inflow
}

// Measured is a usable reading as status reports it.
func Measured(rd *metrics.Reading) *supportv1alpha1.QueueMeasurements {
	m := &supportv1alpha1.QueueMeasurements{}
	v := int64(Level(rd)*3600 + 0.5)
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
		m.AverageHandleTime = &metav1.Duration{Duration: scaling.SecondsDuration(*rd.HandleTime).Round(time.Second)}
	}
	if rd.ServiceLevel != nil {
		m.ServiceLevel = supportv1alpha1.Decimal(strconv.FormatFloat(*rd.ServiceLevel, 'f', 2, 64))
	}
	if rd.AnswerRate != nil {
		m.AnswerRate = supportv1alpha1.Decimal(strconv.FormatFloat(*rd.AnswerRate, 'f', 2, 64))
	}
	if rd.ResolutionSeconds != nil {
		m.ResolutionTime = &metav1.Duration{Duration: scaling.SecondsDuration(*rd.ResolutionSeconds).Round(time.Second)}
	}
	return m
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

// prediction forecasts the service level at the decided agents from the
// last usable measurements (held through a metrics gap), with the model
// sizing uses (scaling.Predict), so forecast and need cannot disagree.
func (p *projection) prediction() {
	st := &p.st
	if p.in.Target == nil || st.Measured == nil || st.Measured.InflowPerHour == nil {
		st.Prediction = nil
		st.ScheduledAgents = 0
		return
	}
	pred := p.forecast(p.in.Decision.Agents.Replicas)
	out := &supportv1alpha1.QueuePrediction{
		ServiceLevel:       decimal(pred.ServiceLevel),
		TargetServiceLevel: decimal(p.in.Target.TargetServiceLevel()),
		Occupancy:          decimal(pred.Occupancy),
	}
	if pred.ASASeconds < 1e6 {
		out.AverageSpeedOfAnswer = &metav1.Duration{Duration: scaling.SecondsDuration(pred.ASASeconds).Round(100 * time.Millisecond)}
	}
	if n := p.in.Decision.Need; n != nil {
		out.RequiredAgents = n.Agents
		st.ScheduledAgents = n.Prediction.Scheduled
	}
	st.Prediction = out
}

// forecast is the model's prediction at the given agents from status's
// measurements.
func (p *projection) forecast(agents int32) scaling.Prediction {
	m := p.st.Measured
	inflow := float64(*m.InflowPerHour) / 3600
	if b := p.in.Shape.Bots; b != nil {
		inflow *= 1 - b.Containment
	}
	handle := handleTimeSeconds(m, p.in.Shape)
	backlog := 0.0
	if m.Backlog != nil {
		backlog = float64(*m.Backlog)
	}
	return scaling.Predict(agents, p.in.Shape, *p.in.Target, inflow, handle, backlog)
}

// slaInputs gathers what the SLA assessment looks at.
func (p *projection) slaInputs() scaling.SLAInputs {
	pred := p.st.Prediction
	sl, _ := pred.ServiceLevel.Float64()
	margin, _ := p.in.Policy.Spec.WarningMargin.Float64()
	d := p.in.Decision
	out := scaling.SLAInputs{Target: p.in.Target.TargetServiceLevel(), Margin: margin, Mode: d.AgentsMode,
		Required: pred.RequiredAgents, Decided: d.Agents.Replicas, Max: p.in.Queue.Spec.Agents.MaxReplicas, Ready: p.st.Agents.ReadyReplicas,
		PredictedAtDecided: sl, PredictedAtReady: p.forecast(p.st.Agents.ReadyReplicas).ServiceLevel,
		AnswerRate: p.in.Target.AnswerRate, Resolution: p.in.Target.Resolution}
	if m := p.st.Measured; m != nil {
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

func (p *projection) conds() conditions.Setter {
	return conditions.For(&p.st.Conditions, p.in.Queue.Generation)
}

func (p *projection) set(t string, s metav1.ConditionStatus, reason, msg string) {
	p.conds().Set(t, s, reason, msg)
}

func (p *projection) conditions() {
	in := p.in
	// SLA policy: missing or without a target needs a human.
	stalledReason, stalledMsg := "", ""
	if in.PolicyErr != nil {
		stalledReason = supportv1alpha1.ReasonSLAPolicyNotFound
		var nt scaling.ErrNoTarget
		if errors.As(in.PolicyErr, &nt) {
			stalledReason = supportv1alpha1.ReasonNoTargetForChannel
		}
		stalledMsg = in.PolicyErr.Error()
		p.eventOnChange(supportv1alpha1.ConditionSLAPolicyResolved, metav1.ConditionFalse, corev1.EventTypeWarning, stalledReason,
			in.PolicyErr.Error()+"; agents hold at their current replicas (at least minReplicas)")
		p.set(supportv1alpha1.ConditionSLAPolicyResolved, metav1.ConditionFalse, stalledReason, in.PolicyErr.Error())
	} else {
		p.set(supportv1alpha1.ConditionSLAPolicyResolved, metav1.ConditionTrue, supportv1alpha1.ReasonSucceeded,
			fmt.Sprintf("using SLAPolicy %q", in.Policy.Name))
	}
	if stalledReason == "" && len(in.NameConflicts) > 0 {
		stalledReason, stalledMsg = supportv1alpha1.ReasonNameConflict, strings.Join(in.NameConflicts, "; ")
	}
	if stalledReason != "" {
		if prev := meta.FindStatusCondition(p.st.Conditions, supportv1alpha1.ConditionStalled); stalledReason == supportv1alpha1.ReasonNameConflict &&
			(prev == nil || prev.Reason != stalledReason || prev.Message != stalledMsg) {
			p.event(corev1.EventTypeWarning, stalledReason, "Apply", "%s", stalledMsg)
		}
	}
	p.knowledgeCondition()

	p.metricsCondition()

	// SLA risk: capped, held, lagging or observed short; not "near the
	// target", which is where sizing aims.
	if p.st.Prediction != nil && in.Policy != nil && in.Target != nil {
		a := scaling.AssessSLA(p.slaInputs())
		status := metav1.ConditionTrue
		if a.State == supportv1alpha1.QueueSLAMet {
			status = metav1.ConditionFalse
		}
		p.set(supportv1alpha1.ConditionSLAAtRisk, status, a.Reason, a.Message)
		p.st.SLA = a.State
	} else {
		p.st.SLA = supportv1alpha1.QueueSLAUnknown
	}

	if len(in.SurgePlans) > 0 {
		p.set(supportv1alpha1.ConditionSurging, metav1.ConditionTrue, supportv1alpha1.ReasonSurgeActive, fmt.Sprintf("surge plans active: %v", in.SurgePlans))
	} else {
		p.set(supportv1alpha1.ConditionSurging, metav1.ConditionFalse, supportv1alpha1.ReasonNoSurge, "no surge plan is active")
	}

	// kstatus: Stalled while a human must act; otherwise Reconciling while
	// replicas are on their way, and Ready once the children are applied. A
	// metrics gap or a surge does not touch Ready.
	agents, bots := p.st.Agents, p.st.Chatbot
	switch {
	case stalledReason != "":
		p.conds().Stalled(stalledReason, stalledMsg)
	default:
		if agents.ReadyReplicas != agents.DesiredReplicas || (in.Queue.Spec.Chatbot != nil && bots.ReadyReplicas != bots.DesiredReplicas) {
			p.conds().Reconciling(supportv1alpha1.ReasonScaling, fmt.Sprintf("agents %s, bots %s ready", agents.Summary, bots.Summary))
		} else {
			p.conds().Settled()
		}
		msg := "children applied"
		if in.FAQMissing {
			msg = fmt.Sprintf("children applied; knowledge base ConfigMap %q not found, bots serve pinned FAQs only", in.Queue.Spec.Chatbot.KnowledgeBase.ConfigMapRef.Name)
		}
		p.conds().Ready(supportv1alpha1.ReasonSucceeded, msg)
	}
	p.st.ObservedGeneration = in.Queue.Generation
}

// knowledgeCondition reports, on queues with bots, whether the merged
// knowledge base was published.
func (p *projection) knowledgeCondition() {
	switch {
	case p.in.Queue.Spec.Chatbot == nil:
		p.conds().Remove(supportv1alpha1.ConditionKnowledgePublished)
	case p.in.KnowledgeTooLarge != "":
		p.eventOnChange(supportv1alpha1.ConditionKnowledgePublished, metav1.ConditionFalse, corev1.EventTypeWarning,
			supportv1alpha1.ReasonKnowledgeTooLarge, p.in.KnowledgeTooLarge)
		p.set(supportv1alpha1.ConditionKnowledgePublished, metav1.ConditionFalse, supportv1alpha1.ReasonKnowledgeTooLarge, p.in.KnowledgeTooLarge)
	default:
		p.eventOnChange(supportv1alpha1.ConditionKnowledgePublished, metav1.ConditionTrue, corev1.EventTypeNormal,
			supportv1alpha1.ReasonSucceeded, "knowledge base published")
		p.set(supportv1alpha1.ConditionKnowledgePublished, metav1.ConditionTrue, supportv1alpha1.ReasonSucceeded, "knowledge base published")
	}
}

func (p *projection) metricsCondition() {
	rd := p.in.Reading
	var status metav1.ConditionStatus
	var reason, msg string
	switch {
	case rd == nil:
		status, reason, msg = metav1.ConditionUnknown, "WaitingForFirstPoll", "metrics not polled yet; holding replicas"
	case rd.Usable() && rd.Missing != "":
		status, reason = metav1.ConditionTrue, supportv1alpha1.ReasonPartialMetrics
		msg = fmt.Sprintf("sized without %s; replicas may rise, not fall", rd.Missing)
	case rd.Usable() && rd.Partial():
		status, reason = metav1.ConditionTrue, supportv1alpha1.ReasonPartialCoverage
		msg = fmt.Sprintf("ticket counter %s; replicas may rise, not fall", rd.Estimate.Describe(scaling.InflowParams(p.in.Queue).Coverage))
	case rd.Usable():
		status, reason, msg = metav1.ConditionTrue, supportv1alpha1.ReasonMetricsOK, "ticket metrics available"
	default:
		status, reason = metav1.ConditionFalse, rd.Reason
		action := "holding the last decision"
		if d := p.in.Decision; d.AgentsMode == scaling.ModeFallback || d.BotsMode == scaling.ModeFallback {
			action = "using fallbackReplicas"
		}
		msg = fmt.Sprintf("%s; %s, never scaling down", rd.Message, action)
	}
	evType := corev1.EventTypeNormal
	if status == metav1.ConditionFalse || reason == supportv1alpha1.ReasonPartialCoverage || reason == supportv1alpha1.ReasonPartialMetrics {
		evType = corev1.EventTypeWarning
	}
	if status != metav1.ConditionUnknown {
		p.eventOnChange(supportv1alpha1.ConditionMetricsAvailable, status, evType, reason, msg)
	}
	p.set(supportv1alpha1.ConditionMetricsAvailable, status, reason, msg)
}

// eventOnChange emits an Event only when a condition changes status or
// reason, so a steady state stays quiet.
func (p *projection) eventOnChange(condType string, status metav1.ConditionStatus, evType, reason, msg string) {
	prev := meta.FindStatusCondition(p.st.Conditions, condType)
	if prev != nil && prev.Status == status && prev.Reason == reason {
		return
	}
	if prev == nil && status == metav1.ConditionTrue {
		return // first success is not news
	}
	p.event(evType, reason, condType, "%s", msg)
}

// handleTimeSeconds is the handle time status measured, else the queue's
// configured one.
func handleTimeSeconds(m *supportv1alpha1.QueueMeasurements, shape scaling.Shape) float64 {
	if m == nil || m.AverageHandleTime == nil {
		return shape.HandleTimeSeconds(nil)
	}
	v := m.AverageHandleTime.Seconds()
	return shape.HandleTimeSeconds(&v)
}

// AgentCapacityPerHour is the queue inflow, tickets per hour, that the
// ready agents serve at full occupancy: their conversations over the
// handle time (measured, else the queue's default), grown by the share the
// bot contains. Plotted against inflow, it shows headroom at a glance.
func AgentCapacityPerHour(q *supportv1alpha1.SupportQueue, shape scaling.Shape) float64 {
	handle := handleTimeSeconds(q.Status.Measured, shape)
	if handle <= 0 {
		return 0
	}
	human := float64(q.Status.Agents.ReadyReplicas) * float64(max(shape.Agents.Concurrency, 1)) * 3600 / handle
	if b := shape.Bots; b != nil && b.Containment < 1 {
		return human / (1 - b.Containment)
	}
	return human
}
