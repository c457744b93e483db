package controllers

import (
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/metrics"
	"github.com/frontline-dev/frontline/internal/polling"
	"github.com/frontline-dev/frontline/internal/queuestatus"
	"github.com/frontline-dev/frontline/internal/scaling"
)

// The operator's own metrics, served on the manager's secure endpoint.
var (
	desiredReplicas = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "frontline_queue_desired_replicas",
		Help: "Replicas the operator decided, per queue and role (agents, chatbot).",
	}, []string{"namespace", "queue", "role"})
	readyReplicas = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "frontline_queue_ready_replicas",
		Help: "Ready replicas reported by the queue's Deployments.",
	}, []string{"namespace", "queue", "role"})
	predictedServiceLevel = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "frontline_queue_predicted_service_level",
		Help: "Service level the capacity model predicts at the desired agents (0-1).",
	}, []string{"namespace", "queue"})
	targetServiceLevel = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "frontline_queue_target_service_level",
		Help: "Service-level target from the queue's SLAPolicy (0-1).",
	}, []string{"namespace", "queue"})
	inflowPerHour = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "frontline_queue_inflow_per_hour",
		Help: "Ticket inflow last measured for the queue, per hour.",
	}, []string{"namespace", "queue"})
	agentCapacityPerHour = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "frontline_queue_agent_capacity_per_hour",
		Help: "Queue inflow, tickets per hour, that the ready agents can serve at full occupancy (after the bot's containment), for plotting against inflow.",
	}, []string{"namespace", "queue"})
	metricsAvailable = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "frontline_queue_metrics_available",
		Help: "1 while the queue's ticket metrics are usable, 0 while replicas are held or fall back without them (the MetricsAvailable condition).",
	}, []string{"namespace", "queue"})
	sourcesConfigReloadSuccessful = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "frontline_sources_config_last_reload_successful",
		Help: "1 when the last change to the sources config was applied, 0 while a refused one is ignored and the last good one stays in use.",
	})
	reconcileErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "frontline_reconcile_errors_total",
		Help: "Reconciles that returned an error, per kind.",
	}, []string{"kind"})
)

func init() {
	ctrlmetrics.Registry.MustRegister(desiredReplicas, readyReplicas, predictedServiceLevel, targetServiceLevel,
		inflowPerHour, agentCapacityPerHour, metricsAvailable, reconcileErrors,
		sourcesConfigReloadSuccessful)
	sourcesConfigReloadSuccessful.Set(1) // the operator starts only on a valid one
}

// recordSourcesReload exports the outcome of a sources config reload.
func recordSourcesReload(err error) {
	sourcesConfigReloadSuccessful.Set(map[bool]float64{true: 1, false: 0}[err == nil])
}

func forgetQueueMetrics(namespace, queue string) {
	for _, role := range []string{RoleAgents, RoleChatbot} {
		desiredReplicas.DeleteLabelValues(namespace, queue, role)
		readyReplicas.DeleteLabelValues(namespace, queue, role)
	}
	predictedServiceLevel.DeleteLabelValues(namespace, queue)
	targetServiceLevel.DeleteLabelValues(namespace, queue)
	inflowPerHour.DeleteLabelValues(namespace, queue)
	agentCapacityPerHour.DeleteLabelValues(namespace, queue)
	metricsAvailable.DeleteLabelValues(namespace, queue)
	polling.ForgetQueue(namespace, queue)
}

// exportQueueGauges publishes a queue's status (and its latest usable
// inflow) as the operator's own metrics.
func exportQueueGauges(q *supportv1alpha1.SupportQueue, rd *metrics.Reading) {
	set := func(g *prometheus.GaugeVec, v float64, labels ...string) {
		g.WithLabelValues(append([]string{q.Namespace, q.Name}, labels...)...).Set(v)
	}
	set(desiredReplicas, float64(q.Status.Agents.DesiredReplicas), RoleAgents)
	set(readyReplicas, float64(q.Status.Agents.ReadyReplicas), RoleAgents)
	if q.Spec.Chatbot != nil {
		set(desiredReplicas, float64(q.Status.Chatbot.DesiredReplicas), RoleChatbot)
		set(readyReplicas, float64(q.Status.Chatbot.ReadyReplicas), RoleChatbot)
	}
	if rd != nil && rd.Usable() {
		set(inflowPerHour, queuestatus.Level(rd)*3600)
	}
	if c := meta.FindStatusCondition(q.Status.Conditions, supportv1alpha1.ConditionMetricsAvailable); c != nil && c.Status != metav1.ConditionUnknown {
		set(metricsAvailable, map[bool]float64{true: 1, false: 0}[c.Status == metav1.ConditionTrue])
	}
	if shape, err := scaling.ShapeOf(q); err == nil {
		set(agentCapacityPerHour, queuestatus.AgentCapacityPerHour(q, shape))
	}
	if p := q.Status.Prediction; p != nil {
		if v, err := p.ServiceLevel.Float64(); err == nil {
			set(predictedServiceLevel, v)
		}
		if v, err := p.TargetServiceLevel.Float64(); err == nil {
			set(targetServiceLevel, v)
		}
	}
}
