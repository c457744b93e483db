package controllers

import (
	"encoding/json"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/queuestatus"
	"github.com/frontline-dev/frontline/internal/surge"
)

// FieldManager is the one field manager the operator applies with.
const FieldManager = "frontline"

// Labels the operator puts on its children and selects them by.
const (
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelQueue     = "support.frontline.dev/queue"
	LabelRole      = "support.frontline.dev/role"
	LabelCategory  = "support.frontline.dev/category"
	ManagedByValue = "frontline"
	RoleAgents     = queuestatus.RoleAgents
	RoleChatbot    = queuestatus.RoleChatbot
	// knowledgeMountPath is where bots find the merged knowledge base; a
	// mounted ConfigMap updates in place, so no restart is needed.
	knowledgeMountPath = "/etc/frontline/knowledge"
)

// Child names.
func agentsName(q *supportv1alpha1.SupportQueue) string    { return q.Name + "-agents" }
func chatbotName(q *supportv1alpha1.SupportQueue) string   { return q.Name + "-chatbot" }
func knowledgeName(q *supportv1alpha1.SupportQueue) string { return q.Name + "-knowledge" }

func selectorLabels(q *supportv1alpha1.SupportQueue, role string) map[string]string {
	return map[string]string{LabelQueue: q.Name, LabelRole: role}
}

func childLabels(q *supportv1alpha1.SupportQueue, role string) map[string]string {
	l := selectorLabels(q, role)
	l[LabelManagedBy] = ManagedByValue
	l["app.kubernetes.io/name"] = "frontline-" + role
	l["app.kubernetes.io/instance"] = q.Name
	if q.Spec.Category != "" {
		l[LabelCategory] = q.Spec.Category
	}
	return l
}

func ownerRef(q *supportv1alpha1.SupportQueue) *metav1ac.OwnerReferenceApplyConfiguration {
	return metav1ac.OwnerReference().
		WithAPIVersion(supportv1alpha1.GroupVersion.String()).WithKind("SupportQueue").
		WithName(q.Name).WithUID(q.UID).WithController(true).WithBlockOwnerDeletion(true)
}

// deployment builds the apply configuration of one role's Deployment.
func deployment(q *supportv1alpha1.SupportQueue, role string, tmpl supportv1alpha1.WorkloadTemplate, replicas int32) *appsv1ac.DeploymentApplyConfiguration {
	name := agentsName(q)
	if role == RoleChatbot {
		name = chatbotName(q)
	}
	podLabels := map[string]string{}
	for k, v := range tmpl.PodLabels {
		podLabels[k] = v
	}
	for k, v := range childLabels(q, role) { // ours win on conflict
		podLabels[k] = v
	}
	container := corev1ac.Container().
		WithName(role).
		WithImage(tmpl.Image).
		WithEnv(queueEnv(q, tmpl.Env)...).
		WithSecurityContext(corev1ac.SecurityContext().
			WithAllowPrivilegeEscalation(false).
			WithRunAsNonRoot(true).
			WithCapabilities(corev1ac.Capabilities().WithDrop("ALL")).
			WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault)))
	if tmpl.ImagePullPolicy != "" {
		container.WithImagePullPolicy(tmpl.ImagePullPolicy)
	}
	if len(tmpl.Command) > 0 {
		container.WithCommand(tmpl.Command...)
	}
	if len(tmpl.Args) > 0 {
		container.WithArgs(tmpl.Args...)
	}
	if tmpl.Resources != nil {
		container.WithResources(applyConfigOf[corev1ac.ResourceRequirementsApplyConfiguration](*tmpl.Resources))
	}
	pod := corev1ac.PodSpec().
		WithAutomountServiceAccountToken(false).
		WithSecurityContext(corev1ac.PodSecurityContext().
			WithRunAsNonRoot(true).
			WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault)))
	if role == RoleChatbot {
		port := q.Spec.Chatbot.Port
		container.WithPorts(corev1ac.ContainerPort().WithName("http").WithContainerPort(port).WithProtocol(corev1.ProtocolTCP)).
			WithVolumeMounts(corev1ac.VolumeMount().WithName("knowledge").WithMountPath(knowledgeMountPath).WithReadOnly(true))
		pod.WithVolumes(corev1ac.Volume().WithName("knowledge").
			// Optional: bots start even while the knowledge base cannot be
			// published (too large, or its name taken), and pick it up in
			// place once it is.
			WithConfigMap(corev1ac.ConfigMapVolumeSource().WithName(knowledgeName(q)).WithOptional(true)))
	}
	pod.WithContainers(container)
	if tmpl.ServiceAccountName != "" {
		pod.WithServiceAccountName(tmpl.ServiceAccountName)
	}
	if tmpl.PriorityClassName != "" {
		pod.WithPriorityClassName(tmpl.PriorityClassName)
	}
	if len(tmpl.NodeSelector) > 0 {
		pod.WithNodeSelector(tmpl.NodeSelector)
	}
	for _, t := range tmpl.Tolerations {
		pod.WithTolerations(applyConfigOf[corev1ac.TolerationApplyConfiguration](t))
	}
	podMeta := corev1ac.PodTemplateSpec().WithLabels(podLabels).WithSpec(pod)
	if len(tmpl.PodAnnotations) > 0 {
		podMeta.WithAnnotations(tmpl.PodAnnotations)
	}
	return appsv1ac.Deployment(name, q.Namespace).
		WithLabels(childLabels(q, role)).
		WithOwnerReferences(ownerRef(q)).
		WithSpec(appsv1ac.DeploymentSpec().
			WithReplicas(replicas).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(selectorLabels(q, role))).
			// Surge new pods before removing old ones: capacity never dips
			// during a rollout.
			WithStrategy(appsv1ac.DeploymentStrategy().WithType("RollingUpdate").
				WithRollingUpdate(appsv1ac.RollingUpdateDeployment().
					WithMaxUnavailable(intstr.FromInt32(0)).WithMaxSurge(intstr.FromString("25%")))).
			WithTemplate(podMeta))
}

// queueEnv tells the workload which queue it serves, then the user's env.
func queueEnv(q *supportv1alpha1.SupportQueue, user []corev1.EnvVar) []*corev1ac.EnvVarApplyConfiguration {
	// An empty value is omitted on the wire: set it only when non-empty, or
	// the applied and the stored object never compare equal.
	env := func(name, value string) *corev1ac.EnvVarApplyConfiguration {
		ev := corev1ac.EnvVar().WithName(name)
		if value != "" {
			ev.WithValue(value)
		}
		return ev
	}
	out := []*corev1ac.EnvVarApplyConfiguration{
		env("FRONTLINE_QUEUE", q.Name),
		env("FRONTLINE_CHANNEL", string(q.Spec.Channel)),
		env("FRONTLINE_LANGUAGES", strings.Join(q.Spec.Languages, ",")),
		env("FRONTLINE_CATEGORY", q.Spec.Category),
		env("FRONTLINE_KNOWLEDGE_DIR", knowledgeMountPath),
	}
	for _, e := range user {
		out = append(out, applyConfigOf[corev1ac.EnvVarApplyConfiguration](e))
	}
	return out
}

// applyConfigOf is an API value the user wrote (a variable, resources, a
// toleration) as its apply configuration, through its JSON form: every
// field the API has (a variable's resourceFieldRef and fileKeyRef,
// resources' claims, ...) carries over, with no field-by-field copy to
// fall behind the API. The two share one JSON schema, so the round trip
// cannot fail for a decoded value; if it ever did, the empty result is
// refused by the apiserver and shows in ApplyFailed.
func applyConfigOf[AC any, V any](v V) *AC {
	ac := new(AC)
	if raw, err := json.Marshal(v); err == nil {
		_ = json.Unmarshal(raw, ac)
	}
	return ac
}

// chatbotService exposes the bots inside the cluster.
func chatbotService(q *supportv1alpha1.SupportQueue) *corev1ac.ServiceApplyConfiguration {
	return corev1ac.Service(chatbotName(q), q.Namespace).
		WithLabels(childLabels(q, RoleChatbot)).
		WithOwnerReferences(ownerRef(q)).
		WithSpec(corev1ac.ServiceSpec().
			WithSelector(selectorLabels(q, RoleChatbot)).
			WithPorts(corev1ac.ServicePort().WithName("http").WithPort(q.Spec.Chatbot.Port).
				WithTargetPort(intstr.FromString("http")).WithProtocol(corev1.ProtocolTCP)))
}

// PinnedEntry is an incident FAQ a surge plan pins into a queue's knowledge.
type PinnedEntry = surge.Pinned

// maxKnowledgeBytes is what one ConfigMap may hold (the apiserver refuses
// data over 1 MiB).
const maxKnowledgeBytes = 1 << 20

// knowledgeBytes is the size the apiserver counts: keys and values.
func knowledgeBytes(data map[string]string) int {
	n := 0
	for k, v := range data {
		n += len(k) + len(v)
	}
	return n
}

// knowledgeConfigMap is the bots' merged knowledge base; its keys are laid
// out by internal/knowledge.
func knowledgeConfigMap(q *supportv1alpha1.SupportQueue, data map[string]string) *corev1ac.ConfigMapApplyConfiguration {
	cm := corev1ac.ConfigMap(knowledgeName(q), q.Namespace).
		WithLabels(childLabels(q, RoleChatbot)).
		WithOwnerReferences(ownerRef(q))
	if len(data) > 0 { // an empty map would never equal the extracted nil
		cm.WithData(data)
	}
	return cm
}

// disruptionBudget keeps voluntary evictions (node drains) to one pod at a
// time per role.
func disruptionBudget(q *supportv1alpha1.SupportQueue, role, name string) *policyv1ac.PodDisruptionBudgetApplyConfiguration {
	return policyv1ac.PodDisruptionBudget(name, q.Namespace).
		WithLabels(childLabels(q, role)).
		WithOwnerReferences(ownerRef(q)).
		WithSpec(policyv1ac.PodDisruptionBudgetSpec().
			WithMaxUnavailable(intstr.FromInt32(1)).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(selectorLabels(q, role))))
}
