module github.com/fastbce/bce

go 1.22
