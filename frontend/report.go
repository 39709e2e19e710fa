// Package frontend embeds the frontend's report template, the single HTML file the report export fills with data.
package frontend

// ReportTemplate returns the built report template, or nil when this binary
// was built without it (no desktop, dev, production or reporthtml build tag).
func ReportTemplate() []byte { return reportTemplate }
