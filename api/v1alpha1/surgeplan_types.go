package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SurgeMode is how a plan is driven. No value is a YAML 1.1 boolean word
// (On, Off, Yes, No...), which YAML readers turn into true/false.
// +kubebuilder:validation:Enum=Auto;Always;Never
type SurgeMode string

// SurgeMode values.
const (
	// SurgeModeAuto lets the triggers decide.
	SurgeModeAuto SurgeMode = "Auto"
	// SurgeModeAlways keeps the plan Active (until activeUntil, if set).
	SurgeModeAlways SurgeMode = "Always"
	// SurgeModeNever disables the plan; it wins over every trigger.
	SurgeModeNever SurgeMode = "Never"
)

// On-call overrides live in annotations that Git never sets, so a GitOps
// sync (server-side apply with --force-conflicts, or client-side apply)
// leaves them alone: `kubectl frontline surge on|off|auto` writes them, the
// operator reads them, and while one is in force it wins over spec.mode.
const (
	// AnnotationSurgeOverride is Always (surge on) or Never (surge off).
	AnnotationSurgeOverride = "support.frontline.dev/surge-override"
	// AnnotationSurgeOverrideUntil ends the override (RFC 3339); after it
	// the plan follows spec.mode again by itself.
	AnnotationSurgeOverrideUntil = "support.frontline.dev/surge-override-until"
	// AnnotationSurgeOverrideReason is why, for the audit trail.
	AnnotationSurgeOverrideReason = "support.frontline.dev/surge-override-reason"
	// AnnotationChangedBy is who last set or cleared the override.
	AnnotationChangedBy = "support.frontline.dev/changed-by"
)

// SurgePhase is where a plan is in its lifecycle.
type SurgePhase string

// SurgePhase values.
const (
	SurgePhaseArmed       SurgePhase = "Armed"
	SurgePhaseActive      SurgePhase = "Active"
	SurgePhaseCoolingDown SurgePhase = "CoolingDown"
	SurgePhaseDisabled    SurgePhase = "Disabled"
)

// TriggerMatch says how triggers combine.
// +kubebuilder:validation:Enum=Any;All
type TriggerMatch string

const (
	// TriggerMatchAny fires when any one trigger holds.
	TriggerMatchAny TriggerMatch = "Any"
	// TriggerMatchAll fires only when every trigger holds.
	TriggerMatchAll TriggerMatch = "All"
)

// SurgePlanSpec is what to do when the market moves.
// +kubebuilder:validation:XValidation:rule="!has(self.activeUntil) || self.mode == 'Always'",message="activeUntil may only be set when mode is Always"
// +kubebuilder:validation:XValidation:rule="self.mode != 'Auto' || has(self.triggers) || (has(self.schedule) && size(self.schedule) > 0)",message="triggers or schedule are required when mode is Auto"
type SurgePlanSpec struct {
	// mode is the plan's normal state, the one kept in Git: Auto (triggers
	// decide), Always (Active; until activeUntil if set, then Auto) or
	// Never (disabled, wins over triggers). On-call overrides do not
	// change it: they live in the support.frontline.dev/surge-override
	// annotations, which win while in force. Defaults to Auto.
	// +optional
	// +kubebuilder:default=Auto
	Mode SurgeMode `json:"mode,omitempty"`

	// activeUntil ends mode Always: after it the plan behaves as Auto.
	// Only with mode Always.
	// +optional
	ActiveUntil *metav1.Time `json:"activeUntil,omitempty"`

	// reason records why the mode is what it is, for the audit trail.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Reason string `json:"reason,omitempty"`

	// queueSelector selects the SupportQueues, in the plan's namespace, that
	// the plan acts on. An empty selector selects every queue.
	// +required
	QueueSelector metav1.LabelSelector `json:"queueSelector"`

	// triggers switch the plan to Active in mode Auto.
	// +optional
	Triggers *SurgeTriggers `json:"triggers,omitempty"`

	// schedule are known events (a listing, a token unlock, a CPI release):
	// from leadTime before each one starts, every selected queue is sized
	// by its capacity model for the inflow the event expects (more inflow
	// than expected still raises capacity at once; less does not lower it
	// before the event ends), and while the event runs the plan is Active
	// with its actions. Overlapping events and triggers combine as the
	// maximum. Not in mode Never or while turned off by hand.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=32
	Schedule []ScheduledEvent `json:"schedule,omitempty"`

	// actions are applied to every selected queue while the plan is Active.
	// +required
	Actions SurgeActions `json:"actions"`

	// cooldown says when an Active plan may end.
	// +optional
	// +kubebuilder:default={}
	Cooldown CooldownSpec `json:"cooldown,omitempty"`

	// maxDuration ends an automatic Active period after this long (never
	// before cooldown.minActive); a forced one ends at its own time. Unset
	// means no limit.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m') && duration(self) <= duration('8760h')",message="maxDuration must be between 1m and 8760h"
	MaxDuration *metav1.Duration `json:"maxDuration,omitempty"`

	// evaluationInterval is how often the triggers are read from
	// Prometheus. Between 5s and 10m; defaults to 5s.
	// +optional
	// +kubebuilder:default="5s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('5s') && duration(self) <= duration('10m')",message="evaluationInterval must be between 5s and 10m"
	EvaluationInterval metav1.Duration `json:"evaluationInterval,omitempty"`

	// prometheus is the metrics source triggers are read from. Defaults to
	// the source named "default" (the operator's --prometheus-address).
	// +optional
	Prometheus *PrometheusSource `json:"prometheus,omitempty"`

	// historyLimit is how many transitions status.history keeps. Defaults
	// to 20.
	// +optional
	// +kubebuilder:default=20
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	HistoryLimit int32 `json:"historyLimit,omitempty"`
}

// SurgeTriggers are the conditions that switch a plan on.
// +kubebuilder:validation:XValidation:rule="has(self.inflowSpike) || has(self.backlog) || (has(self.external) && size(self.external) > 0)",message="triggers must set at least one of inflowSpike, backlog or external"
type SurgeTriggers struct {
	// match is Any (one trigger suffices) or All (every trigger must hold).
	// Defaults to Any.
	// +optional
	// +kubebuilder:default=Any
	Match TriggerMatch `json:"match,omitempty"`

	// inflowSpike fires when the short-window inflow is a multiple of its
	// baseline, read from Prometheus history.
	// +optional
	InflowSpike *InflowSpikeTrigger `json:"inflowSpike,omitempty"`

	// backlog fires when waiting tickets across the selected queues exceed a
	// count.
	// +optional
	Backlog *BacklogTrigger `json:"backlog,omitempty"`

	// external are PromQL conditions, such as a BTC price move.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=16
	External []ExternalTrigger `json:"external,omitempty"`
}

// InflowSpikeTrigger detects a rise of the selected queues' inflow over its
// baseline with the same change detector that sizes the queues (a bank of
// Poisson CUSUM charts on the raw ticket counter), so a ×10 step is
// accepted within a scrape or two and calm noise almost never: with the
// default budget, a false surge about once a year or less.
// +kubebuilder:validation:XValidation:rule="duration(self.window) < duration(self.baseline)",message="inflowSpike.window must be shorter than inflowSpike.baseline"
// +kubebuilder:validation:XValidation:rule="!has(self.exitRatio) || double(self.exitRatio) < double(self.ratio)",message="inflowSpike.exitRatio must be lower than inflowSpike.ratio, or the plan would flap"
type InflowSpikeTrigger struct {
	// ratio of inflow to baseline inflow that fires the trigger; greater
	// than 1, e.g. "3". The detector's charts test ratio, 2·ratio and
	// 4·ratio, and fire only once the post-change rate's lower confidence
	// bound reaches ratio: a slow climb short of it does not surge.
	// +required
	// +kubebuilder:validation:XValidation:rule="double(self) > 1.0",message="inflowSpike.ratio must be greater than 1, e.g. \"3\""
	Ratio Decimal `json:"ratio"`

	// exitRatio is the ratio below which the spike counts as over; lower
	// than ratio so the plan never flaps. Defaults to halfway between 1 and
	// ratio.
	// +optional
	// +kubebuilder:validation:XValidation:rule="double(self) >= 1.0",message="inflowSpike.exitRatio must be at least 1"
	ExitRatio *Decimal `json:"exitRatio,omitempty"`

	// window is how far back the detector reads raw counter samples to find
	// where a rise began; also the span whose inflow counts for exitRatio.
	// Defaults to 5m.
	// +optional
	// +kubebuilder:default="5m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('10s') && duration(self) <= duration('24h')",message="inflowSpike.window must be between 10s and 24h"
	Window metav1.Duration `json:"window,omitempty"`

	// baseline is the span before the window whose usual inflow the rise
	// is measured against. Defaults to 1h.
	// +optional
	// +kubebuilder:default="1h"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('168h')",message="inflowSpike.baseline must be at most 168h"
	Baseline metav1.Duration `json:"baseline,omitempty"`

	// minInflowPerHour is the inflow below which the trigger never fires, so
	// quiet queues do not surge on a handful of tickets. Defaults to 60.
	// +optional
	// +kubebuilder:default=60
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10000000
	MinInflowPerHour int32 `json:"minInflowPerHour,omitempty"`

	// for is how long the detector's verdict must hold before the trigger
	// fires. The detector already weighs the evidence, so it defaults to 0s.
	// +optional
	// +kubebuilder:default="0s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('1h')",message="inflowSpike.for must be at most 1h"
	For metav1.Duration `json:"for,omitempty"`

	// falseAlarmEvery is the detector's false-alarm budget: the mean time
	// between false surges on steady traffic that its threshold allows. A
	// false surge pages people, so the default is strict: 8760h (a year).
	// Shorter detects sooner: at 600 tickets/h a ×5 rise needs about 17 s
	// of evidence at one a day, 26 s at one a year (plus a scrape).
	// +optional
	// +kubebuilder:default="8760h"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1h') && duration(self) <= duration('876000h')",message="inflowSpike.falseAlarmEvery must be between 1h and 876000h"
	FalseAlarmEvery *metav1.Duration `json:"falseAlarmEvery,omitempty"`
}

// BacklogTrigger fires on waiting tickets.
// +kubebuilder:validation:XValidation:rule="!has(self.exitBelow) || self.exitBelow < self.above",message="backlog.exitBelow must be lower than backlog.above, or the plan would flap"
type BacklogTrigger struct {
	// above is the backlog, in tickets summed over the selected queues, that
	// fires the trigger.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000000
	Above int32 `json:"above"`

	// exitBelow is the backlog under which the surge may end. Defaults to
	// half of above.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=9999999
	ExitBelow *int32 `json:"exitBelow,omitempty"`

	// for is how long the backlog must stay above before firing. Defaults
	// to 30s.
	// +optional
	// +kubebuilder:default="30s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('1h')",message="backlog.for must be at most 1h"
	For metav1.Duration `json:"for,omitempty"`
}

// ExternalTrigger fires when a PromQL expression exceeds a threshold.
// +kubebuilder:validation:XValidation:rule="!has(self.exitBelow) || double(self.exitBelow) < double(self.above)",message="external exitBelow must be lower than above, or the plan would flap"
type ExternalTrigger struct {
	// name identifies the trigger in status and events, e.g. "btc-move".
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// query is a PromQL expression returning exactly one sample (wrap it in
	// max() or sum()), e.g.
	// max(abs(delta(exchange_price{pair="BTC-USDT"}[10m])) / exchange_price{pair="BTC-USDT"}).
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Query string `json:"query"`

	// above is the value that fires the trigger, e.g. "0.05".
	// +required
	Above Decimal `json:"above"`

	// exitBelow is the value under which the surge may end. Defaults to
	// half of above.
	// +optional
	ExitBelow *Decimal `json:"exitBelow,omitempty"`

	// for is how long the value must stay above before firing. Defaults to
	// 0s: a volatility signal is already smoothed by its query.
	// +optional
	// +kubebuilder:default="0s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('1h')",message="external for must be at most 1h"
	For metav1.Duration `json:"for,omitempty"`

	// source names the platform's metrics source this query reads, e.g. a
	// Shared source holding market prices (see prometheus.source).
	// Defaults to the plan's source. On a tenant-scoped source the query
	// is confined to the plan's namespace: it reads only series labelled
	// with it, so market data needs a source the platform marked Shared.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Source string `json:"source,omitempty"`
}

// ScheduledEvent is a known event: once at a set time, or repeating on
// weekdays at a local time in an IANA time zone (daylight saving followed).
// +kubebuilder:validation:XValidation:rule="has(self.at) != has(self.repeat)",message="a scheduled event sets exactly one of at (once) or repeat"
// +kubebuilder:validation:XValidation:rule="!has(self.excludeDates) || has(self.repeat)",message="excludeDates only apply to a repeating event"
type ScheduledEvent struct {
	// name identifies the event in status and Events, e.g. "sol-listing".
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// at is a one-off event's start, RFC 3339 with its offset, e.g.
	// "2026-12-10T12:00:00Z" or "2026-12-10T21:00:00+09:00".
	// +optional
	At *metav1.Time `json:"at,omitempty"`

	// repeat is a repeating event's days, local time and time zone.
	// +optional
	Repeat *EventRepeat `json:"repeat,omitempty"`

	// duration is how long the event lasts from its start.
	// +required
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m') && duration(self) <= duration('168h')",message="duration must be between 1m and 168h"
	Duration metav1.Duration `json:"duration"`

	// leadTime is how long before the start the capacity for the event
	// must be in place: people need minutes to log in. Defaults to 15m.
	// +optional
	// +kubebuilder:default="15m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('6h')",message="leadTime must be at most 6h"
	LeadTime metav1.Duration `json:"leadTime,omitempty"`

	// ramp spreads the rise over this long before the lead time, so
	// people are called in steps rather than all at once. Defaults to 0
	// (one step at start - leadTime).
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('6h')",message="ramp must be at most 6h"
	Ramp *metav1.Duration `json:"ramp,omitempty"`

	// excludeDates are local dates (YYYY-MM-DD, in repeat.timeZone) on
	// which a repeating event does not happen, e.g. a holiday.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:Pattern=`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`
	ExcludeDates []string `json:"excludeDates,omitempty"`

	// expect is the inflow the event brings to each selected queue.
	// +required
	Expect ExpectedInflow `json:"expect"`
}

// EventRepeat is when a repeating event starts: on each of days at time,
// local to timeZone. A local time daylight saving skips (02:30 on a
// spring-forward night) starts an hour later on the wall clock; a repeated
// one (01:30 on a fall-back night) at its first occurrence.
type EventRepeat struct {
	// days are weekdays, e.g. [Monday, Thursday].
	// +required
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=7
	Days []Weekday `json:"days"`

	// time is the local start, 24-hour "HH:MM", e.g. "14:30".
	// +required
	// +kubebuilder:validation:Pattern=`^([01][0-9]|2[0-3]):[0-5][0-9]$`
	Time string `json:"time"`

	// timeZone is an IANA time zone, e.g. "America/New_York" or "UTC".
	// Defaults to UTC.
	// +optional
	// +kubebuilder:default=UTC
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$`
	TimeZone string `json:"timeZone,omitempty"`
}

// Weekday is a day of the week, spelled out.
// +kubebuilder:validation:Enum=Monday;Tuesday;Wednesday;Thursday;Friday;Saturday;Sunday
type Weekday string

// ExpectedInflow is the inflow an event brings: a multiple of the
// queue's usual rate (its level when the lead time opens), or an absolute
// rate, for every selected queue or per queue.
// +kubebuilder:validation:XValidation:rule="has(self.factor) || has(self.inflowPerHour) || (has(self.queues) && size(self.queues) > 0)",message="expect must set factor, inflowPerHour or queues"
// +kubebuilder:validation:XValidation:rule="!(has(self.factor) && has(self.inflowPerHour))",message="expect sets factor or inflowPerHour, not both"
type ExpectedInflow struct {
	// factor multiplies each queue's usual inflow, e.g. "6"; between 1
	// and 100.
	// +optional
	// +kubebuilder:validation:XValidation:rule="double(self) >= 1.0 && double(self) <= 100.0",message="expect.factor must be between 1 and 100, e.g. \"6\""
	Factor *Decimal `json:"factor,omitempty"`

	// inflowPerHour is each queue's expected inflow, tickets per hour.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000000
	InflowPerHour *int64 `json:"inflowPerHour,omitempty"`

	// queues set the expected inflow of named queues, overriding factor
	// and inflowPerHour for them.
	// +optional
	// +listType=map
	// +listMapKey=queue
	// +kubebuilder:validation:MaxItems=100
	Queues []QueueExpectedInflow `json:"queues,omitempty"`
}

// QueueExpectedInflow is one queue's expected inflow during an event.
// +kubebuilder:validation:XValidation:rule="has(self.factor) != has(self.inflowPerHour)",message="a queue's expectation sets exactly one of factor or inflowPerHour"
type QueueExpectedInflow struct {
	// queue is the SupportQueue's name.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Queue string `json:"queue"`

	// factor multiplies the queue's usual inflow; between 1 and 100.
	// +optional
	// +kubebuilder:validation:XValidation:rule="double(self) >= 1.0 && double(self) <= 100.0",message="factor must be between 1 and 100"
	Factor *Decimal `json:"factor,omitempty"`

	// inflowPerHour is the queue's expected inflow, tickets per hour.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000000
	InflowPerHour *int64 `json:"inflowPerHour,omitempty"`
}

// SurgeActions are applied to every selected queue while a plan is Active.
// +kubebuilder:validation:XValidation:rule="has(self.chatbots) || has(self.agents) || (has(self.pinnedFAQs) && size(self.pinnedFAQs) > 0)",message="actions must set at least one of chatbots, agents or pinnedFAQs"
type SurgeActions struct {
	// chatbots adds bot capacity.
	// +optional
	Chatbots *ChatbotSurge `json:"chatbots,omitempty"`

	// agents adds agent-worker capacity.
	// +optional
	Agents *AgentSurge `json:"agents,omitempty"`

	// pinnedFAQs are incident answers merged into each queue's knowledge
	// ConfigMap while the plan is Active and removed when it ends, in each
	// of the queue's languages.
	// +optional
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MaxItems=50
	PinnedFAQs []PinnedFAQ `json:"pinnedFAQs,omitempty"`
}

// ChatbotSurge scales bots during a surge: replicas become
// max(need, current desired × factor + extraReplicas), capped at maxReplicas.
// +kubebuilder:validation:XValidation:rule="has(self.factor) || has(self.extraReplicas)",message="chatbots must set factor or extraReplicas"
type ChatbotSurge struct {
	// factor multiplies the chatbot replicas, at least 1, e.g. "3".
	// +optional
	// +kubebuilder:validation:XValidation:rule="double(self) >= 1.0 && double(self) <= 100.0",message="chatbots.factor must be between 1 and 100, e.g. \"3\""
	Factor *Decimal `json:"factor,omitempty"`

	// extraReplicas adds a fixed number of chatbot replicas.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10000
	ExtraReplicas *int32 `json:"extraReplicas,omitempty"`

	// maxReplicas caps the chatbot replicas during the surge; it may exceed
	// the queue's own chatbot.maxReplicas.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000
	MaxReplicas int32 `json:"maxReplicas"`
}

// AgentSurge adds agent-worker replicas during a surge (on-call agents
// joining the queue), up to the queue's agents.maxReplicas.
type AgentSurge struct {
	// extraReplicas is how many agent-worker replicas to add on top of the
	// computed need.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000
	ExtraReplicas int32 `json:"extraReplicas"`
}

// PinnedFAQ is an incident answer pinned at the top of the bot's knowledge,
// in its own language and in translations. Each language a queue serves
// gets the text RFC 4647 lookup picks: the queue's tag, then the tag
// shortened (zh-Hant-TW, zh-Hant, zh), compared case-insensitively with
// language and the translations' tags. A queue language nothing matches
// gets question and answer as written, and is named in the plan's
// status.missingTranslations.
// +kubebuilder:validation:XValidation:rule="!has(self.translations) || !has(self.language) || self.translations.all(t, t.language.lowerAscii() != self.language.lowerAscii())",message="a translation must not repeat the FAQ's own language"
type PinnedFAQ struct {
	// id is unique within the plan and becomes the entry's key, e.g.
	// "btc-withdrawals-delayed".
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	ID string `json:"id"`

	// question as customers ask it.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Question string `json:"question"`

	// answer the bot gives.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Answer string `json:"answer"`

	// language is the BCP 47 tag of question and answer, e.g. "en". It is
	// also the fallback: a queue language that no translation matches is
	// served this text (and named in the plan's status). Defaults to "en".
	// +optional
	// +kubebuilder:default=en
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^(([A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(-[0-9A-WYZa-wyz](-[A-Za-z0-9]{2,8})+)*(-[Xx](-[A-Za-z0-9]{1,8})+)?|[Xx](-[A-Za-z0-9]{1,8})+)$`
	Language string `json:"language,omitempty"`

	// translations of question and answer, one per BCP 47 tag, e.g. "ko"
	// or "zh-Hant". Tags compare case-insensitively.
	// +optional
	// +listType=map
	// +listMapKey=language
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:XValidation:rule="self.all(a, self.exists_one(b, b.language.lowerAscii() == a.language.lowerAscii()))",message="translations must not repeat a language (tags compare case-insensitively)"
	Translations []FAQTranslation `json:"translations,omitempty"`
}

// FAQTranslation is a pinned FAQ in one more language.
type FAQTranslation struct {
	// language is the translation's BCP 47 tag, e.g. "ko" or "zh-Hant".
	// +required
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^(([A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(-[0-9A-WYZa-wyz](-[A-Za-z0-9]{2,8})+)*(-[Xx](-[A-Za-z0-9]{1,8})+)?|[Xx](-[A-Za-z0-9]{1,8})+)$`
	Language string `json:"language"`

	// question as customers ask it in that language.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Question string `json:"question"`

	// answer the bot gives in that language.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Answer string `json:"answer"`
}

// CooldownSpec says when an Active plan may end. Entering uses the
// triggers' thresholds, leaving uses their exit thresholds (hysteresis).
type CooldownSpec struct {
	// minActive is the shortest Active period. Defaults to 15m.
	// +optional
	// +kubebuilder:default="15m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('24h')",message="cooldown.minActive must be at most 24h"
	MinActive metav1.Duration `json:"minActive,omitempty"`

	// quietFor is how long every trigger must stay under its exit threshold
	// before the plan cools down. Defaults to 10m.
	// +optional
	// +kubebuilder:default="10m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('24h')",message="cooldown.quietFor must be at most 24h"
	QuietFor metav1.Duration `json:"quietFor,omitempty"`

	// coolingDownFor is how long the plan stays CoolingDown, with its
	// actions released, before it is Armed again; a trigger that fires in
	// that time makes it Active again. Defaults to 5m.
	// +optional
	// +kubebuilder:default="5m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('24h')",message="cooldown.coolingDownFor must be at most 24h"
	CoolingDownFor metav1.Duration `json:"coolingDownFor,omitempty"`
}

// TriggerObservation is a trigger's last reading.
type TriggerObservation struct {
	// name of the trigger: "inflowSpike", "backlog" or an external name.
	// +required
	Name string `json:"name"`
	// value last read while the trigger holds, e.g. "4.2", or "unknown"
	// when it cannot be read (then it neither fires nor lets the plan cool
	// down).
	// +optional
	Value string `json:"value,omitempty"`
	// threshold it is compared with.
	// +optional
	Threshold string `json:"threshold,omitempty"`
	// holdingSince is when the value first crossed the threshold in the
	// current run; unset when it does not hold.
	// +optional
	HoldingSince *metav1.Time `json:"holdingSince,omitempty"`
	// message says why the value is unknown.
	// +optional
	Message string `json:"message,omitempty"`
}

// SurgeTransition is one entry of the audit trail.
type SurgeTransition struct {
	// time of the transition.
	// +required
	Time metav1.Time `json:"time"`
	// from is the phase left.
	// +optional
	From SurgePhase `json:"from,omitempty"`
	// to is the phase entered.
	// +required
	To SurgePhase `json:"to"`
	// reason is a CamelCase cause, e.g. TriggerFired, ManualOn, Quiet.
	// +required
	Reason string `json:"reason"`
	// message says which trigger and value, or who forced it and why.
	// +optional
	Message string `json:"message,omitempty"`
}

// ManualChange is an on-call override, as the operator last saw it.
type ManualChange struct {
	// mode that was set: Always or Never, or Auto once cleared.
	// +required
	Mode SurgeMode `json:"mode"`
	// until is when the override ends by itself.
	// +optional
	Until *metav1.Time `json:"until,omitempty"`
	// expired is true once until has passed: the plan follows spec.mode.
	// +optional
	Expired bool `json:"expired,omitempty"`
	// by is who set it, as the plugin recorded it.
	// +optional
	By string `json:"by,omitempty"`
	// reason they gave.
	// +optional
	Reason string `json:"reason,omitempty"`
	// time the operator first saw the change.
	// +optional
	Time *metav1.Time `json:"time,omitempty"`
}

// SurgeAdded is the capacity surge adds across a plan's queues, as the
// queues report it (status.agents.addedBySurge, status.chatbot.addedBySurge):
// what was really added after each queue's bounds and caps. Where several
// active plans select one queue their actions combine (the largest wins),
// and each of them reports the combined addition.
type SurgeAdded struct {
	// chatbotReplicas added across the selected queues.
	// +optional
	ChatbotReplicas int32 `json:"chatbotReplicas,omitempty"`
	// agentReplicas added across the selected queues.
	// +optional
	AgentReplicas int32 `json:"agentReplicas,omitempty"`
}

// MissingTranslation is a language a selected queue serves that some of
// the plan's pinned FAQs have no translation for: its bots are served
// those FAQs in the FAQ's own language.
type MissingTranslation struct {
	// queue is the SupportQueue's name.
	// +required
	Queue string `json:"queue"`
	// language is the queue's language, as in its spec.languages.
	// +required
	Language string `json:"language"`
	// faqs are the ids of the pinned FAQs without a translation for it.
	// +required
	// +listType=set
	FAQs []string `json:"faqs"`
}

// UpcomingEvent is a scheduled event still ahead.
type UpcomingEvent struct {
	// name is the event's name in spec.schedule.
	Name string `json:"name"`
	// start is when the event begins.
	Start metav1.Time `json:"start"`
	// readyBy is when its capacity must be in place (start - leadTime).
	ReadyBy metav1.Time `json:"readyBy"`
}

// EventStage is where an open event is: Preparing (before its start) or
// Running.
// +kubebuilder:validation:Enum=Preparing;Running
type EventStage string

// Stages of an open event.
const (
	EventPreparing EventStage = "Preparing"
	EventRunning   EventStage = "Running"
)

// ScheduledEventStatus is an event being prepared for or running.
type ScheduledEventStatus struct {
	// name is the event's name in spec.schedule.
	Name string `json:"name"`
	// stage is Preparing or Running.
	Stage EventStage `json:"stage"`
	// opens is when preparation began (start - leadTime - ramp).
	Opens metav1.Time `json:"opens"`
	// readyBy is when capacity must be in place (start - leadTime).
	ReadyBy metav1.Time `json:"readyBy"`
	// start and end bound the event itself.
	Start metav1.Time `json:"start"`
	End   metav1.Time `json:"end"`
	// queues are the selected queues' expected inflow.
	// +optional
	// +listType=map
	// +listMapKey=queue
	// +kubebuilder:validation:MaxItems=1000
	Queues []EventQueueInflow `json:"queues,omitempty"`
}

// EventQueueInflow is what one queue is sized for during an event.
type EventQueueInflow struct {
	// queue is the SupportQueue's name.
	Queue string `json:"queue"`
	// usualInflowPerHour is the queue's level when preparation began,
	// from which a factor is taken and a ramp starts (unset: not known
	// then, so a factor waits for it).
	// +optional
	UsualInflowPerHour *int64 `json:"usualInflowPerHour,omitempty"`
	// inflowPerHour is the inflow the queue is sized for from readyBy to
	// the end (unset until known).
	// +optional
	InflowPerHour *int64 `json:"inflowPerHour,omitempty"`
}

// SurgePlanStatus is the observed state of a plan. All lifecycle state lives
// here so a restarted operator resumes mid-surge.
type SurgePlanStatus struct {
	// observedGeneration is the generation of the spec last reconciled.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready, Stalled, TriggersAvailable, Surging.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// phase is Armed, Active, CoolingDown or Disabled.
	// +optional
	Phase SurgePhase `json:"phase,omitempty"`

	// since is when the plan entered its phase.
	// +optional
	Since *metav1.Time `json:"since,omitempty"`

	// reason is why the plan is in its phase (CamelCase).
	// +optional
	Reason string `json:"reason,omitempty"`

	// message says which trigger and value, or who set the mode and why.
	// +optional
	Message string `json:"message,omitempty"`

	// forced is true while the current Active period was forced (surge
	// on, or mode Always) rather than entered by the triggers or an event.
	// +optional
	Forced bool `json:"forced,omitempty"`

	// manual records the on-call override (kubectl frontline surge
	// on|off|auto, in the support.frontline.dev/surge-override
	// annotations): what, who, why, until when, and whether it expired.
	// +optional
	Manual *ManualChange `json:"manual,omitempty"`

	// quietSince is when every trigger last went under its exit threshold
	// while Active.
	// +optional
	QuietSince *metav1.Time `json:"quietSince,omitempty"`

	// triggers are the last readings of each trigger.
	// +optional
	// +listType=map
	// +listMapKey=name
	Triggers []TriggerObservation `json:"triggers,omitempty"`

	// queues are the SupportQueues the plan selects.
	// +optional
	// +listType=set
	Queues []string `json:"queues,omitempty"`

	// added is the capacity the plan adds now.
	// +optional
	Added SurgeAdded `json:"added,omitempty"`

	// missingTranslations names each language of a selected queue with bots
	// that some pinned FAQs have no translation for, whatever the phase, so
	// gaps show before an incident. Empty when every language is matched.
	// At most 100 entries, ordered by queue name.
	// +optional
	// +listType=map
	// +listMapKey=queue
	// +listMapKey=language
	MissingTranslations []MissingTranslation `json:"missingTranslations,omitempty"`

	// nextEvent is the scheduled event whose preparation opens next.
	// +optional
	NextEvent *UpcomingEvent `json:"nextEvent,omitempty"`

	// events are the scheduled events being prepared for or running, each
	// with the inflow every selected queue is sized for.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=32
	Events []ScheduledEventStatus `json:"events,omitempty"`

	// history is the most recent transitions, newest last, at most
	// spec.historyLimit entries.
	// +optional
	// +listType=atomic
	History []SurgeTransition `json:"history,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=surge,categories=frontline
// +kubebuilder:printcolumn:name="Mode",type=string,JSONPath=`.spec.mode`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Since",type=date,JSONPath=`.status.since`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.reason`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// SurgePlan is what Frontline does when the market moves: extra bots, extra
// agents and pinned incident FAQs, switched on by triggers or by hand.
type SurgePlan struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired plan.
	// +required
	Spec SurgePlanSpec `json:"spec"`

	// status is the observed plan.
	// +optional
	Status SurgePlanStatus `json:"status,omitempty"`

	// decodeErr is set when the stored body did not decode (DecodeError).
	decodeErr string `json:"-"`
}

// +kubebuilder:object:root=true

// SurgePlanList is a list of SurgePlans.
type SurgePlanList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []SurgePlan `json:"items"`
}
