module github.com/fastbce/bce

go 1.22

require golang.org/x/sys v0.30.0

require (
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
