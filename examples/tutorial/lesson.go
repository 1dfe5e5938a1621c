package main

import (
	"fmt"
	"io"
	"math"

	"github.com/fastbce/bce"
)

// The lesson's loss of one example with prediction yhat = sigmoid(z) is
//
//	loss(yhat, y) = -y log(yhat) - (1-y) log(1-yhat)
//
// one formula for both labels: for y = 1 the second term vanishes and for
// y = 0 the first. Its worked example is y = 1 with yhat = 0.8 and y = 0
// with yhat = 0.3. bce takes logits, so the example is fed the z whose
// sigmoid is yhat, z = log(yhat/(1-yhat)): ln 4 and ln(3/7).
var worked = [2]struct{ yhat, y float64 }{{0.8, 1}, {0.3, 0}}

// workedRow is one line of the worked example.
type workedRow struct {
	y, yhat, z float64
	formula    float64 // the lesson's formula in float64, from yhat
	bce        float32 // bce.Loss from the logit z
}

// workedExample computes the lesson's two losses both ways.
func workedExample() []workedRow {
	logits := make([]float32, len(worked))
	targets := make([]float32, len(worked))
	rows := make([]workedRow, len(worked))
	for i, w := range worked {
		z := math.Log(w.yhat / (1 - w.yhat))
		logits[i], targets[i] = float32(z), float32(w.y)
		rows[i] = workedRow{y: w.y, yhat: w.yhat, z: z,
			formula: -w.y*math.Log(w.yhat) - (1-w.y)*math.Log(1-w.yhat)}
	}
	loss := make([]float32, len(worked))
	bce.Loss(loss, logits, targets)
	for i := range rows {
		rows[i].bce = loss[i]
	}
	return rows
}

// extremeLogits are where the lesson's formula, evaluated from sigmoid(z) in
// float32, breaks: sigmoid(40) rounds to 1 (exp(-40) = 4e-18 is below half
// float32's epsilon) so log(1 - yhat) is log 0, and at -100 exp(100)
// overflows float32, so yhat = 0. The logits of a badly wrong model on
// unscaled features reach such values easily.
var extremeLogits = []float32{40, 100, -100}

// extremeRow compares the naive formula with bce at one (z, y).
type extremeRow struct {
	z, y  float32
	naive float32
	bce   float32
}

// naiveLoss is the lesson's formula applied to yhat = 1/(1+exp(-z)), every
// operation rounded to float32 as a float32 model would do it. When yhat
// rounds to exactly 0 or 1 one of the logs is -Inf: with the label that
// keeps that term the loss is +Inf, and with the other label the term that
// should vanish is 0·(-Inf), which is NaN, not 0.
func naiveLoss(z, y float32) float32 {
	e := float32(math.Exp(float64(-z)))
	yhat := 1 / (1 + e)
	logP := float32(math.Log(float64(yhat)))
	logQ := float32(math.Log(float64(1 - yhat)))
	return -y*logP - (1-y)*logQ
}

// extremes evaluates both ways at every extreme logit with both labels.
// bce computes (1-y) relu(z) + y relu(-z) + log1p(exp(-|z|)), the same loss
// rewritten in z: exp only ever sees -|z| ≤ 0, so it cannot overflow, and
// there is no log of a rounded probability.
func extremes() []extremeRow {
	var rows []extremeRow
	var logits, targets []float32
	for _, z := range extremeLogits {
		for _, y := range []float32{0, 1} {
			rows = append(rows, extremeRow{z: z, y: y, naive: naiveLoss(z, y)})
			logits, targets = append(logits, z), append(targets, y)
		}
	}
	loss := make([]float32, len(logits))
	bce.Loss(loss, logits, targets)
	for i := range rows {
		rows[i].bce = loss[i]
	}
	return rows
}

func printLesson(out io.Writer, ex []workedRow, xr []extremeRow) {
	fmt.Fprintln(out, "the lesson's worked example, loss = -y log(yhat) - (1-y) log(1-yhat):")
	fmt.Fprintln(out, "    y   yhat   logit z = ln(yhat/(1-yhat))   formula   bce.Loss(z, y)")
	for _, r := range ex {
		fmt.Fprintf(out, "    %g   %.1f   %-27.6f   %.3f     %.3f\n", r.y, r.yhat, r.z, r.formula, r.bce)
	}
	fmt.Fprintln(out, "at extreme logits, in float32 (naive: the formula on yhat = 1/(1+exp(-z))):")
	fmt.Fprintln(out, "       z   y          naive       bce.Loss")
	for _, r := range xr {
		fmt.Fprintf(out, "    %4g   %g   %12.6g   %12.6g\n", r.z, r.y, r.naive, r.bce)
	}
}
