package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SLAPolicySpec holds the response-time targets that size every queue that
// references the policy.
// +kubebuilder:validation:XValidation:rule="double(self.warningMargin) < 1.0",message="warningMargin must be a fraction below 1, e.g. \"0.05\""
type SLAPolicySpec struct {
	// targets are the service targets, one per channel and priority.
	// +required
	// +listType=map
	// +listMapKey=channel
	// +listMapKey=priority
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	Targets []SLATarget `json:"targets"`

	// maxOccupancy caps the share of time agents spend on contacts, in
	// (0, 1]; higher occupancy burns agents out. Defaults to "0.85".
	// +optional
	// +kubebuilder:default="0.85"
	// +kubebuilder:validation:XValidation:rule="double(self) > 0.0 && double(self) <= 1.0",message="maxOccupancy must be a fraction greater than 0 and at most 1, e.g. \"0.85\""
	MaxOccupancy Decimal `json:"maxOccupancy,omitempty"`

	// shrinkage is the share of paid agent time not available for contacts
	// (breaks, training, meetings), in [0, 1). Scheduled agents are
	// required agents / (1 - shrinkage). Defaults to "0.3".
	// +optional
	// +kubebuilder:default="0.3"
	// +kubebuilder:validation:XValidation:rule="double(self) < 1.0",message="shrinkage must be a fraction from 0 up to but excluding 1, e.g. \"0.3\""
	Shrinkage Decimal `json:"shrinkage,omitempty"`

	// warningMargin is how close, in service-level points, the predicted
	// service level of a queue capped at maxReplicas may come to its target
	// before SLAAtRisk is raised. A queue running the agents its model asks
	// for is never at risk for being near the target: that is where sizing
	// aims. Defaults to "0.05" (5 points).
	// +optional
	// +kubebuilder:default="0.05"
	WarningMargin Decimal `json:"warningMargin,omitempty"`

	// headroom sizes real-time queues above their service-level target, as
	// a share of the gap to 100 %: at 80 % within 20s, "0.5" sizes for 90 %
	// and "0.95" for 99 %. Backlog channels answer within firstResponse ×
	// (1 - headroom). The target is an average: sized for it exactly, a few
	// contacts a minute make many single minutes fall short of it (about
	// one in fifteen on a calm chat desk); headroom buys those minutes back.
	// Defaults to "0": size for the target itself.
	// +optional
	// +kubebuilder:default="0"
	// +kubebuilder:validation:XValidation:rule="double(self) >= 0.0 && double(self) < 1.0",message="headroom must be a fraction from 0 up to but excluding 1, e.g. \"0.5\""
	Headroom Decimal `json:"headroom,omitempty"`

	// botRepliesCountAsFirstResponse lets a chatbot's first reply satisfy the
	// first-response target of email and social queues that have a bot:
	// agents are then sized for throughput only. Defaults to false: a human
	// must answer.
	// +optional
	// +kubebuilder:default=false
	BotRepliesCountAsFirstResponse bool `json:"botRepliesCountAsFirstResponse,omitempty"`
}

// SLATarget is the target for one channel and priority.
// +kubebuilder:validation:XValidation:rule="!(self.channel in ['chat', 'phone']) || has(self.serviceLevel)",message="serviceLevel is required for chat and phone targets"
// +kubebuilder:validation:XValidation:rule="!(self.channel in ['email', 'social']) || has(self.firstResponse)",message="firstResponse is required for email and social targets"
// +kubebuilder:validation:XValidation:rule="!has(self.firstResponse) || !has(self.resolution) || duration(self.firstResponse) <= duration(self.resolution)",message="firstResponse must not be longer than resolution"
type SLATarget struct {
	// channel the target applies to: chat, email, phone or social.
	// +required
	Channel Channel `json:"channel"`

	// priority the target applies to; queues pick it with spec.priority.
	// Defaults to "standard".
	// +optional
	// +kubebuilder:default=standard
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Priority string `json:"priority,omitempty"`

	// serviceLevel is "percent of contacts answered within a time", e.g. 80%
	// within 20s. Required for chat and phone.
	// +optional
	ServiceLevel *ServiceLevelTarget `json:"serviceLevel,omitempty"`

	// firstResponse is the longest a ticket may wait for its first human
	// reply. Required for email and social, which are sized so the backlog
	// clears within it.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s') && duration(self) <= duration('8760h')",message="firstResponse must be between 1s and 8760h"
	FirstResponse *metav1.Duration `json:"firstResponse,omitempty"`

	// resolution is the target time to resolve a contact. Not used for
	// sizing: a queue whose metrics.queries.resolutionSeconds reports a
	// longer average resolution time says so in its SLAAtRisk condition
	// (reason ObservedBelowTarget).
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s') && duration(self) <= duration('8760h')",message="resolution must be between 1s and 8760h"
	Resolution *metav1.Duration `json:"resolution,omitempty"`

	// answerRatePercent is the share of contacts that must be answered rather
	// than abandoned, in percent. Not used for sizing: a queue whose
	// metrics.queries.answerRate reports a lower share says so in its
	// SLAAtRisk condition (reason ObservedBelowTarget).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	AnswerRatePercent *int32 `json:"answerRatePercent,omitempty"`

	// headroom overrides spec.headroom for this channel and priority, as a
	// share of the gap to 100 % (backlog channels: first responses within
	// firstResponse × (1 - headroom)). A calm chat desk needs it to meet
	// its target minute by minute; an email queue given the same would be
	// sized to answer a 4h target in 12 minutes. Unset: spec.headroom.
	// +optional
	// +kubebuilder:validation:XValidation:rule="double(self) >= 0.0 && double(self) < 1.0",message="headroom must be a fraction from 0 up to but excluding 1, e.g. \"0.5\""
	Headroom *Decimal `json:"headroom,omitempty"`
}

// ServiceLevelTarget is "percent answered within a time".
type ServiceLevelTarget struct {
	// percent of contacts that must be answered within "within", from 1 to
	// 99 (100% is not reachable by any finite staffing).
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=99
	Percent int32 `json:"percent"`

	// within is the answer time the percentage refers to, e.g. 20s.
	// +required
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s') && duration(self) <= duration('24h')",message="serviceLevel.within must be between 1s and 24h"
	Within metav1.Duration `json:"within"`
}

// QueueSLAState is how a queue stands against its target.
// +kubebuilder:validation:Enum=Met;AtRisk;Breached;Unknown
type QueueSLAState string

const (
	QueueSLAMet      QueueSLAState = "Met"
	QueueSLAAtRisk   QueueSLAState = "AtRisk"
	QueueSLABreached QueueSLAState = "Breached"
	QueueSLAUnknown  QueueSLAState = "Unknown"
)

// QueueSLAStatus is one queue's standing against the policy.
type QueueSLAStatus struct {
	// name of the SupportQueue.
	// +required
	Name string `json:"name"`
	// channel of the queue.
	// +optional
	Channel Channel `json:"channel,omitempty"`
	// targetServiceLevel is the target as a fraction.
	// +optional
	TargetServiceLevel Decimal `json:"targetServiceLevel,omitempty"`
	// predictedServiceLevel is the capacity model's forecast at the queue's
	// desired agents.
	// +optional
	PredictedServiceLevel Decimal `json:"predictedServiceLevel,omitempty"`
	// observedServiceLevel is the measured share answered within target,
	// when the queue reads one (metrics.queries.serviceLevel).
	// +optional
	ObservedServiceLevel Decimal `json:"observedServiceLevel,omitempty"`
	// state is the queue's status.sla: Met, AtRisk or Breached (the
	// queue's SLAAtRisk condition says why), or Unknown (not assessed
	// yet).
	// +optional
	State QueueSLAState `json:"state,omitempty"`
}

// SLAPolicyStatus is the observed state of a policy.
type SLAPolicyStatus struct {
	// observedGeneration is the generation of the spec last reconciled.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready, SLAAtRisk, SLABreached.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// queues lists the SupportQueues that use the policy.
	// +optional
	// +listType=map
	// +listMapKey=name
	Queues []QueueSLAStatus `json:"queues,omitempty"`

	// queueCount is the number of queues using the policy.
	// +optional
	QueueCount int32 `json:"queueCount,omitempty"`

	// atRiskCount is the number of queues at risk.
	// +optional
	AtRiskCount int32 `json:"atRiskCount,omitempty"`

	// breachedCount is the number of queues in breach.
	// +optional
	BreachedCount int32 `json:"breachedCount,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=slap,categories=frontline
// +kubebuilder:printcolumn:name="Queues",type=integer,JSONPath=`.status.queueCount`
// +kubebuilder:printcolumn:name="At-Risk",type=integer,JSONPath=`.status.atRiskCount`
// +kubebuilder:printcolumn:name="Breached",type=integer,JSONPath=`.status.breachedCount`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// SLAPolicy holds response-time targets that size the queues referencing it.
type SLAPolicy struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired policy.
	// +required
	Spec SLAPolicySpec `json:"spec"`

	// status is the observed policy.
	// +optional
	Status SLAPolicyStatus `json:"status,omitempty"`

	// decodeErr is set when the stored body did not decode (DecodeError).
	decodeErr string `json:"-"`
}

// +kubebuilder:object:root=true

// SLAPolicyList is a list of SLAPolicies.
type SLAPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []SLAPolicy `json:"items"`
}
