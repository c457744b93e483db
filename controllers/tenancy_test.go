package controllers

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// Objects of another team that happen to carry a queue's child names are
// never taken: not re-labelled, not re-selected, not owned. The queue says
// NameConflict, naming them, and still scales what is its own.
func TestForeignObjectsWithChildNamesAreLeftAlone(t *testing.T) {
	ns := newNamespace(t)
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "victim-chatbot"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "payments-api"},
			Ports: []corev1.ServicePort{{Name: "http", Port: 8080, TargetPort: intstr.FromInt32(8080)}}}}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "victim-knowledge"}, Data: map[string]string{"payments": "theirs"}}
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "victim-agents"},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(2)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "payments-api"}}}}
	// Someone may even copy Frontline's labels onto their object: without
	// the queue's ownership it is still not the queue's.
	pdb.Labels = map[string]string{LabelManagedBy: ManagedByValue}
	create(t, svc, cm, pdb)
	before := map[string]client.Object{}
	for _, o := range []client.Object{svc, cm, pdb} {
		before[o.GetName()+fmt.Sprintf("%T", o)] = o.DeepCopyObject().(client.Object)
	}

	setGaugeInflow(ns, "victim", 600)
	q := retailQueue(ns, "victim")
	create(t, policy(ns, "p", 80), q)

	eventually(t, 30*time.Second, func() error {
		c := condition(getQueue(t, ns, "victim"), supportv1alpha1.ConditionStalled)
		if c == nil || c.Reason != supportv1alpha1.ReasonNameConflict {
			return fmt.Errorf("Stalled = %+v, want NameConflict", c)
		}
		for _, name := range []string{`Service "victim-chatbot"`, `ConfigMap "victim-knowledge"`, `PodDisruptionBudget "victim-agents"`} {
			if !strings.Contains(c.Message, name) {
				return fmt.Errorf("message %q does not name %s", c.Message, name)
			}
		}
		return nil
	})
	if r := condition(getQueue(t, ns, "victim"), supportv1alpha1.ConditionReady); r == nil || r.Status != metav1.ConditionFalse || r.Reason != supportv1alpha1.ReasonNameConflict {
		t.Errorf("Ready = %+v, want False/NameConflict", r)
	}
	if !eventSeen(t, ns, "victim", supportv1alpha1.ReasonNameConflict) {
		t.Error("no NameConflict Event")
	}
	// What is the queue's own still scales.
	waitReplicas(t, ns, "victim-agents", agentsFor(300, 80), 30*time.Second)
	if _, err := deploymentReplicas(ns, "victim-chatbot"); err != nil {
		t.Errorf("the bots' Deployment was not created: %v", err)
	}

	// Unchanged a minute after the queue appeared.
	time.Sleep(time.Until(q.CreationTimestamp.Add(60 * time.Second)))
	for _, o := range []client.Object{&corev1.Service{}, &corev1.ConfigMap{}, &policyv1.PodDisruptionBudget{}} {
		var name string
		switch o.(type) {
		case *corev1.Service:
			name = "victim-chatbot"
		case *corev1.ConfigMap:
			name = "victim-knowledge"
		default:
			name = "victim-agents"
		}
		if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, o); err != nil {
			t.Fatal(err)
		}
		was := before[name+fmt.Sprintf("%T", o)]
		if o.GetResourceVersion() != was.GetResourceVersion() {
			t.Errorf("%T %s was written (resourceVersion %s -> %s)", o, name, was.GetResourceVersion(), o.GetResourceVersion())
		}
		if len(o.GetOwnerReferences()) > 0 {
			t.Errorf("%T %s was given owners %v", o, name, o.GetOwnerReferences())
		}
	}
	got := &corev1.Service{}
	if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: "victim-chatbot"}, got); err != nil {
		t.Fatal(err)
	}
	if got.Spec.Selector["app"] != "payments-api" || len(got.Spec.Selector) != 1 {
		t.Errorf("the Service's selector was changed: %v", got.Spec.Selector)
	}
}

// A knowledge base over what a ConfigMap holds is not published; the
// condition names its size and the limit, and the bots reach their surge
// target all the same.
func TestOversizedKnowledgeStillScalesBots(t *testing.T) {
	ns := newNamespace(t)
	setGaugeInflow(ns, "retail-chat", 600)
	faq := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "faq"},
		Data: map[string]string{"big": strings.Repeat("x", 1_040_000)}}
	q := retailQueue(ns, "retail-chat")
	q.Spec.Chatbot.KnowledgeBase = &supportv1alpha1.KnowledgeBaseSource{ConfigMapRef: supportv1alpha1.LocalObjectReference{Name: "faq"}}
	plan := volatilityPlan(ns, "btc-crash")
	plan.Spec.Mode = supportv1alpha1.SurgeModeAlways
	for i := range 5 { // pinned FAQs push the merged base over 1 MiB
		plan.Spec.Actions.PinnedFAQs = append(plan.Spec.Actions.PinnedFAQs, supportv1alpha1.PinnedFAQ{
			ID: fmt.Sprintf("incident-%d", i), Question: "Are my funds safe?", Answer: strings.Repeat("y", 4000)})
	}
	create(t, faq, policy(ns, "p", 80), q, plan)

	waitReplicas(t, ns, "retail-chat-chatbot", 5, 60*time.Second) // the surge's bots: ×3 + 2 of 1
	eventually(t, 30*time.Second, func() error {
		c := condition(getQueue(t, ns, "retail-chat"), supportv1alpha1.ConditionKnowledgePublished)
		if c == nil || c.Status != metav1.ConditionFalse || c.Reason != supportv1alpha1.ReasonKnowledgeTooLarge {
			return fmt.Errorf("KnowledgePublished = %+v", c)
		}
		if !strings.Contains(c.Message, "1048576") || !strings.Contains(c.Message, "bytes") {
			return fmt.Errorf("message %q does not name the size and the limit", c.Message)
		}
		return nil
	})
	if !eventSeen(t, ns, "retail-chat", supportv1alpha1.ReasonKnowledgeTooLarge) {
		t.Error("no KnowledgeTooLarge Event")
	}
	d := &appsv1.Deployment{}
	if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: "retail-chat-chatbot"}, d); err != nil {
		t.Fatal(err)
	}
	if v := d.Spec.Template.Spec.Volumes; len(v) != 1 || v[0].ConfigMap == nil || !ptr.Deref(v[0].ConfigMap.Optional, false) {
		t.Errorf("bot pods would wait for a knowledge base that cannot be published: volumes %+v", v)
	}
}

// A plan stored before admission bounded its durations (written here
// through a CRD version without the bound, as an older release had it)
// stalls itself only: after a restart the operator still serves every
// other namespace.
func TestUndecodablePlanStallsOnlyItself(t *testing.T) {
	poisoned := newNamespace(t)
	crds := crdClient(t)
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := crds.Get(ctx, types.NamespacedName{Name: "surgeplans.support.frontline.dev"}, crd); err != nil {
		t.Fatal(err)
	}
	original := crd.DeepCopy()
	cooldown := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"].Properties["cooldown"]
	minActive := cooldown.Properties["minActive"]
	minActive.XValidations, minActive.Pattern = nil, ""
	cooldown.Properties["minActive"] = minActive
	crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"].Properties["cooldown"] = cooldown
	if err := crds.Update(ctx, crd); err != nil {
		t.Fatal(err)
	}
	restore := func() {
		cur := &apiextensionsv1.CustomResourceDefinition{}
		if err := crds.Get(ctx, types.NamespacedName{Name: crd.Name}, cur); err != nil {
			t.Error(err)
			return
		}
		cur.Spec = original.Spec
		if err := crds.Update(ctx, cur); err != nil {
			t.Error(err)
		}
	}
	defer restore()
	plan := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "support.frontline.dev/v1alpha1", "kind": "SurgePlan",
		"metadata": map[string]any{"namespace": poisoned, "name": "poisoned"},
		"spec": map[string]any{"mode": "Always", "queueSelector": map[string]any{},
			"actions":  map[string]any{"agents": map[string]any{"extraReplicas": int64(1)}},
			"cooldown": map[string]any{"minActive": "99999999h"}},
	}}
	eventually(t, 20*time.Second, func() error { return env.Client.Create(ctx, plan) }) // once the schema without the bound is served
	restore()

	stopManager()
	if err := startManager(); err != nil {
		t.Fatal(err)
	}
	ns := newNamespace(t)
	setGaugeInflow(ns, "other", 600)
	create(t, policy(ns, "p", 80), withGaugeInflow(queue(ns, "other", "p")))
	waitReplicas(t, ns, "other-agents", agentsFor(600, 80), 60*time.Second)

	eventually(t, 30*time.Second, func() error {
		p := &supportv1alpha1.SurgePlan{}
		if err := env.Client.Get(ctx, types.NamespacedName{Namespace: poisoned, Name: "poisoned"}, p); err != nil {
			return err
		}
		c := apimeta.FindStatusCondition(p.Status.Conditions, supportv1alpha1.ConditionStalled)
		if c == nil || c.Reason != supportv1alpha1.ReasonUndecodable || !strings.Contains(c.Message, "99999999h") {
			return fmt.Errorf("Stalled = %+v", c)
		}
		return nil
	})
	if !eventSeen(t, poisoned, "poisoned", supportv1alpha1.ReasonUndecodable) {
		t.Error("no Undecodable Event")
	}
}

func crdClient(t *testing.T) client.Client {
	t.Helper()
	s := runtime.NewScheme()
	if err := apiextensionsv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(env.Config, client.Options{Scheme: s})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// On a tenant-scoped source (the default one here), a queue's query
// override reads its own namespace only: naming another namespace is
// refused, and leaving the namespace out reads nothing of another's. No
// value of the other namespace reaches the queue's status.
func TestOverridesCannotReadAnotherNamespace(t *testing.T) {
	victim, tenant := newNamespace(t), newNamespace(t)
	setGaugeInflow(victim, "secret-desk", 4321) // only the victim has this series
	named := queue(tenant, "named", "p")
	named.Spec.Metrics.Queries = &supportv1alpha1.QueryOverrides{
		InflowPerSecond: fmt.Sprintf(`sum(frontline_sim_signal{namespace=%q,queue="secret-desk",signal="inflow_per_second"})`, victim),
	}
	unnamed := queue(tenant, "unnamed", "p")
	unnamed.Spec.Metrics.Queries = &supportv1alpha1.QueryOverrides{
		InflowPerSecond: `sum(frontline_sim_signal{queue="secret-desk",signal="inflow_per_second"})`,
	}
	create(t, policy(tenant, "p", 80), named, unnamed)
	for name, reason := range map[string]string{"named": supportv1alpha1.ReasonMetricsQueryFailed, "unnamed": supportv1alpha1.ReasonMetricsEmpty} {
		eventually(t, 30*time.Second, func() error {
			q := getQueue(t, tenant, name)
			c := condition(q, supportv1alpha1.ConditionMetricsAvailable)
			if c == nil || c.Status != metav1.ConditionFalse || c.Reason != reason {
				return fmt.Errorf("%s: MetricsAvailable = %+v, want False/%s", name, c, reason)
			}
			if name == "named" && !strings.Contains(c.Message, "outside namespace") {
				return fmt.Errorf("%s: message %q does not say why", name, c.Message)
			}
			return nil
		})
		q := getQueue(t, tenant, name)
		if m := q.Status.Measured; m != nil && m.InflowPerHour != nil {
			t.Errorf("%s: the other namespace's inflow reached status: %d/h", name, *m.InflowPerHour)
		}
	}
	// The same override on its own namespace's series reads.
	setGaugeInflow(tenant, "own", 600)
	own := queue(tenant, "own", "p")
	own.Spec.Metrics.Queries = &supportv1alpha1.QueryOverrides{InflowPerSecond: `sum(frontline_sim_signal{queue="own",signal="inflow_per_second"})`}
	create(t, own)
	waitReplicas(t, tenant, "own-agents", agentsFor(600, 80), 30*time.Second)
}

// On a tenant-scoped source (the default one here), an external trigger
// reads its plan's namespace only: naming another namespace is refused,
// leaving it out reads nothing of another's, and with above: "1" (any
// value of theirs fires) no value of the other namespace reaches status. Market data a plan may read as
// written comes from a source the platform marked Shared ("local").
func TestExternalTriggersCannotReadAnotherNamespace(t *testing.T) {
	victim, tenant := newNamespace(t), newNamespace(t)
	sim.Gauges.WithLabelValues(victim, "", "secret").Set(4321) // only the victim has this series
	sim.Price.WithLabelValues("FRONTLINE-TEST").Set(50000)     // no namespace: market data
	plan := func(name, query, source string) *supportv1alpha1.SurgePlan {
		p := volatilityPlan(tenant, name)
		e := &p.Spec.Triggers.External[0]
		e.Query, e.Above, e.ExitBelow, e.Source = query, "1", nil, source
		return p
	}
	create(t,
		plan("named", fmt.Sprintf(`max(frontline_sim_signal{namespace=%q,signal="secret"})`, victim), ""),
		plan("unnamed", `max(frontline_sim_signal{signal="secret"})`, ""),
		plan("market-tenant", `max(exchange_price{pair="FRONTLINE-TEST"})`, ""),
		plan("market-shared", `max(exchange_price{pair="FRONTLINE-TEST"})`, "local"))
	for name, why := range map[string]string{"named": "outside namespace", "unnamed": "returned 0 series", "market-tenant": "confined to namespace"} {
		eventually(t, 30*time.Second, func() error {
			p := getPlan(t, tenant, name)
			c := apimeta.FindStatusCondition(p.Status.Conditions, supportv1alpha1.ConditionTriggersAvailable)
			if c == nil || c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, why) {
				return fmt.Errorf("%s: TriggersAvailable %+v, want False saying %q", name, c, why)
			}
			return nil
		})
		p := getPlan(t, tenant, name)
		for _, tr := range p.Status.Triggers {
			if strings.Contains(tr.Value, "4321") || strings.Contains(tr.Value, "50000") {
				t.Errorf("%s: a value it may not read reached status: %+v", name, tr)
			}
		}
		if p.Status.Phase == supportv1alpha1.SurgePhaseActive {
			t.Errorf("%s: Active on a value it may not read", name)
		}
	}
	// Market data from the Shared source reads as written, and fires.
	waitPhase(t, tenant, "market-shared", supportv1alpha1.SurgePhaseActive, 30*time.Second)
}
