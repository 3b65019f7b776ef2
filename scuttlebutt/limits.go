package scuttlebutt

import "github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/internal/core"

// Limits bound the state a Node holds, so that no peer, hostile or
// mistaken, can make it hold more. Each is enforced twice: a local write
// over a limit is refused by UpdateLocal with a *LimitError (errors.Is
// ErrLimit and ErrTooLarge), and a remote delta that would take a node's
// replica over one is dropped whole, changing nothing, and counted
// (Stats.LimitDrops); the replica then stays at the versions before it,
// as for a gap. Every node of a cluster should run the same limits: a
// node with lower ones than its peers stops following the nodes over them.
//
// A zero field takes its default; a negative one means no limit. Sizes
// count the bytes of keys and values (a deleted key's tombstone: its key);
// counts include tombstones, which are held until TombstoneGrace, and the
// few reserved keys ("_sb.") the protocol writes.
type Limits struct {
	// MaxNodes is the most nodes known at once, this one included
	// (default DefaultMaxNodes). A delta about one more is dropped.
	MaxNodes int
	// MaxKeysPerNode is the most keys held of one node (default
	// DefaultMaxKeysPerNode).
	MaxKeysPerNode int
	// MaxKeyLength is the longest key, in bytes (default
	// DefaultMaxKeyLength).
	MaxKeyLength int
	// MaxValueSize is the largest value, in bytes (default
	// DefaultMaxValueSize).
	MaxValueSize int
	// MaxNodeBytes is the most bytes of keys and values held of one node
	// (default DefaultMaxNodeBytes).
	MaxNodeBytes int
}

// Defaults of Limits: room for clusters of thousands of nodes with
// thousands of small keys each, and a bound of about 10 GiB in the worst
// case a hostile peer can build (every node at its byte limit), against
// no bound at all. Raise them for larger deployments; the transport
// already bounds keys and values to what one datagram, or one stream
// message, carries.
const (
	DefaultMaxNodes       = 10_000
	DefaultMaxKeysPerNode = 10_000
	DefaultMaxKeyLength   = 1 << 10
	DefaultMaxValueSize   = 64 << 10
	DefaultMaxNodeBytes   = 1 << 20
)

// minKeyLength is the longest reserved key: a verdict about a node whose
// ID is MaxIDLength bytes long.
const minKeyLength = len(core.KeySuspectPrefix) + MaxIDLength

// ErrLimit is wrapped by the error UpdateLocal returns for a write over
// one of Config.Limits; the error is a *LimitError, which names the limit.
var ErrLimit = core.ErrLimit

// LimitError is the error of a local write over one of Config.Limits:
// Limit names the field ("MaxValueSize"), Max is its value, Got what the
// write needed, Key the key written. errors.Is(err, ErrLimit) and
// errors.Is(err, ErrTooLarge) hold for it.
type LimitError = core.LimitError

// withDefaults returns l with zero fields at their defaults.
func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.MaxNodes, DefaultMaxNodes)
	def(&l.MaxKeysPerNode, DefaultMaxKeysPerNode)
	def(&l.MaxKeyLength, DefaultMaxKeyLength)
	def(&l.MaxValueSize, DefaultMaxValueSize)
	def(&l.MaxNodeBytes, DefaultMaxNodeBytes)
	return l
}

// core returns l for the core, where zero is no limit.
func (l Limits) core() core.Limits {
	pos := func(v int) int { return max(v, 0) }
	return core.Limits{
		MaxNodes:       pos(l.MaxNodes),
		MaxKeysPerNode: pos(l.MaxKeysPerNode),
		MaxKeyLength:   pos(l.MaxKeyLength),
		MaxValueSize:   pos(l.MaxValueSize),
		MaxNodeBytes:   pos(l.MaxNodeBytes),
	}
}
