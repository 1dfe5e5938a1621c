package main

import (
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/fastbce/bce"
	"github.com/klauspost/cpuid/v2"
)

// libraryPath is the module whose kernels are measured.
const libraryPath = "github.com/fastbce/bce"

// Machine identifies the computer, the toolchain and the library build a
// report was measured with. Sizes are in bytes and frequencies in Hz; a cache
// size of -1 and a frequency of 0 mean unknown.
type Machine struct {
	Name           string   `json:"name"`
	Brand          string   `json:"brand"`
	Vendor         string   `json:"vendor"`
	Family         int      `json:"family"`
	Model          int      `json:"model"`
	Stepping       int      `json:"stepping"`
	X86Level       int      `json:"x86_64_level"`
	Hypervisor     string   `json:"hypervisor,omitempty"`
	L1D            int      `json:"l1d_bytes"`
	L1I            int      `json:"l1i_bytes"`
	L2             int      `json:"l2_bytes"`
	L3             int      `json:"l3_bytes"`
	CacheLine      int      `json:"cache_line_bytes"`
	LogicalCores   int      `json:"logical_cores"`
	PhysicalCores  int      `json:"physical_cores"`
	ThreadsPerCore int      `json:"threads_per_core"`
	BaseHz         int64    `json:"base_hz"`
	BoostHz        int64    `json:"boost_hz"`
	Features       []string `json:"features"`
	GOOS           string   `json:"goos"`
	GOARCH         string   `json:"goarch"`
	GoVersion      string   `json:"go_version"`
	GOMAXPROCS     int      `json:"gomaxprocs"`
	Library        string   `json:"library_version"`
	Revision       string   `json:"revision,omitempty"`
	Paths          []string `json:"paths"`
	PathError      string   `json:"path_error,omitempty"`
}

// simdFeatures are the CPU features that decide which kernels can run.
var simdFeatures = []cpuid.FeatureID{
	cpuid.SSE4, cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.F16C,
	cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL,
	cpuid.ASIMD, cpuid.FPHP, cpuid.ASIMDHP, cpuid.SVE,
}

// detectMachine describes the machine this program runs on. name, when not
// empty, overrides the short name derived from the brand.
func detectMachine(name string) Machine {
	c := cpuid.CPU
	m := Machine{
		Brand:          strings.TrimSpace(c.BrandName),
		Vendor:         c.VendorString,
		Family:         c.Family,
		Model:          c.Model,
		Stepping:       c.Stepping,
		X86Level:       c.X64Level(),
		Hypervisor:     c.HypervisorVendorString,
		L1D:            c.Cache.L1D,
		L1I:            c.Cache.L1I,
		L2:             c.Cache.L2,
		L3:             c.Cache.L3,
		CacheLine:      c.CacheLine,
		LogicalCores:   c.LogicalCores,
		PhysicalCores:  c.PhysicalCores,
		ThreadsPerCore: c.ThreadsPerCore,
		BaseHz:         c.Hz,
		BoostHz:        c.BoostFreq,
		Features:       []string{},
		GOOS:           runtime.GOOS,
		GOARCH:         runtime.GOARCH,
		GoVersion:      runtime.Version(),
		GOMAXPROCS:     runtime.GOMAXPROCS(0),
		Paths:          bce.Paths(),
	}
	if err := bce.PathError(); err != nil {
		m.PathError = err.Error()
	}
	if c.HypervisorVendorID != cpuid.VendorUnknown {
		m.Hypervisor = c.HypervisorVendorID.String()
	}
	if m.Vendor == "" {
		m.Vendor = c.VendorID.String()
	}
	if m.Brand == "" {
		m.Brand = m.Vendor + " " + runtime.GOARCH
	}
	if m.LogicalCores == 0 {
		m.LogicalCores = runtime.NumCPU()
	}
	for _, f := range simdFeatures {
		if c.Supports(f) {
			m.Features = append(m.Features, f.String())
		}
	}
	m.Library, m.Revision = libraryVersion()
	m.Name = name
	if m.Name == "" {
		m.Name = shortName(&m)
	}
	return m
}

// libraryVersion returns the version of the bce module in this binary
// ("devel" when it is built from a working tree) and the VCS revision, when
// the build recorded one or git can tell.
func libraryVersion() (version, revision string) {
	version = "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path != libraryPath {
				continue
			}
			if d.Replace != nil && d.Replace.Version != "" {
				d = d.Replace
			}
			if d.Version != "" && d.Version != "(devel)" && d.Version != "v0.0.0" {
				version = d.Version
			}
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				revision = s.Value
			}
		}
	}
	if revision == "" {
		revision = gitRevision()
	}
	return version, revision
}

// gitRevision returns the short revision of the git work tree around the
// current directory, with "-dirty" when the library's own Go or assembly
// files (outside bench/, examples/ and _asm/) differ from it, or "" when
// there is no git.
func gitRevision() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return ""
	}
	rev := strings.TrimSpace(string(out))
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return rev
	}
	st, err := exec.Command("git", "-C", strings.TrimSpace(string(top)), "status", "--porcelain", "--",
		"*.go", "*.s", "go.mod", ":(exclude)bench", ":(exclude)examples", ":(exclude)_asm").Output()
	if err == nil && len(strings.TrimSpace(string(st))) > 0 {
		rev += "-dirty"
	}
	return rev
}

var (
	brandNoise = regexp.MustCompile(`(?i)\((r|tm)\)|\bcpu\b|\bprocessor\b|@.*$|\b\d+-core\b|\bwith radeon.*$`)
	nonAlnum   = regexp.MustCompile(`[^a-z0-9]+`)
	hasDigit   = regexp.MustCompile(`[0-9]`)
)

// shortName turns a brand into a file-name friendly name:
// "AMD Ryzen 9 7950X 16-Core Processor" becomes "amd-ryzen-9-7950x". A brand
// without a model number (virtual machines often report just "AMD EPYC") gets
// the family and model appended: "amd-epyc-f26m2".
func shortName(m *Machine) string {
	b := brandNoise.ReplaceAllString(m.Brand, " ")
	s := strings.Trim(nonAlnum.ReplaceAllString(strings.ToLower(b), "-"), "-")
	if s == "" {
		s = "cpu"
	}
	if !hasDigit.MatchString(s) && (m.Family != 0 || m.Model != 0) {
		s += "-f" + strconv.Itoa(m.Family) + "m" + strconv.Itoa(m.Model)
	}
	if m.GOARCH != "amd64" && !strings.Contains(s, m.GOARCH) {
		s += "-" + m.GOARCH
	}
	return s
}
