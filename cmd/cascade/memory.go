package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// exitMemory is the status when Cascade stops itself for using more memory
// than its limit: distinct from 2 (bad input) so that a script checking
// exit codes never mistakes it for a clean rejection.
const exitMemory = 3

// memoryEnv overrides the memory limit, as bytes or with a unit: "512MiB",
// "4GiB", "2GB".
const memoryEnv = "CASCADE_MAX_MEMORY"

// guardMemory caps the process's memory. The Go collector works to stay
// under 90% of the limit (debug.SetMemoryLimit, which is soft); a watchdog
// reads the resident size every 20 ms and past the limit prints why and
// exits with status 3. Without it, an exhausted memory ends in a runtime
// crash with exit status 2 and a goroutine dump, or a kill by the kernel.
func guardMemory(stderr io.Writer) error {
	limit, source, err := memoryLimit()
	if err != nil {
		return err
	}
	debug.SetMemoryLimit(limit / 10 * 9)
	go func() {
		for range time.Tick(20 * time.Millisecond) {
			if rss := residentBytes(); rss > limit {
				fmt.Fprintf(stderr, "cascade: out of memory: %d MiB in use, over the limit of %d MiB (%s); stopped before finishing (earlier results are left as they were). Use fewer runs, cells, metrics or samples, or raise %s.\n",
					rss>>20, limit>>20, source, memoryEnv)
				os.Exit(exitMemory)
			}
		}
	}()
	return nil
}

// memoryLimit returns CASCADE_MAX_MEMORY if set, else 90% of the smallest
// of physical memory, the cgroup's memory.max and half the address-space
// rlimit (Go reserves address space beyond what it uses).
func memoryLimit() (int64, string, error) {
	if v := os.Getenv(memoryEnv); v != "" {
		n, err := parseBytes(v)
		if err != nil {
			return 0, "", usageError{fmt.Errorf("%s=%q: %v", memoryEnv, v, err)}
		}
		return n, memoryEnv, nil
	}
	limit, source := int64(1<<62), "no limit found"
	if n := meminfoTotal(); n > 0 && n < limit {
		limit, source = n, "physical memory"
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && n < limit {
			limit, source = n, "cgroup memory.max"
		}
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &rl); err == nil && rl.Cur != ^uint64(0) && int64(rl.Cur/2) < limit {
		limit, source = int64(rl.Cur/2), "half the address-space limit (ulimit -v)"
	}
	return limit / 10 * 9, "90% of " + source, nil
}

// parseBytes reads "268435456", "256MiB", "4GiB", "2GB" or "512kB".
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') {
		i--
	}
	n, err := strconv.ParseFloat(t[:i], 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("expected a size such as 512MiB or 4GiB")
	}
	mult := map[string]float64{"": 1, "B": 1, "kB": 1e3, "KB": 1e3, "KiB": 1 << 10, "MB": 1e6, "MiB": 1 << 20, "GB": 1e9, "GiB": 1 << 30, "TB": 1e12, "TiB": 1 << 40}
	m, ok := mult[strings.TrimSpace(t[i:])]
	if !ok || n*m < 16<<20 || n*m > 1<<62 {
		return 0, fmt.Errorf("expected a size from 16MiB, such as 512MiB or 4GiB")
	}
	return int64(n * m), nil
}

func meminfoTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

var statm = make([]byte, 128)

// residentBytes is the process's resident set size: from /proc/self/statm
// on Linux, else the memory the Go runtime holds from the system.
func residentBytes() int64 {
	if f, err := os.Open("/proc/self/statm"); err == nil {
		n, _ := f.Read(statm)
		f.Close()
		if fields := bytes.Fields(statm[:n]); len(fields) > 1 {
			if pages, err := strconv.ParseInt(string(fields[1]), 10, 64); err == nil {
				return pages * int64(os.Getpagesize())
			}
		}
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64() - s[1].Value.Uint64())
}
