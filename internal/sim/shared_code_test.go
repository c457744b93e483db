package sim

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// calls lists the package-qualified and method calls made by the non-test
// files of a directory: "inflow.NewQueue", ".Spike", ...
func calls(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok {
					out[id.Name+"."+sel.Sel.Name] = true
				}
				out["."+sel.Sel.Name] = true
			}
			return true
		})
	}
	return out
}

// TestOperatorAndSimulatorShareTheEstimator: the controllers (through
// internal/metrics) and the simulator build the same inflow estimator,
// read spikes through the same trigger function and decide with the same
// function; neither holds a copy of the detector.
func TestOperatorAndSimulatorShareTheEstimator(t *testing.T) {
	operator := calls(t, filepath.Join("..", "..", "controllers"))
	for k := range calls(t, filepath.Join("..", "metrics")) {
		operator[k] = true
	}
	simulator := calls(t, ".")
	for _, shared := range []string{"inflow.NewQueue", ".Observe", ".Estimate", ".Spike", "scaling.DecideQueue", "scaling.InflowParams", "surge.Step"} {
		if !operator[shared] {
			t.Errorf("the operator does not call %s", shared)
		}
		if !simulator[shared] {
			t.Errorf("the simulator does not call %s", shared)
		}
	}
	for _, copyOf := range []string{"inflow.DetectSpike", "inflow.ThresholdFor", "math.Log", "inflow.Step", "inflow.Increments"} {
		if operator[copyOf] || simulator[copyOf] {
			t.Errorf("%s is called outside the estimator: a second copy of its rules", copyOf)
		}
	}
}
