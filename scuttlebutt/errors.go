package scuttlebutt

import "github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/internal/core"

// Errors returned by Node methods, besides ErrClosed and ErrInvalidConfig.
// Test for them with errors.Is.
var (
	// ErrEmptyKey: UpdateLocal or DeleteLocal was given an empty key.
	ErrEmptyKey = core.ErrEmptyKey
	// ErrReservedKey: the key starts with the reserved prefix "_sb.".
	ErrReservedKey = core.ErrReservedKey
	// ErrLeft: the node has left the cluster (Leave) and accepts no writes.
	ErrLeft = core.ErrLeft
)
