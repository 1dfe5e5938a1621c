// Command mca writes testdata/mca.tsv, llvm-mca's predictions for the hot
// loop of every SIMD kernel on several CPU models, and with -check fails
// when a loop's predicted cycles per element are more than 2% worse than
// the committed table:
//
//	cd _asm && GOWORK=off go run ./mca          # rewrite ../testdata/mca.tsv
//	cd _asm && GOWORK=off go run ./mca -check   # compare with it
//	cd _asm && GOWORK=off go run ./mca -readme  # print README's summary table
//
// The numbers are predictions of llvm-mca 19's scheduling models, not
// measurements; they are deterministic, so a 2% threshold is noise-free.
//
// How a loop is found. The instructions llvm-mca reads are the ones the Go
// assembler encoded: the package's test binary is built for amd64 and
// arm64 (go test -c) and disassembled with llvm-objdump (Intel syntax on
// amd64, GNU syntax on arm64). No translation of Go's assembler syntax is
// needed, which matters on arm64, where most of the loop is WORDs (and on
// amd64, where avo's operands would need AVX-512's masks, zeroing and
// broadcasts, and Go's operand order, translated by hand): what llvm-mca
// reads is what the CPU runs, and the generators stay as they are. The
// loops themselves are located in the generated .s files, where the
// generators' labels are still present: a loop is a backward branch to a
// label of the same function, and a hot loop is one whose label is "loop"
// (amd64) or ends in "_loop" (arm64); the tail and copy loops are left out.
// The k-th backward branch of a function in the .s is matched with the k-th
// backward branch of the function's disassembly, and the match must agree
// in the branch's mnemonic and in the number of instructions from the label
// to the branch, or the tool fails: a Go pseudo-instruction that expands to
// several machine instructions, or a reordering, cannot go unnoticed.
//
// The elements per iteration come from the loop's own code: on amd64 the
// ADDQ $n of the element index in the loop, on arm64 the LSR $s of the
// loop counter before the loop (n = 2^s).
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/fastbce/bce/_asm/spec"
)

// cpus are the CPU models of each path (znver3 has no AVX-512). apple-m1
// is not in llvm-mca 19's -mcpu=help list for aarch64 but is accepted
// without a warning (an alias of apple-a14, whose scheduling model it uses).
var cpus = map[string][]string{
	"avx512": {"znver4", "skylake-avx512", "icelake-server", "sapphirerapids"},
	"avx2":   {"znver3", "znver4", "skylake-avx512", "icelake-server", "sapphirerapids"},
	"neon":   {"neoverse-n1", "neoverse-v1", "neoverse-v2", "apple-m1"},
}

var triples = map[string]string{"amd64": "x86_64-unknown-linux-gnu", "arm64": "aarch64-unknown-linux-gnu"}

// iterations of each loop that llvm-mca simulates. The run time grows with
// them; the first iteration's latency, spread over fewer, weighs more: with
// 50, the cycles per element are 0.03% to 3.1% above those of 100 (measured
// on every loop when this was written). The table and -check use the same
// number, so the guard compares like with like.
const iterations = 50

// tolerance is the relative loss of cycles per element -check accepts.
const tolerance = 0.02

// loop is one hot loop and its instructions as llvm-mca reads them.
type loop struct {
	path, kernel, label string
	elems               int      // elements per iteration
	insns               []string // the disassembly up to the branch
	branch              string   // the branch, without its target
}

// row is one line of the table.
type row struct {
	path, kernel, label, cpu string
	elems, insns             int
	rthru, cycles            float64 // per element
}

func (r row) key() string { return r.path + "\t" + r.kernel + "\t" + r.label + "\t" + r.cpu }

func main() {
	root := flag.String("root", "..", "the repository's root")
	table := flag.String("table", "", "the table (default ROOT/testdata/mca.tsv)")
	check := flag.Bool("check", false, "compare with the table instead of writing it")
	readme := flag.Bool("readme", false, "print README's summary of the table and exit")
	mca := flag.String("llvm-mca", "llvm-mca-19", "llvm-mca")
	objdump := flag.String("llvm-objdump", "llvm-objdump-19", "llvm-objdump")
	dump := flag.String("dump", "", "also write llvm-mca's input of each path to DIR/PATH.s")
	flag.Parse()
	if *table == "" {
		*table = filepath.Join(*root, "testdata", "mca.tsv")
	}
	if *readme {
		rows, _, err := readTable(*table)
		if err == nil {
			err = summary(os.Stdout, rows)
		}
		exit(err)
		return
	}
	version, err := mcaVersion(*mca)
	exit(err)
	var rows []row
	for _, goarch := range []string{"amd64", "arm64"} {
		loops, err := findLoops(*root, goarch, *objdump)
		exit(err)
		for _, p := range spec.PathsOf(goarch) {
			var ls []loop
			for _, l := range loops {
				if l.path == p.Name {
					ls = append(ls, l)
				}
			}
			rs, err := predict(*mca, goarch, p.Name, ls, *dump)
			exit(err)
			rows = append(rows, rs...)
		}
	}
	if !*check {
		exit(os.WriteFile(*table, format(version, rows), 0o644))
		fmt.Printf("wrote %s: %d rows\n", *table, len(rows))
		return
	}
	old, oldVersion, err := readTable(*table)
	exit(err)
	if oldVersion != version {
		fmt.Printf("note: the table was made with %s, this is %s\n", oldVersion, version)
	}
	exit(compare(os.Stdout, old, rows))
}

func exit(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "mca:", err)
		os.Exit(1)
	}
}

// mcaVersion returns "llvm-mca X.Y.Z", the table's header.
func mcaVersion(mca string) (string, error) {
	out, err := exec.Command(mca, "--version").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s --version: %v (install llvm-19: apt-get install llvm-19)", mca, err)
	}
	m := regexp.MustCompile(`LLVM version (\S+)`).FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("%s --version: no version in %q", mca, out)
	}
	return "llvm-mca " + string(m[1]), nil
}

// srcLoop is a backward branch of a generated .s file.
type srcLoop struct {
	label  string
	branch string // the branch's mnemonic, lower case
	insns  int    // from the label to the branch, both included
	elems  int
}

var (
	textRe  = regexp.MustCompile(`^TEXT ·(\w+)\(SB\)`)
	labelRe = regexp.MustCompile(`^(\w+):`)
	insnRe  = regexp.MustCompile(`^\t([A-Z][A-Z0-9.]*)\b(.*)$`)
	addqRe  = regexp.MustCompile(`^\$\+?(\d+), \w+$`)
	lsrRe   = regexp.MustCompile(`^\$(\d+), (R\d+), (R\d+)$`)
)

// parseSource returns the backward branches of each function of a
// generated .s file, in order.
func parseSource(src []byte) (map[string][]srcLoop, []string, error) {
	loops := map[string][]srcLoop{}
	var order []string
	var fname string
	var n int                 // instructions of the function so far
	var labels map[string]int // label -> index of the next instruction
	var ops []string          // the function's instructions: op and operands
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := textRe.FindStringSubmatch(line); m != nil {
			fname, n, labels, ops = m[1], 0, map[string]int{}, nil
			order = append(order, fname)
			continue
		}
		if fname == "" {
			continue
		}
		if m := labelRe.FindStringSubmatch(line); m != nil {
			labels[m[1]] = n
			continue
		}
		m := insnRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		op, args := m[1], m[2]
		args, _, _ = strings.Cut(args, "//") // WORD's mnemonic comment
		args = strings.TrimSpace(args)
		ops = append(ops, op+" "+args)
		n++
		fields := strings.Split(args, ",")
		target := strings.TrimSpace(fields[len(fields)-1])
		start, ok := labels[target]
		if !ok || !(strings.HasPrefix(op, "J") || strings.HasPrefix(op, "B") || strings.HasPrefix(op, "CB") || strings.HasPrefix(op, "TB")) {
			continue
		}
		l := srcLoop{label: target, branch: objdumpName(op), insns: n - start}
		if isHot(target) {
			var err error
			if l.elems, err = elemsOf(ops, start, fields); err != nil {
				return nil, nil, fmt.Errorf("%s, loop %s: %v", fname, target, err)
			}
		}
		loops[fname] = append(loops[fname], l)
	}
	return loops, order, sc.Err()
}

// objdumpName returns llvm-objdump's mnemonic of Go's branch op: the same
// in lower case (JB jb, CBNZ cbnz), but for arm64's conditional B (BNE
// b.ne; BCS and BCC as their aliases b.hs and b.lo, as llvm-objdump prints
// them).
func objdumpName(op string) string {
	switch op {
	case "BCS":
		return "b.hs"
	case "BCC":
		return "b.lo"
	case "BEQ", "BNE", "BHS", "BLO", "BMI", "BPL", "BVS", "BVC", "BHI", "BLS", "BGE", "BLT", "BGT", "BLE":
		return "b." + strings.ToLower(op[1:])
	}
	return strings.ToLower(op)
}

func isHot(label string) bool { return label == "loop" || strings.HasSuffix(label, "_loop") }

// elemsOf returns the elements per iteration of the loop of ops[start:]
// whose backward branch has the operands fields.
func elemsOf(ops []string, start int, fields []string) (int, error) {
	if len(fields) == 1 {
		// amd64: ADDQ $n, i in the loop, the last one before the branch.
		for j := len(ops) - 1; j >= start; j-- {
			op, args, _ := strings.Cut(ops[j], " ")
			if m := addqRe.FindStringSubmatch(args); op == "ADDQ" && m != nil {
				return strconv.Atoi(m[1])
			}
		}
		return 0, errors.New("no ADDQ $n of the index in the loop")
	}
	// arm64: CBNZ Rk counts iterations, set by LSR $s, Rk, Rk before the loop.
	ctr := strings.TrimSpace(fields[0])
	for j := start - 1; j >= 0; j-- {
		op, args, _ := strings.Cut(ops[j], " ")
		if m := lsrRe.FindStringSubmatch(args); op == "LSR" && m != nil && m[2] == ctr && m[3] == ctr {
			s, _ := strconv.Atoi(m[1])
			return 1 << s, nil
		}
	}
	return 0, fmt.Errorf("no LSR $s, %s, %s before the loop", ctr, ctr)
}

// disLine is an instruction of the disassembly.
type disLine struct {
	addr uint64
	text string // mnemonic and operands, objdump's annotations removed
}

var (
	symRe   = regexp.MustCompile(`^[0-9a-f]+ <github\.com/fastbce/bce\.(\w+)\.abi0>:$`)
	disRe   = regexp.MustCompile(`^\s*([0-9a-f]+):\s+(\S.*)$`)
	targRe  = regexp.MustCompile(`^(.*?)0x([0-9a-f]+) <[^>]*>$`)
	annotRe = regexp.MustCompile(`\s*(#|//) .*$`)
)

// disassemble returns the instructions of each function of package bce in
// the test binary bin.
func disassemble(objdump, goarch, bin string) (map[string][]disLine, error) {
	args := []string{"-d", "--no-show-raw-insn"}
	if goarch == "amd64" {
		args = append(args, "-M", "intel")
	}
	out, err := exec.Command(objdump, append(args, bin)...).Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", objdump, err)
	}
	fns := map[string][]disLine{}
	var fname string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := symRe.FindStringSubmatch(line); m != nil {
			fname = m[1]
			continue
		}
		if strings.HasSuffix(line, ">:") || line == "" {
			fname = ""
			continue
		}
		if fname == "" {
			continue
		}
		m := disRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		addr, _ := strconv.ParseUint(m[1], 16, 64)
		text := strings.Join(strings.Fields(annotRe.ReplaceAllString(m[2], "")), " ")
		fns[fname] = append(fns[fname], disLine{addr, text})
	}
	return fns, sc.Err()
}

// findLoops builds the test binary for goarch and returns its hot loops.
func findLoops(root, goarch, objdump string) ([]loop, error) {
	src, err := os.ReadFile(filepath.Join(root, "bce_"+goarch+".s"))
	if err != nil {
		return nil, err
	}
	srcLoops, order, err := parseSource(src)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "mca")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bce.test")
	cmd := exec.Command("go", "test", "-c", "-o", bin, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("GOARCH=%s go test -c: %v\n%s", goarch, err, out)
	}
	fns, err := disassemble(objdump, goarch, bin)
	if err != nil {
		return nil, err
	}
	var loops []loop
	for _, fname := range order {
		path, kernel, ok := pathOf(goarch, fname)
		if !ok {
			return nil, fmt.Errorf("%s: no path of %s has its suffix", fname, goarch)
		}
		dis := fns[fname]
		if dis == nil {
			return nil, fmt.Errorf("%s: not in the disassembly", fname)
		}
		back := backBranches(dis)
		sl := srcLoops[fname]
		if len(back) != len(sl) {
			return nil, fmt.Errorf("%s: %d backward branches in the .s, %d in the disassembly", fname, len(sl), len(back))
		}
		for k, s := range sl {
			b := back[k]
			if b.mnemonic != s.branch || b.end-b.start+1 != s.insns {
				return nil, fmt.Errorf("%s: loop %s is %s after %d instructions in the .s, %s after %d in the disassembly",
					fname, s.label, s.branch, s.insns, b.mnemonic, b.end-b.start+1)
			}
			if !isHot(s.label) {
				continue
			}
			var insns []string
			for _, d := range dis[b.start:b.end] {
				insns = append(insns, d.text)
			}
			loops = append(loops, loop{path: path, kernel: kernel, label: s.label, elems: s.elems,
				insns: insns, branch: b.mnemonic + " " + b.prefix})
		}
	}
	return loops, nil
}

// pathOf returns the path and the kernel of assembly function fname.
func pathOf(goarch, fname string) (path, kernel string, ok bool) {
	for _, p := range spec.PathsOf(goarch) {
		if k, found := strings.CutSuffix(fname, p.Suffix); found {
			return p.Name, k, true
		}
	}
	return "", "", false
}

// backBranch is a backward branch of a disassembled function: dis[start]
// is its target and dis[end] the branch.
type backBranch struct {
	start, end int
	mnemonic   string
	prefix     string // the operands before the target ("x6, " of cbnz)
}

func backBranches(dis []disLine) []backBranch {
	var bs []backBranch
	for j, d := range dis {
		mn, ops, _ := strings.Cut(d.text, " ")
		m := targRe.FindStringSubmatch(ops)
		if m == nil {
			continue
		}
		t, _ := strconv.ParseUint(m[2], 16, 64)
		if t > d.addr || t < dis[0].addr {
			continue
		}
		start := sort.Search(len(dis), func(i int) bool { return dis[i].addr >= t })
		if dis[start].addr != t {
			continue
		}
		bs = append(bs, backBranch{start: start, end: j, mnemonic: mn, prefix: m[1]})
	}
	return bs
}

// region names a loop in llvm-mca's input and output.
func region(l loop) string { return l.path + "/" + l.kernel + "/" + l.label }

var (
	regionRe = regexp.MustCompile(`^\[\d+\] Code Region - (\S+)$`)
	statRe   = regexp.MustCompile(`^(Iterations|Instructions|Total Cycles|Block RThroughput):\s+(\S+)$`)
)

// predict runs llvm-mca once per CPU model of path over its loops, each loop
// a code region of its own.
func predict(mca, goarch, path string, loops []loop, dump string) ([]row, error) {
	var in strings.Builder
	if goarch == "amd64" {
		in.WriteString(".intel_syntax noprefix\n")
	}
	for j, l := range loops {
		fmt.Fprintf(&in, "# LLVM-MCA-BEGIN %s\n.Lloop%d:\n", region(l), j)
		for _, s := range l.insns {
			in.WriteString(s + "\n")
		}
		fmt.Fprintf(&in, "%s.Lloop%d\n# LLVM-MCA-END\n", l.branch, j)
	}
	text := in.String()
	if dump != "" {
		if err := os.WriteFile(filepath.Join(dump, path+".s"), []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	var rows []row
	// One llvm-mca per CPU model, as many at once as there are CPUs.
	models := cpus[path]
	results := make([]map[string]map[string]float64, len(models))
	errs := make([]error, len(models))
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for j, cpu := range models {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			results[j], errs[j] = runMCA(mca, triples[goarch], cpu, text)
			<-sem
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for j, cpu := range models {
		stats := results[j]
		for _, l := range loops {
			st, ok := stats[region(l)]
			if !ok {
				return nil, fmt.Errorf("%s: llvm-mca reported no region %s", cpu, region(l))
			}
			n := len(l.insns) + 1 // and the branch
			if int(st["Instructions"]) != iterations*n || int(st["Iterations"]) != iterations {
				return nil, fmt.Errorf("%s, %s: llvm-mca read %v instructions in %v iterations, want %d", cpu, region(l), st["Instructions"], st["Iterations"], iterations*n)
			}
			rows = append(rows, row{
				path: l.path, kernel: l.kernel, label: l.label, cpu: cpu,
				elems: l.elems, insns: n,
				rthru:  st["Block RThroughput"] / float64(l.elems),
				cycles: st["Total Cycles"] / iterations / float64(l.elems),
			})
		}
	}
	return rows, nil
}

// runMCA returns the statistics of each code region of input.
func runMCA(mca, triple, cpu, input string) (map[string]map[string]float64, error) {
	cmd := exec.Command(mca, "-mtriple="+triple, "-mcpu="+cpu, fmt.Sprintf("-iterations=%d", iterations),
		"-dispatch-stats=false", "-scheduler-stats=false", "-retire-stats=false", "-register-file-stats=false",
		"-instruction-info=false", "-resource-pressure=false")
	cmd.Stdin = strings.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s -mcpu=%s: %v\n%s", mca, cpu, err, stderr.String())
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		// An unknown CPU only warns: it must fail here.
		return nil, fmt.Errorf("%s -mcpu=%s: %s", mca, cpu, s)
	}
	stats := map[string]map[string]float64{}
	var cur map[string]float64
	for _, line := range strings.Split(string(out), "\n") {
		if m := regionRe.FindStringSubmatch(line); m != nil {
			cur = map[string]float64{}
			stats[m[1]] = cur
			continue
		}
		if m := statRe.FindStringSubmatch(line); m != nil && cur != nil {
			v, err := strconv.ParseFloat(m[2], 64)
			if err != nil {
				return nil, fmt.Errorf("%s -mcpu=%s: %q: %v", mca, cpu, line, err)
			}
			cur[m[1]] = v
		}
	}
	return stats, nil
}

const header = "path\tkernel\tloop\tcpu\telems\tinsns\tblock_rthroughput_per_elem\tcycles_per_elem"

func format(version string, rows []row) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s, %d iterations; written by cd _asm && GOWORK=off go run ./mca. Predicted, not measured.\n", version, iterations)
	b.WriteString(header + "\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%d\t%d\t%.4f\t%.4f\n", r.path, r.kernel, r.label, r.cpu, r.elems, r.insns, r.rthru, r.cycles)
	}
	return b.Bytes()
}

var versionRe = regexp.MustCompile(`^# (llvm-mca \S+),`)

func readTable(file string) ([]row, string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, "", err
	}
	var rows []row
	var version string
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if m := versionRe.FindStringSubmatch(line); i == 0 && m != nil {
			version = m[1]
			continue
		}
		if line == header || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 8 {
			return nil, "", fmt.Errorf("%s:%d: %d fields, want 8", file, i+1, len(f))
		}
		r := row{path: f[0], kernel: f[1], label: f[2], cpu: f[3]}
		var errs [4]error
		r.elems, errs[0] = strconv.Atoi(f[4])
		r.insns, errs[1] = strconv.Atoi(f[5])
		r.rthru, errs[2] = strconv.ParseFloat(f[6], 64)
		r.cycles, errs[3] = strconv.ParseFloat(f[7], 64)
		if err := errors.Join(errs[:]...); err != nil {
			return nil, "", fmt.Errorf("%s:%d: %v", file, i+1, err)
		}
		rows = append(rows, r)
	}
	return rows, version, nil
}

// compare reports every loop whose cycles per element are more than
// tolerance worse than in old (an error), or better (a note), and every
// loop missing from either side (an error: the table is stale).
func compare(w *os.File, old, rows []row) error {
	prev := map[string]row{}
	for _, r := range old {
		prev[r.key()] = r
	}
	var worse, stale, better int
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.key()] = true
		o, ok := prev[r.key()]
		if !ok {
			fmt.Fprintf(w, "new: %s %s %s on %s: %.4f cycles/elem, not in the table\n", r.path, r.kernel, r.label, r.cpu, r.cycles)
			stale++
			continue
		}
		// The table's 4 decimals: compare with the value as it would be written.
		c, _ := strconv.ParseFloat(fmt.Sprintf("%.4f", r.cycles), 64)
		switch {
		case c > o.cycles*(1+tolerance):
			fmt.Fprintf(w, "WORSE: %s %s %s on %s: %.4f cycles/elem, table %.4f (%+.1f%%)\n", r.path, r.kernel, r.label, r.cpu, c, o.cycles, 100*(c/o.cycles-1))
			worse++
		case c < o.cycles*(1-tolerance):
			fmt.Fprintf(w, "better: %s %s %s on %s: %.4f cycles/elem, table %.4f (%+.1f%%)\n", r.path, r.kernel, r.label, r.cpu, c, o.cycles, 100*(c/o.cycles-1))
			better++
		}
	}
	for _, o := range old {
		if !seen[o.key()] {
			fmt.Fprintf(w, "gone: %s %s %s on %s is in the table but not in the assembly\n", o.path, o.kernel, o.label, o.cpu)
			stale++
		}
	}
	fmt.Fprintf(w, "%d loop predictions, %d more than %.0f%% worse, %d better, %d new or gone\n", len(rows), worse, 100*tolerance, better, stale)
	if better > 0 || stale > 0 {
		fmt.Fprintln(w, "update the table: cd _asm && GOWORK=off go run ./mca")
	}
	if worse > 0 || stale > 0 {
		return fmt.Errorf("%d loops predicted more than %.0f%% slower per element, %d new or gone", worse, 100*tolerance, stale)
	}
	return nil
}

// readmeKernels are the summary's rows (a kernel and the public function
// it runs), readmeCols its columns (a path on a CPU model).
var (
	readmeKernels = [][2]string{
		{"sum", "Mean"}, {"loss", "Loss"}, {"grad", "Grad"}, {"lossGrad", "LossGrad"},
		{"sigmoid", "Sigmoid"}, {"wsum", "WeightedMean"}, {"focalLossGrad", "Focal{Gamma: 2}.LossGrad"},
	}
	readmeCols = [][2]string{
		{"avx512", "znver4"}, {"avx512", "sapphirerapids"}, {"avx2", "znver3"}, {"avx2", "skylake-avx512"},
		{"neon", "neoverse-n1"}, {"neon", "neoverse-v2"}, {"neon", "apple-m1"},
	}
)

// summary writes a Markdown table of the predicted cycles per element of
// readmeKernels on readmeCols: the sum over a kernel's hot loops, since each
// reads every element (NEON's wsum has two: the loss, then the weights).
func summary(w *os.File, rows []row) error {
	at := map[string]float64{}
	for _, r := range rows {
		at[r.path+"/"+r.kernel+"/"+r.cpu] += r.cycles
	}
	var head, rule []string
	for _, c := range readmeCols {
		head = append(head, c[0]+" "+c[1])
		rule = append(rule, "---:")
	}
	fmt.Fprintf(w, "| kernel (function) | %s |\n|---|%s|\n", strings.Join(head, " | "), strings.Join(rule, "|"))
	for _, k := range readmeKernels {
		cells := []string{fmt.Sprintf("%s (`%s`)", k[0], k[1])}
		for _, c := range readmeCols {
			v, ok := at[c[0]+"/"+k[0]+"/"+c[1]]
			if !ok {
				return fmt.Errorf("no %s %s on %s in the table", c[0], k[0], c[1])
			}
			cells = append(cells, strconv.FormatFloat(math.Round(v*100)/100, 'f', 2, 64))
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	return nil
}
