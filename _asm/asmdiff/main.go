// Command asmdiff shows that two versions of a Go assembly file hold the
// same instructions, function by function, whatever their comments, layout
// and data symbol names:
//
//	cd _asm && go run ./asmdiff OLD.s NEW.s
//
// Comments and blank lines are dropped and white space is collapsed. A
// memory operand that names a data symbol (sym<>+off(SB)) is replaced by the
// values it reads: the 32-bit words from off to the end of the 64-byte
// block that holds it, so bceconst<>+192(SB) of a table of 64-byte
// constants and log2e<>(SB) compare equal when they hold the same bits. A
// WORD line is compared by its value (its comment is dropped with the
// others). Symbols that both files define must hold the same data. It exits
// with status 1 on any difference, printing the first one of each function.
//
// It is the proof that a change to a generator's comments or names
// changed no instruction (and so no performance figure).
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

type file struct {
	data  map[string]map[int]uint64 // symbol -> byte offset -> value (4 bytes)
	size  map[string]int
	order []string            // function names in file order
	fns   map[string][]string // normalised lines, unresolved
}

var (
	dataLine = regexp.MustCompile(`^DATA\s+(\S+?)(?:\+(\d+))?\(SB\)/(\d+),\s*\$(\S+)`)
	textLine = regexp.MustCompile(`^TEXT\s+(\S+?)\(SB\)`)
	memRef   = regexp.MustCompile(`([A-Za-z0-9_·]+<>)(?:\+(\d+))?\(SB\)`)
	spaces   = regexp.MustCompile(`\s+`)
)

func parse(path string) (*file, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	f := &file{data: map[string]map[int]uint64{}, size: map[string]int{}, fns: map[string][]string{}}
	cur := ""
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(spaces.ReplaceAllString(line, " "))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if m := dataLine.FindStringSubmatch(line); m != nil {
			off, _ := strconv.Atoi(m[2])
			w, _ := strconv.Atoi(m[3])
			if w != 4 {
				return nil, fmt.Errorf("%s: %q: only 4-byte DATA is supported", path, line)
			}
			v, err := strconv.ParseUint(m[4], 0, 32)
			if err != nil {
				return nil, fmt.Errorf("%s: %q: %v", path, line, err)
			}
			if f.data[m[1]] == nil {
				f.data[m[1]] = map[int]uint64{}
			}
			f.data[m[1]][off] = v
			f.size[m[1]] = max(f.size[m[1]], off+4)
			cur = ""
			continue
		}
		if strings.HasPrefix(line, "GLOBL ") {
			cur = ""
			continue
		}
		if m := textLine.FindStringSubmatch(line); m != nil {
			cur = m[1]
			f.order = append(f.order, cur)
		}
		if cur == "" {
			return nil, fmt.Errorf("%s: %q outside a function", path, line)
		}
		f.fns[cur] = append(f.fns[cur], line)
	}
	return f, sc.Err()
}

// resolve replaces the data references of line by the words they read.
func (f *file) resolve(line string) string {
	return memRef.ReplaceAllStringFunc(line, func(ref string) string {
		m := memRef.FindStringSubmatch(ref)
		sym := m[1]
		d, ok := f.data[sym]
		if !ok {
			return ref // a symbol of no DATA in this file
		}
		off, _ := strconv.Atoi(m[2])
		end := min(f.size[sym], (off/64+1)*64)
		var ws []string
		for o := off; o < end; o += 4 {
			ws = append(ws, fmt.Sprintf("%08x", d[o]))
		}
		return "data{" + strings.Join(ws, ",") + "}"
	})
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: asmdiff OLD.s NEW.s")
		os.Exit(2)
	}
	a, err := parse(os.Args[1])
	if err == nil {
		var b *file
		b, err = parse(os.Args[2])
		if err == nil {
			if !compare(a, b) {
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(2)
}

func compare(a, b *file) bool {
	ok := true
	for sym, d := range a.data {
		if e, both := b.data[sym]; both && (fmt.Sprint(d) != fmt.Sprint(e) || a.size[sym] != b.size[sym]) {
			fmt.Printf("data %s: differs\n", sym)
			ok = false
		}
	}
	if strings.Join(a.order, " ") != strings.Join(b.order, " ") {
		fmt.Printf("functions differ or are in another order:\n  old %v\n  new %v\n", a.order, b.order)
		ok = false
	}
	total := 0
	for _, name := range a.order {
		la, lb := a.fns[name], b.fns[name]
		n := max(len(la), len(lb))
		same := true
		for i := 0; i < n; i++ {
			var x, y string
			if i < len(la) {
				x = a.resolve(la[i])
			}
			if i < len(lb) {
				y = b.resolve(lb[i])
			}
			if x != y {
				fmt.Printf("%s: line %d of the function differs:\n  old %s\n  new %s\n", name, i+1, x, y)
				same, ok = false, false
				break
			}
		}
		if same {
			fmt.Printf("%-20s identical: %d lines (TEXT, labels, instructions)\n", name, len(la))
			total += len(la)
		}
	}
	if ok {
		fmt.Printf("all %d functions identical: %d lines\n", len(a.order), total)
	}
	return ok
}
