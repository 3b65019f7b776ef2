package json_test

import (
	stdjson "encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/codectest"
	"github.com/scuttlebutt-go/scuttlebutt/codec/json"
)

func TestCodec(t *testing.T) { codectest.Run(t, json.Codec{}) }

func FuzzDecode(f *testing.F) { codectest.Fuzz(f, json.Codec{}) }

func BenchmarkCodec(b *testing.B) { codectest.Bench(b, json.Codec{}) }

func TestHostile(t *testing.T) {
	codectest.Hostile(t, json.Codec{}, codectest.Forgery{Append: json.Forge})
}

// TestValidJSON checks every encoding against the standard library's parser
// and field names.
func TestValidJSON(t *testing.T) {
	for _, m := range codectest.Messages() {
		b, err := json.Codec{}.Append(nil, m)
		require.NoError(t, err)
		var v struct {
			Scuttlebutt int
			Kind        string
			From        string
			Hash        string
			Cover       []map[string]uint64
			Digest      []map[string]any
			Buckets     []map[string]any
			Requests    []map[string]any
			Deltas      []map[string]any
		}
		require.NoError(t, stdjson.Unmarshal(b, &v), "%s", b)
		assert.Equal(t, json.Version, v.Scuttlebutt)
		assert.Equal(t, m.Kind.String(), v.Kind)
		assert.Equal(t, m.From, v.From)
		if m.Hash == 0 {
			assert.Empty(t, v.Hash)
		} else {
			assert.Equal(t, fmt.Sprintf("%016x", m.Hash), v.Hash)
		}
		require.Len(t, v.Cover, len(m.Digest.Cover))
		for i, c := range m.Digest.Cover {
			assert.Equal(t, map[string]uint64{"level": uint64(c.Level), "index": uint64(c.Index)}, v.Cover[i])
		}
		assert.Len(t, v.Digest, len(m.Digest.Entries))
		require.Len(t, v.Buckets, len(m.Buckets))
		for i, k := range m.Buckets {
			assert.EqualValues(t, k.Level, v.Buckets[i]["level"])
			assert.EqualValues(t, k.Index, v.Buckets[i]["index"])
		}
		assert.Len(t, v.Requests, len(m.Requests))
		assert.Len(t, v.Deltas, len(m.Deltas))
	}
}

func TestDecodeErrors(t *testing.T) {
	const ok = `{"scuttlebutt":3,"kind":"SYN","from":"a"`
	cases := []struct {
		in   string
		want error
	}{
		{`{"scuttlebutt":2,"kind":"SYN","from":"a"}`, codec.ErrVersion},
		{`{"scuttlebutt":2,"kind":"SYN","from":"a","lo":"a","digest":[{"id":"a","heartbeat":1}]}`, codec.ErrVersion},
		{`{"scuttlebutt":4,"kind":"SYN","from":"a"}`, codec.ErrVersion},
		{`{"scuttlebutt":0}`, codec.ErrVersion},
		{`{"scuttlebutt":99999999999999999999999}`, codec.ErrVersion},
		{`{"scuttlebutt": 3 , "kind" : "SYN" , "from" : "a" }`, nil},
		{`{"scuttlebutt":3,"from":"a","kind":"ACK","deltas":[]}`, nil},
		{`{"scuttlebutt":3,"kind":"PING","from":"a","hash":"0123456789ABCDEF"}`, nil},
		{`{"scuttlebutt":3,"kind":"PONG","from":"a","hash":"0000000000000000"}`, nil},
		{ok + `,"cover":[],"digest":[],"buckets":[],"requests":[]}`, nil},
		{ok + `,"digest":[{"id":"b","left":false,"generation":0}]}`, nil},
		{`{"scuttlebutt":3,"kind":"SYN","from":"\u00e9\ud83d\ude00\/"}`, nil},
		{ok + `,"cover":[{"index":3,"level":1},{"level":0,"index":0}]}`, nil},
		{ok + `,"buckets":[{"level":7,"index":268435455,"hash":"ffffffffffffffff","count":4294967295}]}`, nil},
		{` {"scuttlebutt":3}`, codec.ErrCodecMismatch},
		{`{"kind":"SYN"}`, codec.ErrCodecMismatch},
		{`{"scuttle`, codec.ErrMalformed},
		{`{"scuttlebutt":-1}`, codec.ErrMalformed},
		{`{"scuttlebutt":1.0}`, codec.ErrMalformed},
		{`{"scuttlebutt":03}`, codec.ErrMalformed},
		{`{"scuttlebutt":3}`, codec.ErrMalformed},
		{`{"scuttlebutt":3,"kind":"SYN"}`, codec.ErrMalformed},
		{`{"scuttlebutt":3,"kind":"SYN","from":""}`, codec.ErrMalformed},
		{`{"scuttlebutt":3,"kind":"NOPE","from":"a"}`, codec.ErrMalformed},
		{`{"scuttlebutt":3,"kind":"UNKNOWN","from":"a"}`, codec.ErrMalformed},
		{`{"scuttlebutt":3,"kind":"ping","from":"a"}`, codec.ErrMalformed},
		{ok + `,"kind":"SYN"}`, codec.ErrMalformed},
		{ok + `,"extra":1}`, codec.ErrMalformed},
		{ok + `,"lo":"a"}`, codec.ErrMalformed},
		{ok + `}x`, codec.ErrMalformed},
		{ok + `,}`, codec.ErrMalformed},
		{ok + `,"hash":"0123"}`, codec.ErrMalformed},
		{ok + `,"hash":"0123456789abcdef0"}`, codec.ErrMalformed},
		{ok + `,"hash":"0123456789abcdeg"}`, codec.ErrMalformed},
		{ok + `,"hash":81985529216486895}`, codec.ErrMalformed},
		{ok + `,"hash":"0123456789abcdef","hash":"0123456789abcdef"}`, codec.ErrMalformed},
		{ok + `,"digest":[{}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"b"},]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"b","heartbeat":1}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"b","generation":18446744073709551616}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"b","generation":1e3}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"b","left":1}]}`, codec.ErrMalformed},
		{ok + `,"requests":[{"generation":1}]}`, codec.ErrMalformed},
		{ok + `,"requests":[{"id":""}]}`, codec.ErrMalformed},
		{ok + `,"cover":[{"level":1}]}`, codec.ErrMalformed},
		{ok + `,"cover":[{"index":1}]}`, codec.ErrMalformed},
		{ok + `,"cover":[{"level":8,"index":0}]}`, codec.ErrMalformed},
		{ok + `,"cover":[{"level":256,"index":0}]}`, codec.ErrMalformed},
		{ok + `,"cover":[{"level":0,"index":1}]}`, codec.ErrMalformed},
		{ok + `,"cover":[{"level":1,"index":16}]}`, codec.ErrMalformed},
		{ok + `,"cover":[{"level":7,"index":268435456}]}`, codec.ErrMalformed},
		{ok + `,"cover":[{"level":7,"index":4294967296}]}`, codec.ErrMalformed},
		{ok + `,"cover":[{"level":1,"index":1,"count":1}]}`, codec.ErrMalformed},
		{ok + `,"buckets":[{"level":8,"index":0}]}`, codec.ErrMalformed},
		{ok + `,"buckets":[{"level":2,"index":256}]}`, codec.ErrMalformed},
		{ok + `,"buckets":[{"level":1,"index":1,"count":4294967296}]}`, codec.ErrMalformed},
		{ok + `,"buckets":[{"level":1,"index":1,"hash":"00"}]}`, codec.ErrMalformed},
		{ok + `,"buckets":[{"level":1,"index":1,"index":2}]}`, codec.ErrMalformed},
		{ok + `,"deltas":[{"id":"b","entries":[{"value":"v"}]}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"\ud800"}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"\udc00"}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"\ud800\u0041"}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"\x"}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"` + "\xff" + `"}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":"` + "\n" + `"}]}`, codec.ErrMalformed},
		{ok + `,"digest":[{"id":null}]}`, codec.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			_, err := json.Codec{}.Decode([]byte(tc.in))
			if tc.want == nil {
				assert.NoError(t, err)
				codectest.CheckDecode(t, json.Codec{}, []byte(tc.in))
				return
			}
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestRefusesInvalidUTF8(t *testing.T) {
	m := &codec.Message{Kind: codec.KindAck, From: "a", Deltas: []codec.NodeDelta{{ID: "b", Entries: []codec.Entry{{Key: "k", Value: "\xff"}}}}}
	_, err := json.Codec{}.Append(nil, m)
	assert.ErrorIs(t, err, codec.ErrMalformed)
}

func TestMatch(t *testing.T) {
	b, err := json.Codec{}.Append(nil, codectest.Full())
	require.NoError(t, err)
	assert.True(t, json.Codec{}.Match(b))
	assert.False(t, json.Codec{}.Match([]byte(`{"kind":"SYN"}`)))
	assert.True(t, strings.HasPrefix(string(b), `{"scuttlebutt":3,`))
}

func Example() {
	c := json.Codec{}
	m := &codec.Message{
		Kind: codec.KindAck,
		From: "node-a",
		Deltas: []codec.NodeDelta{{
			ID: "node-a", Generation: 7, From: 4, Upto: 6,
			Entries: []codec.Entry{
				{Key: "addr", Value: "10.0.0.1:7946", Version: 5},
				{Key: "role", Version: 6, Tombstone: true},
			},
		}},
	}
	b, err := c.Append(nil, m)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	fmt.Println(len(b) == codec.Size(c, m))
	got, err := c.Decode(b)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Kind, got.Deltas[0].Entries[0].Value)
	// Output:
	// {"scuttlebutt":3,"kind":"ACK","from":"node-a","deltas":[{"id":"node-a","generation":7,"from":4,"upto":6,"entries":[{"key":"addr","value":"10.0.0.1:7946","version":5},{"key":"role","version":6,"tombstone":true}]}]}
	// true
	// ACK 10.0.0.1:7946
}

// Example_walk shows a SYNACK of a bucket walk: the sender's hash, two
// bucket hashes and a request.
func Example_walk() {
	m := &codec.Message{
		Kind: codec.KindSynAck,
		From: "node-a",
		Hash: 0x0123456789abcdef,
		Buckets: []codec.Bucket{
			{BucketID: codec.BucketID{Level: 1, Index: 3}, Hash: 0xfedcba9876543210, Count: 6},
			{BucketID: codec.BucketID{Level: 1, Index: 4}},
		},
		Requests: []codec.DigestEntry{{ID: "node-b", Generation: 2, MaxVersion: 9, Left: true}},
	}
	b, err := json.Codec{}.Append(nil, m)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output:
	// {"scuttlebutt":3,"kind":"SYNACK","from":"node-a","hash":"0123456789abcdef","buckets":[{"level":1,"index":3,"hash":"fedcba9876543210","count":6},{"level":1,"index":4}],"requests":[{"id":"node-b","generation":2,"maxVersion":9,"left":true}]}
}
