//go:build !race

package bce

const raceEnabled = false
