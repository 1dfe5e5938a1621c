package bce_test

import (
	"fmt"

	"github.com/fastbce/bce"
)

func ExampleMean() {
	// The textbook example: a confident right answer costs little, a
	// lukewarm one more. Logits are log-odds: ln(0.8/0.2) and ln(0.3/0.7).
	logits := []float32{1.3862944, -0.8472979}
	targets := []float32{1, 0}
	fmt.Printf("mean loss %.4f\n", bce.Mean(logits, targets))
	// Output: mean loss 0.2899
}

func ExampleLoss() {
	logits := []float32{30, -30, 0, 100}
	targets := []float32{1, 1, 0.5, 1}
	loss := make([]float32, len(logits))
	bce.Loss(loss, logits, targets)
	for i, l := range loss {
		fmt.Printf("loss(%v, %v) = %.4g\n", logits[i], targets[i], l)
	}
	// Output:
	// loss(30, 1) = 9.358e-14
	// loss(-30, 1) = 30
	// loss(0, 0.5) = 0.6931
	// loss(100, 1) = 3.784e-44
}

func ExampleLossGrad() {
	logits := []float32{2, -1, 0.5, -3}
	targets := []float32{1, 0, 0, 1}
	grad := make([]float32, len(logits))
	// One pass: the mean loss, and the gradient of that mean with respect
	// to every logit, (sigmoid(x) - y) / n.
	mean := bce.LossGrad(grad, logits, targets)
	fmt.Printf("mean %.4f\n", mean)
	fmt.Printf("grad %.4f\n", grad)
	// Output:
	// mean 1.1157
	// grad [-0.0298 0.0672 0.1556 -0.2381]
}

func ExampleSigmoid() {
	p := make([]float32, 3)
	bce.Sigmoid(p, []float32{-2, 0, 2})
	fmt.Printf("%.4f\n", p)
	// Output: [0.1192 0.5000 0.8808]
}

func ExampleCriterion() {
	// Two classes per row (element i is class i % 2), the positive term of
	// class 1 weighted 3x, and the last element masked out as padding: a
	// weight of 0 silences even a NaN logit.
	c := bce.Criterion{
		Weight:    []float32{1, 1, 1, 0},
		PosWeight: []float32{1, 3},
		Reduction: bce.ReduceWeightMean,
	}
	logits := []float32{1, -1, 0, float32Nan()}
	targets := []float32{1, 1, 0, 1}
	grad := make([]float32, 4)
	loss := c.LossGrad(grad, logits, targets)
	fmt.Printf("loss %.4f\n", loss)
	fmt.Printf("grad %.4f\n", grad)
	// Output:
	// loss 1.6487
	// grad [-0.0896 -0.7311 0.1667 0.0000]
}

func float32Nan() float32 {
	var zero float32
	return zero / zero
}

func ExampleFocal() {
	// torchvision's sigmoid_focal_loss(x, y, alpha=0.25, gamma=2,
	// reduction="none"): a confident right answer (the first) costs almost
	// nothing, far less than in the BCE, while a confident wrong one (the
	// last) keeps most of its BCE, times alpha_t.
	logits := []float32{3, -2, 0.5, -3}
	targets := []float32{1, 0, 0, 1}
	f := bce.Focal{Gamma: 2, Alpha: 0.25}
	loss, bceLoss := make([]float32, len(logits)), make([]float32, len(logits))
	f.Loss(loss, logits, targets)
	bce.Loss(bceLoss, logits, targets)
	for i := range loss {
		fmt.Printf("x=%v y=%v: focal %.3e, BCE %.3e\n", logits[i], targets[i], loss[i], bceLoss[i])
	}
	grad := make([]float32, len(logits))
	mean := f.LossGrad(grad, logits, targets)
	fmt.Printf("mean %.4f, gradient %.4f\n", mean, grad)
	// Output:
	// x=3 y=1: focal 2.732e-05, BCE 4.859e-02
	// x=-2 y=0: focal 1.353e-03, BCE 1.269e-01
	// x=0.5 y=0: focal 2.831e-01, BCE 9.741e-01
	// x=-3 y=1: focal 6.916e-01, BCE 3.049e+00
	// mean 0.2440, gradient [-0.0000 0.0009 0.0987 -0.0704]
}
