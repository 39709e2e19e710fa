//go:build desktop || dev || production || reporthtml

package frontend

import _ "embed"

// reportTemplate is report.html as Vite built it (npm run build:report): the
// report screen's code, styles and fonts in one file, waiting for its data.
//
//go:embed dist-report/report.html
var reportTemplate []byte
