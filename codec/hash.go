package codec

// The digest hash is part of the protocol: two nodes that hold the same
// (ID, generation, max version, left) for every node compute the same hash,
// whatever their codec, so the functions below are fixed for a protocol
// version. The tombstone watermark is left out: each node collects
// tombstones on its own timer, so watermarks differ between nodes that hold
// the same state.
//
// A node's entry hashes to EntryHash; a set of entries hashes to the sum of
// its entries' hashes (mod 2^64), so that adding, removing or changing one
// node updates the hash in O(1), and a peer can tell whether a few listed
// entries explain the whole difference between two hashes. The ID space is
// split into buckets by the leading bits of IDHash, BucketBits per level.

// BucketBits is the number of IDHash bits each bucket level adds: a bucket
// has 1<<BucketBits children.
const BucketBits = 4

// MaxLevel is the deepest bucket level: Index holds at most
// MaxLevel·BucketBits bits.
const MaxLevel = 7

// IDHash is the 64-bit FNV-1a hash of a node ID, run through a final mix
// so that its leading bits, which choose the bucket, are well spread.
func IDHash(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return mix(h)
}

// EntryHash is the hash of one node's digest entry: its ID, generation,
// max version and departure, not its GCVersion. It is never zero.
func EntryHash(e *DigestEntry) uint64 {
	h := IDHash(e.ID)
	h = mix(h ^ e.Generation)
	h = mix(h ^ e.MaxVersion)
	if e.Left {
		h = mix(h ^ 1)
	}
	if h == 0 {
		h = 1
	}
	return h
}

// mix is the SplitMix64 finaliser: a bijection of 64-bit words in which
// every input bit affects every output bit.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// BucketOf returns the bucket at level l holding IDs of hash h.
func BucketOf(h uint64, l uint8) BucketID {
	if l == 0 {
		return BucketID{}
	}
	return BucketID{Level: l, Index: uint32(h >> (64 - BucketBits*uint(l)))}
}

// Contains reports whether IDs of hash h lie in bucket b.
func (b BucketID) Contains(h uint64) bool {
	return BucketOf(h, b.Level) == b
}

// Child returns the i-th child of b (0 <= i < 1<<BucketBits).
func (b BucketID) Child(i int) BucketID {
	return BucketID{Level: b.Level + 1, Index: b.Index<<BucketBits | uint32(i)}
}

// Valid reports whether b names a bucket: a level of at most MaxLevel and
// an index of at most Level·BucketBits bits.
func (b BucketID) Valid() bool {
	return b.Level <= MaxLevel && uint64(b.Index)>>(BucketBits*uint(b.Level)) == 0
}
