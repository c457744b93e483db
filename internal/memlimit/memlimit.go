// Package memlimit sets the Go runtime's soft memory limit below the
// container's memory limit, read from its cgroup: as the heap nears it the
// collector runs more often, rather than the heap growing to twice what is
// live and the kernel killing the process at the limit. A GOMEMLIMIT in
// the environment wins: the runtime has read it already.
package memlimit

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
)

// Ratio is the share of the container's limit given to the Go heap; the
// rest holds what the runtime does not count (stacks' slack, buffers the
// kernel charges to the cgroup) and the answers being decoded when the
// collector runs.
const Ratio = 0.8

// unlimitedV1 is cgroup v1's "no limit": the largest page-aligned int64.
const unlimitedV1 = math.MaxInt64 &^ (1<<12 - 1)

// CgroupLimit reads the memory limit of the cgroup mounted at root
// (/sys/fs/cgroup): v2's memory.max, else v1's
// memory/memory.limit_in_bytes. 0 when there is none.
func CgroupLimit(root string) (int64, error) {
	for _, f := range []string{"memory.max", filepath.Join("memory", "memory.limit_in_bytes")} {
		raw, err := os.ReadFile(filepath.Join(root, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, err
		}
		text := strings.TrimSpace(string(raw))
		if text == "max" {
			return 0, nil
		}
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", f, err)
		}
		if n <= 0 || n >= unlimitedV1 {
			return 0, nil
		}
		return n, nil
	}
	return 0, nil
}

// Set gives the Go heap Ratio of the cgroup's limit unless GOMEMLIMIT is
// set, and says what it did, for the log.
func Set(root string) string {
	if v, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		return "GOMEMLIMIT=" + v + " from the environment"
	}
	limit, err := CgroupLimit(root)
	switch {
	case err != nil:
		return "no memory limit set: " + err.Error()
	case limit == 0:
		return "no memory limit set: the cgroup has none"
	}
	heap := int64(float64(limit) * Ratio)
	debug.SetMemoryLimit(heap)
	return fmt.Sprintf("Go memory limit %d MiB: %.0f %% of the container's %d MiB", heap>>20, Ratio*100, limit>>20)
}
