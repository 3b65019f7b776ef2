package status_test

import "context"

// canceled returns a done context: Leave then announces the departure
// without waiting for acknowledgements, which on a virtual clock need time
// to move on another goroutine.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
