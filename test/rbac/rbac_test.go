// Package rbac proves the shipped permissions on a real apiserver that
// enforces them: the manager's generated role under the
// OwnerReferencesPermissionEnforcement admission plugin (OpenShift's
// default), and the on-call role with its ValidatingAdmissionPolicy.
package rbac

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/test/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	testenv.Main(m, &env, func(e *envtest.Environment) {
		e.ControlPlane.GetAPIServer().Configure().Append("enable-admission-plugins", "OwnerReferencesPermissionEnforcement")
	})
}

var ctx = context.Background()

// manifests reads every object of a YAML file under config/.
func manifests(t *testing.T, rel string) []*unstructured.Unstructured {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var out []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			break
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
	return out
}

// userClient is a client acting as a new user of the apiserver.
func userClient(t *testing.T, name string) client.Client {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", env.Kubeconfig(t, name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{Scheme: env.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "rbac-"}}
	if err := env.Client.Create(ctx, ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

// bind grants a ClusterRole's rules (from rules) to user under roleName.
func bind(t *testing.T, roleName, user string, rules []rbacv1.PolicyRule) {
	t.Helper()
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: roleName}, Rules: rules}
	rb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: roleName},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: roleName},
		Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: user}}}
	for _, o := range []client.Object{role, rb} {
		if err := env.Client.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
}

func managerRules(t *testing.T) []rbacv1.PolicyRule {
	t.Helper()
	objs := manifests(t, "config/rbac/role.yaml")
	if len(objs) != 1 {
		t.Fatalf("config/rbac/role.yaml holds %d objects", len(objs))
	}
	raw, err := yaml.Marshal(objs[0].Object)
	if err != nil {
		t.Fatal(err)
	}
	var role rbacv1.ClusterRole
	if err := yaml.Unmarshal(raw, &role); err != nil {
		t.Fatal(err)
	}
	return role.Rules
}

// ownedDeployment is a child as the operator creates it: controlled by the
// queue, blocking its deletion until the child is gone.
func ownedDeployment(q *supportv1alpha1.SupportQueue) *appsv1.Deployment {
	labels := map[string]string{"app": q.Name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: q.Namespace, Name: q.Name + "-agents",
			OwnerReferences: []metav1.OwnerReference{{APIVersion: supportv1alpha1.GroupVersion.String(), Kind: "SupportQueue",
				Name: q.Name, UID: q.UID, Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}}},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "agents", Image: "agent:1"}}}}},
	}
}

func sampleQueue(t *testing.T, ns string) *supportv1alpha1.SupportQueue {
	t.Helper()
	q := testenv.MinimalQueue(ns, "retail")
	if err := env.Client.Create(ctx, q); err != nil {
		t.Fatal(err)
	}
	return q
}

// The generated manager role creates children with blockOwnerDeletion on
// an apiserver that enforces owner-reference permissions; the same rules
// without update on supportqueues/finalizers are refused, so the plugin is
// really on and the rule is what makes the difference.
func TestManagerRoleCreatesChildrenUnderOwnerReferenceEnforcement(t *testing.T) {
	ns := newNamespace(t)
	q := sampleQueue(t, ns)
	rules := managerRules(t)

	var without []rbacv1.PolicyRule
	found := false
	for _, r := range rules {
		for _, res := range r.Resources {
			if res == "supportqueues/finalizers" {
				found = true
			}
		}
		if len(r.Resources) != 1 || r.Resources[0] != "supportqueues/finalizers" {
			without = append(without, r)
		}
	}
	if !found {
		t.Fatal("config/rbac/role.yaml grants nothing on supportqueues/finalizers")
	}
	bind(t, "frontline-manager-test", "frontline-manager", rules)
	bind(t, "frontline-manager-without-finalizers", "frontline-manager-old", without)

	testenv.Eventually(t, 10*time.Second, 250*time.Millisecond, func() error {
		return userClient(t, "frontline-manager").Create(ctx, ownedDeployment(q))
	})
	old := ownedDeployment(q)
	old.Name = "retail-chatbot"
	err := userClient(t, "frontline-manager-old").Create(ctx, old)
	if !apierrors.IsForbidden(err) {
		t.Fatalf("without update on supportqueues/finalizers: %v, want Forbidden (is the admission plugin on?)", err)
	}
}

// As the on-call role: `kubectl frontline surge on` works, a spec patch is
// refused by the shipped ValidatingAdmissionPolicy with a message that
// says why, and a plan's owner (update) still edits the spec.
func TestOnCallMayOnlyOverride(t *testing.T) {
	for _, o := range manifests(t, "config/rbac/surgeplan_oncall_policy.yaml") {
		if err := env.Client.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	var oncall rbacv1.ClusterRole
	raw, _ := yaml.Marshal(manifests(t, "config/rbac/surgeplan_oncall_role.yaml")[0].Object)
	if err := yaml.Unmarshal(raw, &oncall); err != nil {
		t.Fatal(err)
	}
	oncall.Name = "frontline-oncall-test"
	if err := env.Client.Create(ctx, &oncall); err != nil {
		t.Fatal(err)
	}
	ns := newNamespace(t)
	for user, role := range map[string]string{"oncall-jane": "frontline-oncall-test", "owner-kim": "edit"} {
		rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: user},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: user}}}
		if err := env.Client.Create(ctx, rb); err != nil {
			t.Fatal(err)
		}
	}
	// The built-in edit role does not know Frontline's kinds; grant the
	// owner update on plans as a team's own role would.
	if err := env.Client.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "plan-owner"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{supportv1alpha1.GroupVersion.Group}, Resources: []string{"surgeplans"},
			Verbs: []string{"get", "list", "watch", "update", "patch"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "plan-owner"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "plan-owner"},
		Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: "owner-kim"}}}); err != nil {
		t.Fatal(err)
	}
	plan := &supportv1alpha1.SurgePlan{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "btc-crash"},
		Spec: supportv1alpha1.SurgePlanSpec{Mode: supportv1alpha1.SurgeModeNever, HistoryLimit: 20,
			EvaluationInterval: metav1.Duration{Duration: 5 * time.Second},
			Actions:            supportv1alpha1.SurgeActions{Agents: &supportv1alpha1.AgentSurge{ExtraReplicas: 4}}}}
	if err := env.Client.Create(ctx, plan); err != nil {
		t.Fatal(err)
	}

	jane := userClient(t, "oncall-jane")
	// The apiserver loads the policy in its own time: probe a throwaway
	// plan, with a new value each try, until a spec patch is refused.
	probe := plan.DeepCopy()
	probe.Name, probe.ResourceVersion = "probe", ""
	if err := env.Client.Create(ctx, probe); err != nil {
		t.Fatal(err)
	}
	try := 0
	testenv.Eventually(t, 30*time.Second, 250*time.Millisecond, func() error {
		try++
		p := client.RawPatch(types.MergePatchType, fmt.Appendf(nil, `{"spec":{"actions":{"agents":{"extraReplicas":%d}}}}`, 100+try))
		if err := jane.Patch(ctx, probe.DeepCopy(), p); err == nil {
			return fmt.Errorf("policy not in force yet")
		}
		return nil
	})

	err := jane.Patch(ctx, plan.DeepCopy(), client.RawPatch(types.MergePatchType, []byte(`{"spec":{"actions":{"agents":{"extraReplicas":10000}}}}`)))
	if !apierrors.IsForbidden(err) && !apierrors.IsInvalid(err) || err == nil || !strings.Contains(err.Error(), "not change its spec") {
		t.Fatalf("on-call spec patch: %v, want refused by the policy with its message", err)
	}
	if err := jane.Patch(ctx, plan.DeepCopy(), client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"labels":{"desk":"vip"}}}`))); err == nil {
		t.Error("an on-call label patch went through")
	}

	kubeconfig := env.Kubeconfig(t, "oncall-jane")
	// kubectl's --dry-run=server: the apiserver admits the override (RBAC
	// and the policy run) and keeps nothing.
	dry := testenv.Plugin(t, kubeconfig, ns, "surge", "on", "btc-crash", "--dry-run=server")
	if !strings.Contains(dry, "server dry run: admitted") {
		t.Errorf("surge on --dry-run=server:\n%s", dry)
	}
	if p := (&supportv1alpha1.SurgePlan{}); env.Client.Get(ctx, client.ObjectKeyFromObject(plan), p) == nil && p.Annotations[supportv1alpha1.AnnotationSurgeOverride] != "" {
		t.Errorf("a server dry run kept the override: %v", p.Annotations)
	}
	out := testenv.Plugin(t, kubeconfig, ns, "surge", "on", "btc-crash", "--for", "30m", "--reason", "BTC -18%")
	got := &supportv1alpha1.SurgePlan{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(plan), got); err != nil {
		t.Fatal(err)
	}
	if got.Annotations[supportv1alpha1.AnnotationSurgeOverride] != string(supportv1alpha1.SurgeModeAlways) {
		t.Errorf("surge on as on-call did not set the override: %v\n%s", got.Annotations, out)
	}
	if got.Spec.Actions.Agents.ExtraReplicas != 4 {
		t.Errorf("extraReplicas = %d, the spec changed", got.Spec.Actions.Agents.ExtraReplicas)
	}
	testenv.Plugin(t, kubeconfig, ns, "surge", "auto", "btc-crash")

	if err := userClient(t, "owner-kim").Patch(ctx, plan.DeepCopy(), client.RawPatch(types.MergePatchType,
		[]byte(`{"spec":{"actions":{"agents":{"extraReplicas":6}}}}`))); err != nil {
		t.Errorf("the plan's owner could not edit its spec: %v", err)
	}
}
