module github.com/fastbce/bce/examples

go 1.24
