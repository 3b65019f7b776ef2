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
	// ErrNotText: a key or value given to UpdateLocal is not valid UTF-8.
	// Keys and values are text, so every codec (JSON included) carries
	// them unchanged; encode binary data (base64, say) first.
	ErrNotText = core.ErrNotText
	// ErrTooLarge: the write could never reach a peer: its key and value,
	// or the list of this node's keys, do not fit one message of the
	// transport (a datagram, or a stream message where streams are on).
	ErrTooLarge = core.ErrTooLarge
	// ErrStore: the Store failed to apply a write; nothing changed.
	ErrStore = core.ErrStore
)
