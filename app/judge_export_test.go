package app

// SetEmit replaces the App's event emitter, for tests that watch the events
// a judge run sends.
func SetEmit(a *App, f func(name string, data any)) { a.emit = f }
