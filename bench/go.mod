module github.com/fastbce/bce/bench

go 1.24
