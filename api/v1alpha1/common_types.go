package v1alpha1

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
)

// Decimal is a non-negative decimal number written as a string, such as
// "0.6" or "3". Strings keep exact values through YAML and JSON; each field
// that uses it states its own range.
// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
// +kubebuilder:validation:MaxLength=16
type Decimal string

// Float64 parses the decimal. Admission validation guarantees the format, so
// an error means the object bypassed validation.
func (d Decimal) Float64() (float64, error) {
	v, err := strconv.ParseFloat(string(d), 64)
	if err != nil {
		return 0, fmt.Errorf("invalid decimal %q: %w", string(d), err)
	}
	return v, nil
}

// Channel is the contact channel a queue serves.
// +kubebuilder:validation:Enum=chat;email;phone;social
type Channel string

// Channel values.
const (
	ChannelChat   Channel = "chat"
	ChannelEmail  Channel = "email"
	ChannelPhone  Channel = "phone"
	ChannelSocial Channel = "social"
)

// IsRealTime reports whether contacts on the channel wait live for an answer
// (sized with Erlang C) rather than sit in a backlog (sized with the backlog
// model).
func (c Channel) IsRealTime() bool { return c == ChannelChat || c == ChannelPhone }

// LocalObjectReference names an object in the same namespace.
type LocalObjectReference struct {
	// name of the referenced object.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// WorkloadTemplate describes the pods of one role (agents or chatbot). It is a
// curated subset of a PodTemplateSpec: the operator owns the security context
// (restricted, non-root) and the labels that tie pods to their queue.
type WorkloadTemplate struct {
	// image is the container image of the role, e.g. "registry.example.com/acme/agent-worker:1.4.2".
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image"`

	// imagePullPolicy is the container's image pull policy. Defaults to the
	// Kubernetes default for the image tag.
	// +optional
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`

	// command overrides the image's entrypoint.
	// +optional
	// +kubebuilder:validation:MaxItems=32
	Command []string `json:"command,omitempty"`

	// args are the arguments to the entrypoint.
	// +optional
	// +kubebuilder:validation:MaxItems=64
	Args []string `json:"args,omitempty"`

	// env sets environment variables in the container. Use valueFrom with a
	// secretKeyRef for credentials; Frontline never copies secret values.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=64
	Env []corev1.EnvVar `json:"env,omitempty"`

	// resources are the container's compute requests and limits.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// podLabels are added to every pod of the role (the operator's own
	// selector labels win on conflict).
	// +optional
	PodLabels map[string]string `json:"podLabels,omitempty"`

	// podAnnotations are added to every pod of the role.
	// +optional
	PodAnnotations map[string]string `json:"podAnnotations,omitempty"`

	// nodeSelector constrains the pods to nodes with these labels.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// tolerations let the pods schedule onto tainted nodes.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// serviceAccountName is the ServiceAccount the pods run as. Defaults to
	// the namespace's "default" ServiceAccount.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// priorityClassName gives the pods a scheduling priority; support
	// capacity during a market crash usually deserves a high one.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	PriorityClassName string `json:"priorityClassName,omitempty"`
}
