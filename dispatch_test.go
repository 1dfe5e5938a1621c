package bce

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// restorePath returns a function that selects the path in use now again.
func restorePath(t *testing.T) func() {
	old := cur
	return func() { cur = old }
}

// TestSetPathNames checks that SetPath matches names as BCE_PATH does:
// ignoring case and surrounding spaces, with "" (or only spaces) selecting
// the best available path, as an unset BCE_PATH does.
func TestSetPathNames(t *testing.T) {
	defer restorePath(t)()
	for _, p := range Paths() {
		for _, spelled := range []string{p, " " + strings.ToUpper(p) + " ", "\t" + strings.ToUpper(p[:1]) + p[1:] + "\n"} {
			if err := SetPath(spelled); err != nil || Path() != p {
				t.Errorf("SetPath(%q) = %v, Path() = %q, want %q", spelled, err, Path(), p)
			}
			if got := choosePath(spelled); got.String() != p {
				t.Errorf("BCE_PATH=%q selects %v, want %q like SetPath", spelled, got, p)
			}
		}
	}
	for _, empty := range []string{"", "  ", "\t"} {
		_ = SetPath("generic")
		if err := SetPath(empty); err != nil || Path() != Paths()[0] {
			t.Errorf("SetPath(%q) = %v, Path() = %q, want the best path %q", empty, err, Path(), Paths()[0])
		}
	}
}

// TestSetPathErrors checks that SetPath tells an unknown name (listing the
// known names) from a known path this CPU cannot run (listing the available
// ones), and changes nothing in either case.
func TestSetPathErrors(t *testing.T) {
	defer restorePath(t)()
	if err := SetPath("generic"); err != nil {
		t.Fatal(err)
	}
	for _, bogus := range []string{"bogus", "avx9", " sse2 ", "neon-ish", "generic2"} {
		err := SetPath(bogus)
		if err == nil {
			t.Errorf("SetPath(%q) succeeded", bogus)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "unknown path") || strings.Contains(msg, "not available") || !strings.Contains(msg, `"`+bogus+`"`) {
			t.Errorf("SetPath(%q) = %q, want an unknown-path error naming it", bogus, msg)
		}
		for _, known := range pathNames {
			if !strings.Contains(msg, known) {
				t.Errorf("SetPath(%q) = %q does not list the known path %q", bogus, msg, known)
			}
		}
		if Path() != "generic" {
			t.Errorf("SetPath(%q) failed but changed the path to %q", bogus, Path())
		}
	}
	unavailable := 0
	for _, known := range pathNames {
		if _, ok := lookupPath(known); ok {
			continue
		}
		unavailable++
		name := " " + strings.ToUpper(known)
		err := SetPath(name)
		if err == nil {
			t.Errorf("SetPath(%q) succeeded on a CPU without it", name)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "not available on this CPU") || strings.Contains(msg, "unknown") {
			t.Errorf("SetPath(%q) = %q, want a not-available error", name, msg)
		}
		for _, p := range Paths() {
			if !strings.Contains(msg, p) {
				t.Errorf("SetPath(%q) = %q does not list the available path %q", name, msg, p)
			}
		}
		if Path() != "generic" {
			t.Errorf("SetPath(%q) failed but changed the path to %q", name, Path())
		}
	}
	if unavailable == 0 {
		t.Errorf("every path is available: the not-available case went untested")
	}
}

// TestEnvPathError checks the error that PathError returns for each kind of
// BCE_PATH value: none for unset, empty, or a runnable path however spelled;
// otherwise what was asked for, why it was not used, and what runs instead.
func TestEnvPathError(t *testing.T) {
	best := Paths()[0]
	for _, env := range []string{"", " ", " GENERIC "} {
		if p, err := envPath(env); err != nil || (env != " GENERIC " && p.String() != best) {
			t.Errorf("BCE_PATH=%q: %v, %v", env, p, err)
		}
	}
	check := func(env, why string) {
		t.Helper()
		p, err := envPath(env)
		if p.String() != best {
			t.Errorf("BCE_PATH=%q selects %v, want the best path %s", env, p, best)
		}
		if err == nil {
			t.Errorf("BCE_PATH=%q: no error", env)
			return
		}
		for _, want := range []string{`BCE_PATH="` + env + `"`, why, "using " + best} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("BCE_PATH=%q: error %q does not say %q", env, err, want)
			}
		}
	}
	check("bogus", "unknown path")
	check(" AVX9", "unknown path")
	for _, known := range pathNames {
		if _, ok := lookupPath(known); !ok {
			check(strings.ToUpper(known), "not available on this CPU")
		}
	}
	// PathError is the error of this process's own BCE_PATH.
	_, err := envPath(os.Getenv("BCE_PATH"))
	if (err == nil) != (PathError() == nil) || err != nil && err.Error() != PathError().Error() {
		t.Errorf("PathError() = %v, want %v for BCE_PATH=%q", PathError(), err, os.Getenv("BCE_PATH"))
	}
}

// TestPathErrorAtStartup runs this test binary again with BCE_PATH set, to
// check that start-up uses the same rule and records the error: the child
// (TestPathErrorChild) prints Path and PathError.
func TestPathErrorAtStartup(t *testing.T) {
	if os.Getenv("BCE_PATHERROR_CHILD") == "1" {
		t.Skip("in the child")
	}
	best := Paths()[0]
	unavailable := ""
	for _, known := range pathNames {
		if _, ok := lookupPath(known); !ok {
			unavailable = known
		}
	}
	cases := []struct {
		env, path, err string // err "" means PathError() == nil
	}{
		{"", best, ""},
		{" Generic ", "generic", ""},
		{"bogus", best, `BCE_PATH="bogus" not used`},
	}
	if unavailable != "" {
		cases = append(cases, struct{ env, path, err string }{unavailable, best, "not available on this CPU"})
	}
	for _, c := range cases {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPathErrorChild$", "-test.v")
		cmd.Env = append(os.Environ(), "BCE_PATHERROR_CHILD=1", "BCE_PATH="+c.env, "BCE_REQUIRE_PATHS=")
		out, err := cmd.Output()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Skipf("cannot run the test binary again (%v): under an emulator without binfmt", err)
		}
		if err != nil {
			t.Fatalf("BCE_PATH=%q: child failed: %v\n%s", c.env, err, out)
		}
		got := string(out)
		if !strings.Contains(got, "path="+c.path+"\n") {
			t.Errorf("BCE_PATH=%q: child says %q, want path=%s", c.env, got, c.path)
		}
		if c.err == "" && !strings.Contains(got, "err=<nil>\n") || c.err != "" && !strings.Contains(got, c.err) {
			t.Errorf("BCE_PATH=%q: child says %q, want PathError %q", c.env, got, c.err)
		}
	}
}

func TestPathErrorChild(t *testing.T) {
	if os.Getenv("BCE_PATHERROR_CHILD") != "1" {
		t.Skip("run by TestPathErrorAtStartup")
	}
	os.Stdout.WriteString("path=" + Path() + "\n")
	if err := PathError(); err != nil {
		os.Stdout.WriteString("err=" + err.Error() + "\n")
	} else {
		os.Stdout.WriteString("err=<nil>\n")
	}
}

// TestAllocations checks the package's statement on allocation: every
// exported function allocates nothing, except those whose documentation says
// that they allocate (Paths), which must allocate exactly the one slice.
// The kernels are measured at lengths that take each way of laying out the
// weights (none, a short buffer, a long one, chunks).
func TestAllocations(t *testing.T) {
	defer restorePath(t)()
	docs := exportedDocs(t)
	x, y := randomInputs(5000, 121)
	w := randomWeights(5000, 122)
	dst, dst2 := make([]float32, 5000), make([]float32, 5000)
	ok := []float32{0, 1, 0.5}
	best := " " + strings.ToUpper(Paths()[0]) + " "
	fns := map[string]func(){
		"Path":         func() { _ = Path() },
		"Paths":        func() { pathsSink = Paths() }, // kept, as a caller would keep it
		"PathError":    func() { _ = PathError() },
		"SetPath":      func() { _ = SetPath(best); _ = SetPath("") },
		"CheckTargets": func() { _ = CheckTargets(ok) },
	}
	kernels := func(n int) func() {
		x, y, w, dst, dst2 := x[:n], y[:n], w[:n], dst[:n], dst2[:n]
		cs := []Criterion{
			{}, {Weight: w}, {PosWeight: []float32{2}}, {PosWeight: []float32{2, 1}, Weight: w, Reduction: ReduceWeightMean},
			{PosWeight: y[:1], LabelSmoothing: 0.1, GradScale: -2},
			{ClassWeight: []float32{2, 0.5}}, {ClassWeight: []float32{2}, Weight: w, PosWeight: []float32{1, 3}, Reduction: ReduceWeightMean},
		}
		return func() {
			Loss(dst, x, y)
			Grad(dst, x, y)
			LossAndGrad(dst, dst2, x, y)
			Softplus(dst, x)
			LogSigmoid(dst, x)
			Sigmoid(dst, x)
			_ = Sum(x, y)
			_ = Mean(x, y)
			_ = LossGrad(dst, x, y)
			for _, c := range cs {
				c.Loss(dst, x, y)
				c.Grad(dst, x, y)
				_ = c.Reduce(x, y)
				_ = c.LossGrad(dst, x, y)
				c.LossAndGrad(dst, dst2, x, y)
			}
		}
	}
	for _, n := range []int{2, 100, 300, 5000} {
		fns["kernels n="+strconv.Itoa(n)] = kernels(n)
	}
	for name, f := range fns {
		got := testing.AllocsPerRun(20, f)
		want := 0.0
		if d, ok := docs[name]; ok && strings.Contains(d, "allocates when") {
			want = 1
		}
		if got != want {
			t.Errorf("%s: %v allocations per call, want %v (its documentation: %q)", name, got, want, docs[name])
		}
	}
	if _, ok := docs["Paths"]; !ok {
		t.Errorf("no documentation found for Paths")
	}
}

// pathsSink keeps Paths' result alive: a result the caller drops may be
// placed on the caller's stack by the compiler, which would hide the
// allocation that a caller keeping it pays.
var pathsSink []string

// exportedDocs returns the doc comments of the package's exported
// functions (not methods), each on one line.
func exportedDocs(t *testing.T) map[string]string {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	docs := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
				docs[fd.Name.Name] = strings.Join(strings.Fields(fd.Doc.Text()), " ")
			}
		}
	}
	return docs
}
