// Package streamerr explains why a SendStream of transport/tcp or
// transport/quic failed, in the terms of the transport.Streamer contract:
// a closed transport first, then a done context, then the failure itself.
package streamerr

import (
	"context"
	"fmt"
	"net"
	"time"
)

// Explain returns the error SendStream to addr reports for err. pkg
// prefixes the message. When closed, it wraps net.ErrClosed; when ctx is
// done, or its deadline has passed, it wraps ctx's cause
// (context.DeadlineExceeded for a deadline) and keeps err's text; otherwise
// it wraps err.
//
// The deadline test matters because a connection or stream deadline taken
// from ctx can expire a moment before ctx's own timer marks ctx done.
func Explain(ctx context.Context, pkg, addr string, closed bool, err error) error {
	if closed {
		return fmt.Errorf("%s: stream to %s: %w", pkg, addr, net.ErrClosed)
	}
	if cause := Cause(ctx); cause != nil {
		return fmt.Errorf("%s: stream to %s: %w: %v", pkg, addr, cause, err)
	}
	return fmt.Errorf("%s: stream to %s: %w", pkg, addr, err)
}

// Cause is context.Cause(ctx), or context.DeadlineExceeded once ctx's
// deadline has passed even if ctx is not yet marked done; nil while ctx
// runs.
func Cause(ctx context.Context) error {
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}
