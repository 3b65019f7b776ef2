// Package keyring wraps any transport.Transport, including a user's own,
// and seals every datagram and stream message with AES-GCM (the standard
// library's crypto/aes and crypto/cipher), so that only nodes holding a key
// can read or forge gossip.
//
//	ring, err := keyring.New(key) // 16, 24 or 32 bytes: AES-128, -192, -256
//	inner, err := udp.New(udp.Config{BindAddr: "0.0.0.0:7946"})
//	t, err := keyring.Wrap(inner, keyring.Config{Keyring: ring, Logger: logger})
//	node, err := scuttlebutt.NewBuilder("a").Transport(t).Build()
//	// later, while it runs: node.Keyring().Install(newKey) ...
//
// The result of Wrap implements transport.Streamer exactly when the inner
// transport does; stream messages are sealed like datagrams.
//
// # Wire format
//
// A sealed message is
//
//	version (1 byte) | nonce (12 bytes) | AES-GCM ciphertext and tag (len(message) + 16 bytes)
//
// The version byte is 0xC1 (Version) for a message sealed with the
// sender's primary key, 0xC2 (VersionReply) for one sealed with the key
// the receiver was last seen sealing with (see Transport). The nonce is
// fresh from crypto/rand for every message. There is no key identifier:
// the receiver tries its primary key first, then the others. Nothing is
// passed as associated data yet.
// Overhead is 29 bytes, and the wrapper's MTU (and MaxStreamSize) is the
// inner transport's less Overhead, so a Node, which counts its MTU on the
// encoded message, never sends a datagram the inner transport refuses.
//
// A received message that starts with any other byte is unsealed: accepted
// in the AcceptPlaintext and SendPlaintext modes, refused in Require mode.
// One that starts with a version byte must open with an installed key;
// if none does (another cluster's key, a key removed, a bit altered, a
// truncated message) it is dropped. Every drop is counted in Stats (Failed,
// Refused) and logged as an error at most once per Config.LogInterval, so a
// node that missed a rotation says so clearly without flooding its log.
//
// Encryption authenticates nodes as key holders, not individually: any
// holder of an installed key is fully trusted. Replayed messages are not
// detected here; the protocol drops stale and duplicate state anyway.
//
// # Rotating keys
//
// A Keyring has one primary key, which seals, and others, which only open.
// Rotate in three steps, each finished on every node before the next
// begins, with no restart and no node cut off:
//
//  1. Install(new) on every node. Every node now opens both keys; all
//     still seal with the old one.
//  2. UseKey(new) on every node. Nodes seal with the new key as they
//     switch; nodes not yet switched open it since step 1.
//  3. Remove(old) on every node, at least Config.ReplyWindow (30s by
//     default) after the last node switched in step 2. Nobody seals with
//     it any more.
//
// Remove refuses the primary key (ErrPrimaryKey). A node that was down
// during steps 1 and 2 and comes back with only the old key still rejoins
// before step 3: its peers open its messages with the old key and answer
// each peer with the key that peer last sealed with, while it is
// installed (VersionReply messages, for up to Config.ReplyWindow after it
// last sent one sealed with its primary). After step 3 it cannot: every message it sends is dropped
// and counted as Failed at its peers (and it fails to open theirs), until
// it is given the new key.
//
// # Migrating from plaintext
//
// A running plaintext cluster turns encryption on without restarting all
// its nodes at once. A plaintext node cannot read sealed messages, so no
// node may seal before every node accepts plaintext and holds the key:
//
//  1. Restart the nodes one at a time with the wrapper in SendPlaintext
//     mode (send unsealed, accept both). They still talk to the plaintext
//     nodes, which read everything they send.
//  2. When every node runs the wrapper, SetMode(AcceptPlaintext) on every
//     node (seal, accept both): every node opens sealed messages and still
//     accepts the unsealed ones of nodes not yet switched.
//  3. When every node seals, SetMode(Require) on every node. Unsealed
//     messages are refused from then on, and counted as Refused.
//
// A Node reaches its wrapper's keyring and mode with Node.Keyring and
// Node.SetEncryptionMode when the wrapper is its Config.Transport.
package keyring
