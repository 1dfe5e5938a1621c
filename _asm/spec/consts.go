package spec

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"math"
	"math/big"
)

// ReadConsts parses the const declarations of bce_generic.go and returns
// every numeric constant rounded once, to nearest even, to float32: exactly
// the value the Go compiler gives float32(name). The kernels therefore use
// the coefficients of the generic path and of the model without a copy.
func ReadConsts(path string) map[string]float32 {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		panic(err)
	}
	out := map[string]float32{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i >= len(vs.Values) {
					continue
				}
				if v, ok := eval(vs.Values[i]); ok {
					out[name.Name] = toFloat32(v)
				}
			}
		}
	}
	return out
}

// eval evaluates a numeric literal, possibly signed.
func eval(e ast.Expr) (constant.Value, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.INT && e.Kind != token.FLOAT {
			return nil, false
		}
		return constant.MakeFromLiteral(e.Value, e.Kind, 0), true
	case *ast.UnaryExpr:
		if v, ok := eval(e.X); ok && (e.Op == token.SUB || e.Op == token.ADD) {
			return constant.UnaryOp(e.Op, v, 0), true
		}
	case *ast.ParenExpr:
		return eval(e.X)
	}
	return nil, false
}

// toFloat32 rounds an exact constant to float32 in one step.
func toFloat32(v constant.Value) float32 {
	var r big.Rat
	switch x := constant.Val(constant.ToFloat(v)).(type) {
	case int64:
		r.SetInt64(x)
	case *big.Int:
		r.SetInt(x)
	case *big.Rat:
		r.Set(x)
	case *big.Float:
		x.Rat(&r)
	default:
		panic(fmt.Sprintf("constant %v: unexpected %T", v, x))
	}
	f, _ := new(big.Float).SetPrec(24).SetMode(big.ToNearestEven).SetRat(&r).Float32()
	if math.IsInf(float64(f), 0) {
		panic(fmt.Sprintf("constant %v overflows float32", v))
	}
	return f
}

// Const returns constant name of consts (from ReadConsts), and panics when
// bce_generic.go does not declare it: a renamed or deleted coefficient must
// stop the generators, never become 0.
func Const(consts map[string]float32, name string) float32 {
	v, ok := consts[name]
	if !ok {
		panic("constant " + name + " not found in bce_generic.go")
	}
	return v
}
