package memlimit

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestCgroupLimit(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		want                int64
		err                 bool
	}{
		{"v2 limited", "memory.max", "268435456\n", 256 << 20, false},
		{"v2 unlimited", "memory.max", "max\n", 0, false},
		{"v1 limited", "memory/memory.limit_in_bytes", "536870912\n", 512 << 20, false},
		{"v1 unlimited", "memory/memory.limit_in_bytes", "9223372036854771712\n", 0, false},
		{"no cgroup", "", "", 0, false},
		{"garbage", "memory.max", "lots\n", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if tc.file != "" {
				p := filepath.Join(root, tc.file)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := CgroupLimit(root)
			if got != tc.want || (err != nil) != tc.err {
				t.Errorf("%d, %v; want %d, error %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestSet(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "memory.max"), []byte("268435456\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOMEMLIMIT", "")
	_ = os.Unsetenv("GOMEMLIMIT")
	if got := Set(root); !strings.Contains(got, "204 MiB") {
		t.Errorf("Set: %q", got)
	}
	var limit int64 = 256 << 20
	if got, want := debug.SetMemoryLimit(-1), int64(float64(limit)*Ratio); got != want {
		t.Errorf("limit %d, want %d", got, want)
	}
	// An explicit GOMEMLIMIT wins: nothing is set.
	debug.SetMemoryLimit(1 << 40)
	t.Setenv("GOMEMLIMIT", "100MiB")
	if got := Set(root); !strings.Contains(got, "from the environment") || debug.SetMemoryLimit(-1) != 1<<40 {
		t.Errorf("with GOMEMLIMIT set: %q, limit %d", got, debug.SetMemoryLimit(-1))
	}
}
