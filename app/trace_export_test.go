package app

// StartTrace opens the trace named by getenv's CONCORD_TRACE, as Run does.
func StartTrace(a *App, getenv func(string) string) error { return a.startTrace(getenv) }

// StopTrace closes the trace, as Run does when the window closes.
func StopTrace(a *App) { a.stopTrace() }
