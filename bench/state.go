package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// State is what changes from run to run on one machine and moves the
// figures: the load around the run, the kernel, and how the CPU's frequency
// is managed. Fields that the OS does not expose (most of them outside
// Linux, and the cpufreq ones in most virtual machines) stay empty.
type State struct {
	Kernel      string    `json:"kernel,omitempty"`
	LoadBefore  []float64 `json:"load_before,omitempty"` // 1, 5 and 15 minute load averages
	LoadAfter   []float64 `json:"load_after,omitempty"`
	Governor    string    `json:"governor,omitempty"`     // cpu0's cpufreq scaling governor
	Boost       string    `json:"boost,omitempty"`        // "on" or "off"
	SMTSiblings string    `json:"smt_siblings,omitempty"` // the logical CPUs sharing cpu0's core, e.g. "0,64"
	Busy        bool      `json:"busy"`                   // a 1-minute load above the logical cores, before or after
}

// readTrim returns the trimmed contents of a small file, or "".
func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// loadAverage returns the 1, 5 and 15 minute load averages, or nil.
func loadAverage() []float64 {
	s := readTrim("/proc/loadavg")
	if s == "" && runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		// The BSDs and macOS: "{ 1.23 1.10 0.98 }".
		if out, err := exec.Command("sysctl", "-n", "vm.loadavg").Output(); err == nil {
			s = strings.Trim(strings.TrimSpace(string(out)), "{} ")
		}
	}
	return parseLoad(s)
}

// parseLoad reads the first three fields of a load-average line.
func parseLoad(s string) []float64 {
	f := strings.Fields(s)
	if len(f) < 3 {
		return nil
	}
	var l []float64
	for _, v := range f[:3] {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil
		}
		l = append(l, x)
	}
	return l
}

// kernelRelease returns the OS kernel's release, or "".
func kernelRelease() string {
	if s := readTrim("/proc/sys/kernel/osrelease"); s != "" {
		return runtime.GOOS + " " + s
	}
	if runtime.GOOS == "windows" {
		return ""
	}
	out, err := exec.Command("uname", "-sr").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// boostState reads the two Linux switches for turbo: cpufreq's boost (AMD
// and acpi-cpufreq; 1 is on) and intel_pstate's no_turbo (1 is off).
func boostState() string {
	switch readTrim("/sys/devices/system/cpu/cpufreq/boost") {
	case "1":
		return "on"
	case "0":
		return "off"
	}
	switch readTrim("/sys/devices/system/cpu/intel_pstate/no_turbo") {
	case "0":
		return "on"
	case "1":
		return "off"
	}
	return ""
}

// detectState reads the state before a run; finish adds the load after it.
func detectState() State {
	return State{
		Kernel:      kernelRelease(),
		LoadBefore:  loadAverage(),
		Governor:    readTrim("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
		Boost:       boostState(),
		SMTSiblings: readTrim("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list"),
	}
}

// finish records the load after the run and whether the machine was busy:
// a 1-minute load above the number of logical cores, before or after, means
// other programs competed for the cores the run measured.
func (s *State) finish(logicalCores int) {
	s.LoadAfter = loadAverage()
	s.finishBusy(logicalCores)
}

// finishBusy sets Busy from the two loads.
func (s *State) finishBusy(logicalCores int) {
	for _, l := range [][]float64{s.LoadBefore, s.LoadAfter} {
		if len(l) > 0 && l[0] > float64(logicalCores) {
			s.Busy = true
		}
	}
}

// line is the state as one line of the text and Markdown headers.
func (s *State) line() string {
	load := func(l []float64) string {
		if len(l) < 3 {
			return "?"
		}
		return fmt.Sprintf("%.2f %.2f %.2f", l[0], l[1], l[2])
	}
	or := func(v, unknown string) string {
		if v == "" {
			return unknown
		}
		return v
	}
	t := fmt.Sprintf("load %s before, %s after; kernel %s; governor %s, boost %s; cpu0's core shared by CPUs %s",
		load(s.LoadBefore), load(s.LoadAfter), or(s.Kernel, "?"), or(s.Governor, "?"), or(s.Boost, "?"), or(s.SMTSiblings, "?"))
	if s.Busy {
		t += "; BUSY: the load exceeded the logical cores, so other programs competed with the run"
	}
	return t
}
