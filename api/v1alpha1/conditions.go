package v1alpha1

// Condition types. Ready, Reconciling and Stalled follow kstatus so that
// Argo CD, Flux and kubectl wait understand every Frontline object.
const (
	// ConditionReady is True when the object's last reconcile succeeded and
	// its children exist. Short-lived signals (a metrics gap, a surge) do not
	// flip it, so GitOps health stays stable.
	ConditionReady = "Ready"
	// ConditionReconciling is True while the operator is moving the object
	// towards its spec (kstatus "abnormal-true" condition).
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True when progress needs a human: a missing
	// reference, an invalid value (kstatus "abnormal-true" condition).
	ConditionStalled = "Stalled"
	// ConditionMetricsAvailable is True when the last poll of Prometheus
	// returned usable samples for the queue.
	ConditionMetricsAvailable = "MetricsAvailable"
	// ConditionSLAPolicyResolved is True when the queue's SLAPolicy exists and
	// has a target for the queue's channel.
	ConditionSLAPolicyResolved = "SLAPolicyResolved"
	// ConditionSLAAtRisk is True when a queue cannot be trusted to meet its
	// SLA: agents capped at maxReplicas below the need (reason
	// CappedAtMaxReplicas, or BelowTarget once predicted below it), held
	// while metrics are unusable (MetricsHeld), not ready yet with the ready
	// ones predicted short (PodsNotReady), or an observed service level
	// below target (ObservedBelowTarget). False (WithinTarget) while the
	// queue runs what its model asks for.
	ConditionSLAAtRisk = "SLAAtRisk"
	// ConditionSLABreached (on an SLAPolicy) is True when a queue is below
	// target: capped at maxReplicas and predicted below it, or observed
	// below it.
	ConditionSLABreached = "SLABreached"
	// ConditionSurging is True while at least one SurgePlan is active on the
	// queue, or, on a SurgePlan, while the plan is Active.
	ConditionSurging = "Surging"
	// ConditionTriggersAvailable (SurgePlan) is False while a trigger cannot
	// be read (reason TriggerUnreadable, the message names each and why):
	// such a trigger neither fires nor lets an Active plan cool down. Set
	// only while triggers are evaluated (not under Always or Never).
	ConditionTriggersAvailable = "TriggersAvailable"
	// ConditionKnowledgePublished (SupportQueue with bots) is False while
	// the merged knowledge base cannot be published (reason
	// KnowledgeTooLarge names its size and the limit); bots scale anyway.
	ConditionKnowledgePublished = "KnowledgePublished"
)

// Condition reasons. Every reason is CamelCase as metav1.Condition requires.
const (
	ReasonSucceeded   = "Succeeded"
	ReasonProgressing = "Progressing"
	ReasonScaling     = "Scaling"
	ReasonApplyFailed = "ApplyFailed"
	// ReasonReadFailed: reading the queue's inputs (policy, children,
	// plans) from the API failed.
	ReasonReadFailed         = "ReadFailed"
	ReasonSLAPolicyNotFound  = "SLAPolicyNotFound"
	ReasonNoTargetForChannel = "NoTargetForChannel"
	ReasonInvalidSpec        = "InvalidSpec"
	// ReasonUndecodable: the stored object holds a value the operator
	// cannot decode (written before admission bounded it); it is left
	// alone until fixed, and the rest of the cluster is served.
	ReasonUndecodable = "Undecodable"
	// ReasonNameConflict: an object with a child's name exists that the
	// queue did not create; it is left untouched.
	ReasonNameConflict = "NameConflict"
	// ReasonKnowledgeTooLarge: the merged knowledge base would exceed a
	// ConfigMap's size limit, so it is not published; bots still scale.
	ReasonKnowledgeTooLarge = "KnowledgeTooLarge"
	// ReasonInvalidOverride: a surge-override annotation cannot be read.
	ReasonInvalidOverride = "InvalidOverride"
	ReasonMetricsOK       = "MetricsOK"
	// ReasonPartialCoverage: metrics are usable but the counter's samples
	// do not yet cover the coverage span without a gap (after an outage, a
	// counter reset, a new series): replicas may rise, not fall.
	ReasonPartialCoverage = "PartialCoverage"
	// ReasonPartialMetrics: the inflow is read but the backlog or handle
	// time query failed, so the queue is sized without it: replicas may
	// rise, not fall.
	ReasonPartialMetrics     = "PartialMetrics"
	ReasonMetricsQueryFailed = "QueryFailed"
	ReasonMetricsEmpty       = "EmptyResult"
	ReasonMetricsStale       = "StaleSample"
	ReasonMetricsNotANumber  = "NotANumber"
	// ReasonSourceNotFound: the queue or plan names a metrics source the
	// platform team did not define; nothing is read and replicas hold.
	ReasonSourceNotFound = "SourceNotFound"
	// ReasonSourceNotAllowed: the queue or plan gives a Prometheus address
	// that the platform's allowedAddresses do not admit; nothing is read
	// and replicas hold.
	ReasonSourceNotAllowed = "SourceNotAllowed"
	// ReasonSourceUnauthorized: the source refused the operator's
	// credentials (HTTP 401 or 403, or its client certificate).
	ReasonSourceUnauthorized = "Unauthorized"
	ReasonWithinTarget       = "WithinTarget"
	ReasonAtRisk             = "QueuesAtRisk"
	ReasonTriggersRead       = "TriggersRead"
	ReasonTriggerUnreadable  = "TriggerUnreadable"
	// SLAAtRisk reasons on a queue besides BelowTarget and WithinTarget.
	ReasonObservedBelowTarget = "ObservedBelowTarget"
	ReasonCappedAtMax         = "CappedAtMaxReplicas"
	ReasonMetricsHeld         = "MetricsHeld"
	ReasonPodsNotReady        = "PodsNotReady"
	ReasonBelowTarget         = "BelowTarget"
	ReasonSurgeActive         = "SurgeActive"
	ReasonNoSurge             = "NoSurge"
	// SurgePlan transition reasons (status.reason, history, Events).
	ReasonTriggerFired  = "TriggerFired"
	ReasonManualOn      = "ManualOn"
	ReasonManualOff     = "ManualOff"
	ReasonModeAlways    = "ModeAlways"
	ReasonModeNever     = "ModeNever"
	ReasonManualExpired = "ManualExpired"
	ReasonAutoResumed   = "AutoResumed"
	ReasonQuiet         = "Quiet"
	ReasonMaxDuration   = "MaxDuration"
	ReasonCooledDown    = "CooledDown"
	// ReasonScheduledEvent: a scheduled event in progress made the plan
	// Active; the Event reasons below mark its preparation, start and end.
	ReasonScheduledEvent = "ScheduledEvent"
	ReasonEventPreparing = "EventPreparing"
	ReasonEventStarted   = "EventStarted"
	ReasonEventEnded     = "EventEnded"
	ReasonInvalidEvent   = "InvalidScheduledEvent"
	// SurgePlan Events on its status.missingTranslations: a selected
	// queue's language lacks a translation of some pinned FAQs (Warning),
	// or every language is matched again (Normal).
	ReasonTranslationMissing   = "TranslationMissing"
	ReasonTranslationsComplete = "TranslationsComplete"
)
