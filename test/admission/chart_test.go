package admission

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/frontline-dev/frontline/test/testenv"
)

// TestChartObjectsAdmitted: the chart rendered with every value set
// (test/chart/all-values.yaml) is admitted by a real apiserver, object by
// object (server-side dry run: the apiserver's schemas, not a copy of
// them). The Prometheus Operator's kinds are not served here and are
// counted apart.
func TestChartObjectsAdmitted(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "bin", "helm-v3.22.0")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s missing: run `make test` (it installs the pinned helm)", bin)
	}
	cmd := exec.Command(bin, "template", "frontline", "charts/frontline", "--namespace", "frontline-system", "-f", "test/chart/all-values.yaml")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm template: %v", err)
	}
	for _, n := range []string{"frontline-system", "exchange", "vip"} {
		if err := env.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: n}}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	admitted, monitoring := 0, 0
	for _, doc := range strings.Split(string(out), "\n---") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatalf("rendered YAML: %v", err)
		}
		if len(u.Object) == 0 {
			continue
		}
		if strings.HasPrefix(u.GetAPIVersion(), "monitoring.coreos.com/") {
			monitoring++
			continue
		}
		err := env.Client.Create(context.Background(), u, client.DryRunAll)
		if err != nil && !apierrors.IsAlreadyExists(err) { // the CRDs are installed already
			t.Errorf("%s %s rejected: %v", u.GetKind(), u.GetName(), err)
			continue
		}
		admitted++
	}
	if admitted < 18 || monitoring != 2 {
		t.Errorf("admitted %d objects and set %d monitoring objects apart, want at least 18 and 2", admitted, monitoring)
	}
}
