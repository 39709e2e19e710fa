//go:build !(desktop || dev || production || reporthtml)

package frontend

// reportTemplate is empty in builds without a Wails tag or reporthtml: they
// compile on a fresh clone, without a built frontend, and say that they cannot
// write an HTML report.
var reportTemplate []byte
