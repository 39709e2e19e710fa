package app

// ResumeBatches runs what the window's start-up does for recorded batches.
func ResumeBatches(a *App) { a.resumeBatches() }

// StopBatches is what closing the window does to the batch collector.
func StopBatches(a *App) { a.stopBatches() }
