package polling

import (
	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// The poller's own metrics, served with the operator's on the manager's
// secure endpoint.
var (
	metricSourceErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "frontline_metric_source_errors_total",
		Help: "Polls that returned no usable metrics, by reason.",
	}, []string{"namespace", "queue", "reason"})
	prometheusQueries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "frontline_prometheus_queries_total",
		Help: "Queries sent to Prometheus, per source: its name, or the scheme and host of an allow-listed address.",
	}, []string{"source"})
)

func init() {
	ctrlmetrics.Registry.MustRegister(metricSourceErrors, prometheusQueries)
}

// ForgetQueue drops a deleted queue's series.
func ForgetQueue(namespace, queue string) {
	metricSourceErrors.DeletePartialMatch(prometheus.Labels{"namespace": namespace, "queue": queue})
}
