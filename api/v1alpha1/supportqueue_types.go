package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SupportQueueSpec is one support queue: a channel, its languages and topic,
// the SLA it is sized against, and the agent-worker and chatbot Deployments
// that serve it.
type SupportQueueSpec struct {
	// channel is the contact channel the queue serves: chat, email, phone or
	// social. Chat and phone are sized with Erlang C, email and social with a
	// backlog model.
	// +required
	Channel Channel `json:"channel"`

	// languages the queue answers in, as well-formed BCP 47 tags such as
	// "en", "ko", "zh-Hant-TW" or "es-419". Bots get the pinned FAQs of
	// each language (the closest translation by RFC 4647 lookup) in their
	// knowledge ConfigMap.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=63
	// +kubebuilder:validation:items:Pattern=`^(([A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(-[0-9A-WYZa-wyz](-[A-Za-z0-9]{2,8})+)*(-[Xx](-[A-Za-z0-9]{1,8})+)?|[Xx](-[A-Za-z0-9]{1,8})+)$`
	Languages []string `json:"languages,omitempty"`

	// category is the topic of the queue, such as "deposits-withdrawals",
	// "trading", "account-security" or "kyc". The agent-worker and chatbot
	// pods get it as FRONTLINE_CATEGORY and the label
	// support.frontline.dev/category, for routing and dashboards.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Category string `json:"category,omitempty"`

	// priority selects the SLAPolicy target for this queue together with the
	// channel, e.g. "vip". Defaults to "standard".
	// +optional
	// +kubebuilder:default=standard
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Priority string `json:"priority,omitempty"`

	// slaPolicyRef names the SLAPolicy, in the same namespace, whose target
	// for this queue's channel and priority sizes the agents.
	// +required
	SLAPolicyRef LocalObjectReference `json:"slaPolicyRef"`

	// agents describes the human agent-worker Deployment "<queue>-agents".
	// +required
	Agents AgentsSpec `json:"agents"`

	// chatbot describes the chatbot Deployment "<queue>-chatbot" and its
	// Service. Omit it for a queue without a bot.
	// +optional
	Chatbot *ChatbotSpec `json:"chatbot,omitempty"`

	// metrics says where and how often ticket metrics are read.
	// +optional
	// +kubebuilder:default={}
	Metrics MetricsSpec `json:"metrics,omitempty"`

	// scaling tunes how fast replicas follow the measured need.
	// +optional
	// +kubebuilder:default={}
	Scaling ScalingSpec `json:"scaling,omitempty"`
}

// AgentsSpec sizes the human agent-worker Deployment.
// +kubebuilder:validation:XValidation:rule="self.minReplicas <= self.maxReplicas",message="agents.minReplicas must be less than or equal to agents.maxReplicas"
type AgentsSpec struct {
	// template describes the agent-worker pods.
	// +required
	Template WorkloadTemplate `json:"template"`

	// minReplicas is the fewest agent-worker replicas, whatever the traffic.
	// Defaults to 1.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10000
	MinReplicas int32 `json:"minReplicas,omitempty"`

	// maxReplicas is the most agent-worker replicas, surges included.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000
	MaxReplicas int32 `json:"maxReplicas"`

	// concurrency is how many conversations one replica serves at once (chat
	// agents commonly handle 2-3). Each conversation is one Erlang C server
	// whose handle time grows with concurrency (see docs). Defaults to 1.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=20
	Concurrency int32 `json:"concurrency,omitempty"`

	// averageHandleTime is the time an agent spends on one contact, used
	// until Prometheus provides a measured handle time. Defaults to 4m.
	// +optional
	// +kubebuilder:default="4m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s') && duration(self) <= duration('24h')",message="agents.averageHandleTime must be between 1s and 24h"
	AverageHandleTime metav1.Duration `json:"averageHandleTime,omitempty"`
}

// ChatbotSpec sizes the chatbot Deployment that answers first.
// +kubebuilder:validation:XValidation:rule="self.minReplicas <= self.maxReplicas",message="chatbot.minReplicas must be less than or equal to chatbot.maxReplicas"
type ChatbotSpec struct {
	// template describes the chatbot pods.
	// +required
	Template WorkloadTemplate `json:"template"`

	// minReplicas is the fewest chatbot replicas. Defaults to 1.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10000
	MinReplicas int32 `json:"minReplicas,omitempty"`

	// maxReplicas is the most chatbot replicas outside a surge; a SurgePlan
	// may lift it up to its own cap.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000
	MaxReplicas int32 `json:"maxReplicas"`

	// conversationsPerReplica is how many conversations one bot replica holds
	// at once. Defaults to 50.
	// +optional
	// +kubebuilder:default=50
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100000
	ConversationsPerReplica int32 `json:"conversationsPerReplica,omitempty"`

	// handleTime is how long one bot conversation lasts. Defaults to 90s.
	// +optional
	// +kubebuilder:default="90s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s') && duration(self) <= duration('1h')",message="chatbot.handleTime must be between 1s and 1h"
	HandleTime metav1.Duration `json:"handleTime,omitempty"`

	// containment is the share of inflow, from 0 up to but excluding 1, that
	// the bot resolves without a human. Agents are sized for the rest.
	// Defaults to "0".
	// +optional
	// +kubebuilder:default="0"
	// +kubebuilder:validation:XValidation:rule="double(self) < 1.0",message="chatbot.containment must be a fraction from 0 up to but excluding 1, e.g. \"0.6\""
	Containment Decimal `json:"containment,omitempty"`

	// port is the port the bot listens on, exposed by the "<queue>-chatbot"
	// Service. Defaults to 8080.
	// +optional
	// +kubebuilder:default=8080
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port,omitempty"`

	// knowledgeBase is the FAQ the bot answers from. Its entries are merged
	// with pinned incident FAQs into the ConfigMap "<queue>-knowledge", which
	// bots read as a mounted file (updates arrive without a restart).
	// +optional
	KnowledgeBase *KnowledgeBaseSource `json:"knowledgeBase,omitempty"`
}

// KnowledgeBaseSource points at a user-owned FAQ.
type KnowledgeBaseSource struct {
	// configMapRef names a ConfigMap, in the queue's namespace, whose keys are
	// FAQ entries.
	// +required
	ConfigMapRef LocalObjectReference `json:"configMapRef"`
}

// OnMetricsError says what a queue does while its metrics are unusable.
// +kubebuilder:validation:Enum=Hold;Fallback
type OnMetricsError string

const (
	// OnMetricsErrorHold keeps the last decision (never scales down).
	OnMetricsErrorHold OnMetricsError = "Hold"
	// OnMetricsErrorFallback holds, then after fallbackAfter failed polls moves
	// to fallbackReplicas (only upwards: it never scales below the last
	// decision).
	OnMetricsErrorFallback OnMetricsError = "Fallback"
)

// MetricsSpec says where ticket metrics come from and what to do when they
// cannot be read.
// +kubebuilder:validation:XValidation:rule="!has(self.onError) || self.onError != 'Fallback' || has(self.fallbackReplicas)",message="metrics.fallbackReplicas is required when metrics.onError is Fallback"
type MetricsSpec struct {
	// prometheus is the metrics source to query. Defaults to the source
	// named "default" (the operator's --prometheus-address).
	// +optional
	Prometheus *PrometheusSource `json:"prometheus,omitempty"`

	// pollInterval is how often metrics are read and replicas decided.
	// Between 5s and 10m; defaults to 5s. Each poll reads only the raw
	// counter samples since the last one, so a short interval is cheap.
	// +optional
	// +kubebuilder:default="5s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('5s') && duration(self) <= duration('10m')",message="metrics.pollInterval must be between 5s and 10m"
	PollInterval metav1.Duration `json:"pollInterval,omitempty"`

	// maxSampleAge is how old the newest sample may be before it counts as
	// stale, which is treated like a failed query. Defaults to 2m.
	// +optional
	// +kubebuilder:default="2m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('10s') && duration(self) <= duration('24h')",message="metrics.maxSampleAge must be between 10s and 24h"
	MaxSampleAge metav1.Duration `json:"maxSampleAge,omitempty"`

	// onError is what to do when metrics are unusable (error, empty result,
	// NaN, stale sample): Hold keeps the last decision; Fallback holds, then
	// moves to fallbackReplicas after fallbackAfter failed polls. Missing
	// metrics never scale anything down. Defaults to Hold.
	// +optional
	// +kubebuilder:default=Hold
	OnError OnMetricsError `json:"onError,omitempty"`

	// fallbackAfter is the number of consecutive failed polls before
	// fallbackReplicas apply. Defaults to 4.
	// +optional
	// +kubebuilder:default=4
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	FallbackAfter int32 `json:"fallbackAfter,omitempty"`

	// fallbackReplicas are the replicas to run while metrics stay unusable,
	// when onError is Fallback.
	// +optional
	FallbackReplicas *FallbackReplicas `json:"fallbackReplicas,omitempty"`

	// queries override the PromQL read for this queue. By default Frontline
	// reads frontline_tickets_created_total, frontline_queue_backlog and
	// frontline_ticket_handle_seconds_{sum,count} labelled with the queue's
	// namespace and name, grouped into one query per metric per poll.
	// +optional
	Queries *QueryOverrides `json:"queries,omitempty"`
}

// PrometheusSource says which Prometheus-compatible endpoint to read: a
// source the platform team defined, by name (with its credentials, TLS
// and headers), or, where the platform allows it, an address.
// +kubebuilder:validation:XValidation:rule="has(self.source) != has(self.address)",message="prometheus must set exactly one of source or address"
type PrometheusSource struct {
	// source names a metrics source defined by the platform team in the
	// operator's sources configuration, e.g. "mimir"; "default" is the
	// operator's --prometheus-address. A name the platform did not define
	// leaves the queue or plan holding, with reason SourceNotFound.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Source string `json:"source,omitempty"`

	// address is the base URL of a Prometheus HTTP API, e.g.
	// "http://prometheus.team-a:9090", read without credentials. It is
	// read only if it matches the platform's allowedAddresses (by default
	// none does); otherwise the queue or plan holds, with reason
	// SourceNotAllowed. Prefer source.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https?://[^\s/$.?#][^\s]*$`
	Address string `json:"address,omitempty"`
}

// FallbackReplicas are the replicas used while metrics stay unusable.
type FallbackReplicas struct {
	// agents is the agent-worker replica count to fall back to.
	// +required
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10000
	Agents int32 `json:"agents"`

	// chatbot is the chatbot replica count to fall back to.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10000
	Chatbot *int32 `json:"chatbot,omitempty"`
}

// QueryOverrides replace the default PromQL for one queue. Each query must
// return a single sample.
type QueryOverrides struct {
	// inflowPerSecond returns new tickets per second.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	InflowPerSecond string `json:"inflowPerSecond,omitempty"`

	// backlog returns the number of tickets waiting for a first response.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Backlog string `json:"backlog,omitempty"`

	// handleTimeSeconds returns the average handle time in seconds.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	HandleTimeSeconds string `json:"handleTimeSeconds,omitempty"`

	// serviceLevel returns the observed share (0-1) of contacts answered
	// within the SLA's target time, from your ticketing system. Reported in
	// status and on the SLAPolicy next to the prediction; not used for sizing.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	ServiceLevel string `json:"serviceLevel,omitempty"`

	// resolutionSeconds returns the observed average time to resolve a
	// contact, in seconds. Reported in status against the SLAPolicy's
	// resolution target; not used for sizing.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	ResolutionSeconds string `json:"resolutionSeconds,omitempty"`

	// answerRate returns the observed share (0-1) of contacts answered
	// rather than abandoned. Reported in status against the SLAPolicy's
	// answerRatePercent; not used for sizing.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	AnswerRate string `json:"answerRate,omitempty"`
}

// ScalingSpec tunes "fast attack, slow decay": scale up to the computed need
// in one step as soon as a rise is accepted, scale down gradually and only
// on evidence.
type ScalingSpec struct {
	// scaleUpWindow is deprecated and not read: inflow now comes from the
	// change detector on the raw ticket counter (see inflow). Kept so
	// existing manifests still apply.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('1h')",message="scaling.scaleUpWindow must be at most 1h (it is deprecated and ignored)"
	ScaleUpWindow *metav1.Duration `json:"scaleUpWindow,omitempty"`

	// inflow tunes how inflow is estimated from the ticket counter.
	// +optional
	// +kubebuilder:default={}
	Inflow InflowEstimationSpec `json:"inflow,omitempty"`

	// scaleDown limits how fast replicas are removed.
	// +optional
	// +kubebuilder:default={}
	ScaleDown ScaleDownSpec `json:"scaleDown,omitempty"`
}

// InflowEstimationSpec tunes the inflow estimator: a bank of Poisson CUSUM
// change detectors on the raw samples of frontline_tickets_created_total.
// After an accepted rise the queue is sized in one step for the upper
// confidence bound of the post-change rate; the level falls only when a
// fall is accepted. Expected delay to accept a ×10 rise with the defaults:
// about one to two scrapes above 600 tickets/h (5 s scrape: 10 s; 15 s
// scrape: 15-25 s; 30 s scrape: 30-45 s); 30-60 s at 100 tickets/h.
// A query override (metrics.queries.inflowPerSecond) bypasses all this: it
// is read as a gauge, sized for as is.
type InflowEstimationSpec struct {
	// falseAlarmEvery is the detector's false-alarm budget for rises: the
	// mean time between false alarms on steady traffic that its threshold
	// allows. A false rise costs a few replicas for minutes, so it is looser
	// than a surge's; falls need 30 times the evidence. Defaults to 24h.
	// +optional
	// +kubebuilder:default="24h"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1h') && duration(self) <= duration('876000h')",message="scaling.inflow.falseAlarmEvery must be between 1h and 876000h"
	FalseAlarmEvery *metav1.Duration `json:"falseAlarmEvery,omitempty"`

	// horizon is the level's memory between accepted changes: older
	// samples weigh less and less, and a change is re-estimated from at
	// most this much data. Also how much history is read when the operator
	// starts. Long, because between changes the rate is steady and more
	// data means a tighter bound: at 600 tickets/h an hour of data bounds
	// the rate within about 4 %, fifteen minutes within 8 %, enough to move
	// a busy chat queue by a replica or two on noise. Defaults to 1h.
	// +optional
	// +kubebuilder:default="1h"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m') && duration(self) <= duration('2h')",message="scaling.inflow.horizon must be between 1m and 2h"
	Horizon *metav1.Duration `json:"horizon,omitempty"`

	// coverage is how long samples must run without a gap (after an
	// outage, a counter reset or a new series) before the estimate may lower
	// capacity; until then it may only raise it, and MetricsAvailable says
	// PartialCoverage. Defaults to 1m.
	// +optional
	// +kubebuilder:default="1m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('10s') && duration(self) <= duration('1h')",message="scaling.inflow.coverage must be between 10s and 1h"
	Coverage *metav1.Duration `json:"coverage,omitempty"`
}

// ScaleDownSpec limits scale-downs so a short lull does not strip capacity.
type ScaleDownSpec struct {
	// stabilizationWindow is how long a lower need must persist before
	// replicas are removed: the highest need seen in the window wins. The
	// inflow estimator already lowers only on statistical evidence, so the
	// window need only outlast a wobble after a change (two 15s scrapes).
	// Defaults to 30s.
	// +optional
	// +kubebuilder:default="30s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('24h')",message="scaling.scaleDown.stabilizationWindow must be at most 24h"
	StabilizationWindow metav1.Duration `json:"stabilizationWindow,omitempty"`

	// maxStepPercent is the largest share of current replicas removed per
	// poll, at least one replica. Defaults to 25.
	// +optional
	// +kubebuilder:default=25
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	MaxStepPercent int32 `json:"maxStepPercent,omitempty"`
}

// SupportQueueStatus is the observed state of a queue.
type SupportQueueStatus struct {
	// observedGeneration is the generation of the spec last reconciled
	// successfully.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready, Reconciling, Stalled, SLAPolicyResolved,
	// MetricsAvailable, SLAAtRisk, Surging, KnowledgePublished.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// measured is what Prometheus reported at the last successful poll.
	// +optional
	Measured *QueueMeasurements `json:"measured,omitempty"`

	// agents are the desired and ready agent-worker replicas.
	// +optional
	Agents ReplicaStatus `json:"agents,omitempty"`

	// chatbot are the desired and ready chatbot replicas.
	// +optional
	Chatbot ReplicaStatus `json:"chatbot,omitempty"`

	// prediction is the capacity model's forecast for the desired agents.
	// +optional
	Prediction *QueuePrediction `json:"prediction,omitempty"`

	// sla is how the queue stands against its SLA: Met, AtRisk or
	// Breached (its SLAAtRisk condition says why), Unknown until it is
	// sized against a policy target. Its SLAPolicy counts it from here.
	// +optional
	SLA QueueSLAState `json:"sla,omitempty"`

	// activeSurgePlans names the SurgePlans acting on this queue now.
	// +optional
	// +listType=set
	ActiveSurgePlans []string `json:"activeSurgePlans,omitempty"`

	// scheduledAgents is the roster the desired agents imply after the
	// policy's shrinkage (breaks, training): what to staff, not what runs.
	// +optional
	ScheduledAgents int32 `json:"scheduledAgents,omitempty"`

	// consecutiveMetricFailures counts polls in a row that returned no usable
	// metrics.
	// +optional
	ConsecutiveMetricFailures int32 `json:"consecutiveMetricFailures,omitempty"`
}

// QueueMeasurements are the last usable metric readings.
type QueueMeasurements struct {
	// inflowPerHour is new tickets per hour: the inflow estimator's level
	// (the mean since the last accepted change), or the override query's
	// value.
	// +optional
	InflowPerHour *int64 `json:"inflowPerHour,omitempty"`
	// sizedForInflowPerHour is the inflow the queue is sized for: the
	// level's upper confidence bound, so a young or just-changed level errs
	// towards capacity.
	// +optional
	SizedForInflowPerHour *int64 `json:"sizedForInflowPerHour,omitempty"`
	// inflowSince is when the current level began: the last accepted
	// change of the ticket counter's rate, or its first sample.
	// +optional
	InflowSince *metav1.Time `json:"inflowSince,omitempty"`
	// backlog is tickets waiting for a first response.
	// +optional
	Backlog *int64 `json:"backlog,omitempty"`
	// averageHandleTime is the measured time agents spend on one contact.
	// +optional
	AverageHandleTime *metav1.Duration `json:"averageHandleTime,omitempty"`
	// serviceLevel is the observed share of contacts answered within the
	// target, when metrics.queries.serviceLevel is set.
	// +optional
	ServiceLevel Decimal `json:"serviceLevel,omitempty"`
	// resolutionTime is the observed average time to resolve a contact,
	// when metrics.queries.resolutionSeconds is set.
	// +optional
	ResolutionTime *metav1.Duration `json:"resolutionTime,omitempty"`
	// answerRate is the observed share of contacts answered rather than
	// abandoned, when metrics.queries.answerRate is set.
	// +optional
	AnswerRate Decimal `json:"answerRate,omitempty"`
}

// ReplicaStatus is one role's replicas.
type ReplicaStatus struct {
	// desiredReplicas is what the operator decided.
	// +optional
	DesiredReplicas int32 `json:"desiredReplicas,omitempty"`
	// readyReplicas is what the Deployment reports ready.
	// +optional
	ReadyReplicas int32 `json:"readyReplicas,omitempty"`
	// summary is "ready/desired", for printer columns.
	// +optional
	Summary string `json:"summary,omitempty"`
	// lastScaleTime is when desiredReplicas last changed.
	// +optional
	LastScaleTime *metav1.Time `json:"lastScaleTime,omitempty"`
	// scaleDown is the pending scale-down, if the need is below the desired
	// replicas; kept in status so a restarted operator keeps the window.
	// +optional
	ScaleDown *ScaleDownStatus `json:"scaleDown,omitempty"`
	// addedBySurge is how many of desiredReplicas the active surge plans
	// add: those above what the queue would target without them, after
	// the queue's bounds and the plans' caps.
	// +optional
	AddedBySurge int32 `json:"addedBySurge,omitempty"`
}

// ScaleDownStatus is a scale-down waiting for its stabilization window.
type ScaleDownStatus struct {
	// belowSince is when the need first fell below the desired replicas.
	// +optional
	BelowSince *metav1.Time `json:"belowSince,omitempty"`
	// recent are the highest needs seen since, newest last.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	Recent []NeedSample `json:"recent,omitempty"`
}

// NeedSample is a past need.
type NeedSample struct {
	// time the need was computed.
	// +required
	Time metav1.Time `json:"time"`
	// replicas needed.
	// +required
	Replicas int32 `json:"replicas"`
}

// QueuePrediction is the capacity model's forecast at the desired agents.
type QueuePrediction struct {
	// serviceLevel is the predicted share of contacts answered within the
	// target time, e.g. "0.888" (chat, phone), or the share of the backlog
	// answered within the first-response target (email, social).
	// +optional
	ServiceLevel Decimal `json:"serviceLevel,omitempty"`
	// targetServiceLevel is the policy's target as a fraction, e.g. "0.8".
	// +optional
	TargetServiceLevel Decimal `json:"targetServiceLevel,omitempty"`
	// averageSpeedOfAnswer is the predicted mean wait for an agent.
	// +optional
	AverageSpeedOfAnswer *metav1.Duration `json:"averageSpeedOfAnswer,omitempty"`
	// occupancy is the predicted share of agent time spent on contacts.
	// +optional
	Occupancy Decimal `json:"occupancy,omitempty"`
	// requiredAgents is the agents the model says must be working.
	// +optional
	RequiredAgents int32 `json:"requiredAgents,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=sq,categories=frontline
// +kubebuilder:printcolumn:name="Channel",type=string,JSONPath=`.spec.channel`
// +kubebuilder:printcolumn:name="Agents",type=string,JSONPath=`.status.agents.summary`,description="Ready/desired agent-worker replicas"
// +kubebuilder:printcolumn:name="Bots",type=string,JSONPath=`.status.chatbot.summary`,description="Ready/desired chatbot replicas"
// +kubebuilder:printcolumn:name="SL",type=string,JSONPath=`.status.prediction.serviceLevel`,description="Predicted service level"
// +kubebuilder:printcolumn:name="Surging",type=string,JSONPath=`.status.conditions[?(@.type=="Surging")].status`,description="True while a SurgePlan is active on the queue"
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="!has(self.spec.chatbot) || !has(self.spec.chatbot.knowledgeBase) || self.spec.chatbot.knowledgeBase.configMapRef.name != self.metadata.name + '-knowledge'",message="chatbot.knowledgeBase.configMapRef must not name the queue's own merged knowledge base (<queue>-knowledge): pinned FAQs would feed back into themselves"
// The queue's name labels its children (a label value: at most 63
// characters) and, with a chatbot, names its Service (<name>-chatbot, a
// DNS-1035 label of at most 63): a name that cannot is refused here rather
// than leave the queue failing at that child.
// +kubebuilder:validation:XValidation:rule="size(self.metadata.name) <= 63",message="a SupportQueue's name must be at most 63 characters: it is the queue label of its Deployments"
// +kubebuilder:validation:XValidation:rule="!has(self.spec.chatbot) || (size(self.metadata.name) <= 55 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$'))",message="a SupportQueue with a chatbot must be named with at most 55 lower-case letters, digits and '-', starting with a letter and ending with a letter or digit: its chatbot Service is named <name>-chatbot"

// SupportQueue is one support queue and the Deployments that serve it.
type SupportQueue struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired queue.
	// +required
	Spec SupportQueueSpec `json:"spec"`

	// status is the observed queue.
	// +optional
	Status SupportQueueStatus `json:"status,omitempty"`

	// decodeErr is set when the stored body did not decode (DecodeError).
	decodeErr string `json:"-"`
}

// +kubebuilder:object:root=true

// SupportQueueList is a list of SupportQueues.
type SupportQueueList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []SupportQueue `json:"items"`
}
